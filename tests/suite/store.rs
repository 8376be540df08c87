//! The store test suite: every test runs on SQLite and on PostgreSQL; the PostgreSQL tests
//! show as ignored unless `SETAD_TEST_POSTGRES_URL` was set when they were built.

use crate::common;

use setad::domain::unit::UnitKind;
use std::collections::BTreeSet;
use std::io::Cursor;

use calamine::{Reader, Xlsx};
use chrono::Weekday;
use common::{Backend, COUNTIES, at, backend_tests, mazandaran_source};
use setad::domain::Lang;
use setad::domain::calendar::Period;
use setad::domain::member::Role;
use setad::domain::summary::Standing;
use setad::service::import::{ImportError, ProblemKind, import};
use setad::service::invite::{InviteError, find_unit};
use setad::service::{occurrence, summary, work_calendar};
use setad::store::{ReportInput, Store};

const TABLES: [&str; 6] = [
    "unit",
    "obligation",
    "assignment",
    "holiday",
    "audit",
    "invite",
];

async fn counts(store: &Store) -> Vec<i64> {
    let mut out = Vec::new();
    for t in TABLES {
        out.push(store.count(t).await.unwrap());
    }
    out
}

/// Everything an import writes, as comparable values (timestamps included through `audit`).
async fn snapshot(store: &Store) -> String {
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        store.units().await.unwrap(),
        store.obligations().await.unwrap(),
        store.assignments().await.unwrap(),
        store.holidays().await.unwrap(),
        counts(store).await,
    )
}

backend_tests!(importing_the_same_file_twice_changes_nothing);
async fn importing_the_same_file_twice_changes_nothing(backend: Backend) {
    let source = mazandaran_source();
    let db = backend.open().await;
    let first = import(&db.store, &source, 1_000)
        .await
        .expect("first import");
    assert_eq!(
        first.units.inserted as usize,
        db.store.units().await.unwrap().len()
    );
    assert!(first.changed_anything());
    let counties = db
        .store
        .units()
        .await
        .unwrap()
        .into_iter()
        .filter(|u| u.kind == UnitKind::County)
        .count();
    assert_eq!(counties, 22, "{}", db.store.backend());
    let before = snapshot(&db.store).await;
    let second = import(&db.store, &source, 2_000)
        .await
        .expect("second import");
    assert!(!second.changed_anything(), "{second:?}");
    assert_eq!(second.units.unchanged, first.units.inserted);
    assert_eq!(snapshot(&db.store).await, before, "{}", db.store.backend());
}

backend_tests!(a_file_with_errors_is_refused_with_line_numbers_and_changes_nothing);
async fn a_file_with_errors_is_refused_with_line_numbers_and_changes_nothing(backend: Backend) {
    let good = mazandaran_source();
    // Break a parent reference on a known line.
    let (line_no, line) = good
        .lines()
        .enumerate()
        .find(|(_, l)| l.trim() == "parent = \"amol\"")
        .expect("a unit under amol");
    let bad: String = good
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == line_no {
                "parent = \"amoll\""
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert_ne!(line, "parent = \"amoll\"");
    let db = backend.open().await;
    let Err(ImportError::Invalid(problems)) = import(&db.store, &bad, 1_000).await else {
        panic!("the broken file was accepted");
    };
    assert!(
        problems.iter().any(
            |p| matches!(&p.kind, ProblemKind::UnknownParent { parent, .. } if parent == "amoll")
        ),
        "{problems:?}"
    );
    // The problem is reported at the entry that holds the broken line.
    let p = problems
        .iter()
        .find(|p| matches!(p.kind, ProblemKind::UnknownParent { .. }))
        .unwrap();
    assert!(
        p.line <= line_no + 1 && p.line + 6 > line_no,
        "line {} vs {}",
        p.line,
        line_no + 1
    );
    assert_eq!(
        counts(&db.store).await,
        vec![0; TABLES.len()],
        "{}",
        db.store.backend()
    );

    // A problem found only against the database rolls back the whole transaction: the
    // rename earlier in the same file must not stay.
    import(&db.store, &good, 1_000).await.unwrap();
    let before = snapshot(&db.store).await;
    let renamed_and_broken = good.replacen("name = \"آمل\"", "name = \"آمل تازه\"", 1).replacen(
        "[[quota]]\nobligation = \"R2\"\nunit = \"",
        "[[quota]]\nobligation = \"R2\"\nunit = \"amol\"\ntarget = 5\n\n[[quota]]\nobligation = \"R2\"\nunit = \"",
        1,
    );
    assert_ne!(renamed_and_broken, good, "the test's edits did not apply");
    let Err(ImportError::Invalid(problems)) = import(&db.store, &renamed_and_broken, 3_000).await
    else {
        panic!("a quota for a unit R2 is not assigned to was accepted");
    };
    assert!(
        problems.iter().any(
            |p| matches!(&p.kind, ProblemKind::QuotaNotAssigned { unit, .. } if unit == "amol")
        ),
        "{problems:?}"
    );
    assert_eq!(snapshot(&db.store).await, before, "{}", db.store.backend());
}

#[tokio::test]
async fn syntax_errors_carry_their_line() {
    let db = common::sqlite().await;
    let source = "[[unit]]\nkey = \"mazandaran\"\nkind = \"province\"\nname = \"x\"\n\n[[unit]]\nkey = \"a\"\nkind = \"county\"\nname = \n";
    let Err(ImportError::Invalid(problems)) = import(&db.store, source, 0).await else {
        panic!()
    };
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].line, 9, "{problems:?}");
    assert!(matches!(problems[0].kind, ProblemKind::Syntax(_)));
    let unknown_field =
        "[[unit]]\nkey = \"m\"\nkind = \"province\"\nname = \"x\"\ncolour = \"red\"\n";
    let Err(ImportError::Invalid(problems)) = import(&db.store, unknown_field, 0).await else {
        panic!()
    };
    assert!(
        setad::render::problem(Lang::En, &problems[0].kind).contains("colour"),
        "{problems:?}"
    );
    assert_eq!(db.store.count("unit").await.unwrap(), 0);
}

backend_tests!(unknown_unit_names_get_the_closest_matches);
async fn unknown_unit_names_get_the_closest_matches(backend: Backend) {
    let db = backend.open().await;
    import(&db.store, &mazandaran_source(), 0).await.unwrap();
    // Arabic yeh and kaf, a missing half-space, Persian digits: all found.
    let governor = Some(Role::Governor);
    assert_eq!(
        find_unit(&db.store, "ساري", governor).await.unwrap().key,
        "sari"
    );
    assert_eq!(
        find_unit(&db.store, "عباس آباد", governor)
            .await
            .unwrap()
            .key,
        "abbasabad"
    );
    assert_eq!(
        find_unit(&db.store, "babol", None).await.unwrap().name,
        "بابل"
    );
    // The county and the town of Sari share a name: the role tells them apart.
    assert_eq!(
        find_unit(&db.store, "ساری", Some(Role::Agency))
            .await
            .unwrap()
            .key,
        "sari-city"
    );
    match find_unit(&db.store, "ساری", None).await {
        Err(InviteError::Ambiguous { keys, .. }) => assert_eq!(keys, ["sari", "sari-city"]),
        other => panic!("{other:?}"),
    }
    match find_unit(&db.store, "بابلسار", governor).await {
        Err(InviteError::UnknownUnit { suggestions, .. }) => {
            assert_eq!(
                suggestions.first().map(String::as_str),
                Some("بابلسر"),
                "{suggestions:?}"
            )
        }
        other => panic!("{other:?}"),
    }
    match find_unit(&db.store, "قزوین", governor).await {
        Err(InviteError::UnknownUnit { suggestions, .. }) => assert!(suggestions.len() <= 5),
        other => panic!("{other:?}"),
    }
}

backend_tests!(the_summary_counts_reports_and_the_workbook_has_a_row_per_county);
async fn the_summary_counts_reports_and_the_workbook_has_a_row_per_county(backend: Backend) {
    let db = backend.open().await;
    let store = &db.store;
    import(store, &mazandaran_source(), 0).await.unwrap();
    let tz = chrono_tz::Asia::Tehran;
    let cal = work_calendar(store, &[Weekday::Fri]).await.unwrap();
    let period = Period::new(1405, 9).unwrap();
    // 1405/09/10 (2026-12-01): everything is pending.
    let early = summary::build(store, period, &cal, tz, at("2026-12-01T08:00:00Z"))
        .await
        .unwrap();
    let r3 = early
        .obligations
        .iter()
        .find(|o| o.key == "R3")
        .expect("R3 in the summary");
    assert_eq!(r3.totals.assigned, 22);
    assert_eq!(r3.totals.pending, 22);
    assert_eq!(r3.due.map(|d| d.to_string()), Some("1405/09/25".to_owned()));

    // That summary was planned in memory: no occurrence was created. The tick creates them.
    assert_eq!(store.count("occurrence").await.unwrap(), 0);
    occurrence::ensure_period(store, period, &cal, tz, at("2026-12-01T08:00:00Z"))
        .await
        .unwrap();
    // Two counties report: Amol on time, Babol after the due date (1405/09/25 = 2026-12-16).
    let units = store.units().await.unwrap();
    let rows = store.period_rows(140509).await.unwrap();
    let r3_id = store
        .obligations()
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.key == "R3")
        .unwrap()
        .obligation_id;
    let occurrence_of = |key: &str| {
        let unit = units.iter().find(|u| u.key == key).unwrap();
        rows.iter()
            .find(|r| r.unit_id == unit.unit_id && r.obligation_id == r3_id)
            .unwrap()
            .occurrence_id
    };
    let report = |insured| ReportInput {
        body: "جلسه برگزار شد".into(),
        held: Some(true),
        insured: Some(insured),
        attendees: Some(12),
        ..ReportInput::default()
    };
    let mut tx = store.begin().await.unwrap();
    tx.save_report(
        occurrence_of("amol"),
        &report(35),
        at("2026-12-05T08:00:00Z").timestamp(),
    )
    .await
    .unwrap();
    tx.save_report(
        occurrence_of("babol"),
        &report(5),
        at("2026-12-18T08:00:00Z").timestamp(),
    )
    .await
    .unwrap();
    // A correction replaces the current content and keeps the first version.
    tx.save_report(
        occurrence_of("amol"),
        &report(36),
        at("2026-12-06T08:00:00Z").timestamp(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.count("report").await.unwrap(), 2);
    assert_eq!(store.count("report_revision").await.unwrap(), 3);

    let late = summary::build(store, period, &cal, tz, at("2026-12-20T08:00:00Z"))
        .await
        .unwrap();
    let r3 = late.obligations.iter().find(|o| o.key == "R3").unwrap();
    assert_eq!(
        (
            r3.totals.reported,
            r3.totals.late,
            r3.totals.missing,
            r3.totals.pending
        ),
        (2, 1, 20, 0)
    );
    assert_eq!(r3.totals.insured, 41);
    let amol = r3.lines.iter().find(|l| l.name == "آمل").unwrap();
    assert_eq!(amol.standing, Standing::Reported);
    let babol = r3.lines.iter().find(|l| l.name == "بابل").unwrap();
    assert_eq!(babol.standing, Standing::Late);
    // The previous month (planned, never created) had no reports.
    assert_eq!(r3.previous.map(|p| p.reported), Some(0));
    // R2's quotas roll up to the province.
    let r2 = late.obligations.iter().find(|o| o.key == "R2").expect("R2");
    assert_eq!(
        r2.quota.first().map(|n| n.name.as_str()),
        Some("استانداری مازندران")
    );
    assert!(r2.quota[0].target > 0);

    // The workbook: sheet R3 has the header and one row per county.
    let bytes = setad::render::summary_xlsx(&late, Lang::Fa).unwrap();
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("the workbook opens");
    let sheet = workbook.worksheet_range("R3").expect("sheet R3");
    let names: BTreeSet<String> = sheet.rows().skip(1).map(|r| r[2].to_string()).collect();
    assert_eq!(sheet.rows().count(), 23);
    assert_eq!(names, COUNTIES.iter().map(|s| s.to_string()).collect());
    let amol_row = sheet.rows().find(|r| r[2] == "آمل").unwrap();
    assert_eq!(amol_row[7].to_string(), "36");

    let text = setad::render::summary_text(&late, Lang::Fa);
    assert!(text.contains("آذر ۱۴۰۵"), "{text}");
    let csv = setad::render::summary_csv(&late, Lang::En);
    assert_eq!(csv.lines().filter(|l| l.contains(",R3,")).count(), 22);
}

backend_tests!(occurrences_are_created_once);
async fn occurrences_are_created_once(backend: Backend) {
    let db = backend.open().await;
    import(&db.store, &mazandaran_source(), 0).await.unwrap();
    let cal = work_calendar(&db.store, &[Weekday::Fri]).await.unwrap();
    let period = Period::new(1405, 9).unwrap();
    let now = at("2026-12-01T08:00:00Z");
    let n = occurrence::ensure_period(&db.store, period, &cal, chrono_tz::Asia::Tehran, now)
        .await
        .unwrap();
    let stored = db.store.count("occurrence").await.unwrap();
    assert!(stored > 0);
    assert_eq!(n as i64, stored);
    let again = occurrence::ensure_period(&db.store, period, &cal, chrono_tz::Asia::Tehran, now)
        .await
        .unwrap();
    assert_eq!(again, 0, "nothing is created twice");
    assert_eq!(db.store.count("occurrence").await.unwrap(), stored);
}

backend_tests!(the_cached_summary_always_equals_a_full_build);
/// The cached summary, patched from the reports that changed, is always the one a full
/// build makes: after new reports, a late one, a correction, a report on last month and quota
/// progress earlier in the year; and it is the same object when nothing changed.
async fn the_cached_summary_always_equals_a_full_build(backend: Backend) {
    let db = backend.open().await;
    let store = &db.store;
    import(store, &mazandaran_source(), 0).await.unwrap();
    let tz = chrono_tz::Asia::Tehran;
    let cal = work_calendar(store, &[Weekday::Fri]).await.unwrap();
    let period = Period::new(1405, 9).unwrap();
    let now = at("2026-12-10T08:00:00Z");
    // The tick created this month's and last month's occurrences; an earlier month of the
    // year has occurrences too (quota progress counts from Farvardin).
    for month in [3, 8, 9] {
        occurrence::ensure_period(store, Period::new(1405, month).unwrap(), &cal, tz, now)
            .await
            .unwrap();
    }
    let cache = summary::SummaryCache::default();
    let cached = async || {
        summary::build_cached(&cache, store, period, &cal, tz, now)
            .await
            .unwrap()
    };
    let full = async || summary::build(store, period, &cal, tz, now).await.unwrap();
    let first = cached().await;
    // A summary creates nothing: the next one is the same.
    let second = cached().await;
    assert!(std::sync::Arc::ptr_eq(&first, &second), "nothing changed");
    assert_eq!(*second, full().await);
    let third = cached().await;
    assert!(std::sync::Arc::ptr_eq(&second, &third), "nothing changed");
    assert_eq!(*first, *second);

    // Reports on this month, last month and an earlier month of the year, of every shape.
    let mut rows = store.period_rows(140509).await.unwrap();
    rows.extend(store.period_rows(140508).await.unwrap());
    rows.extend(store.period_rows(140503).await.unwrap());
    assert!(rows.len() > 200);
    let loads = cache.full_loads();
    for (i, row) in rows.iter().enumerate().filter(|(i, _)| i % 7 == 0) {
        let mut tx = store.begin().await.unwrap();
        let input = ReportInput {
            body: format!("گزارش {i}"),
            held: Some(i % 2 == 0),
            attendees: Some(i as i64),
            insured: Some((i % 11) as i64),
            ..ReportInput::default()
        };
        tx.save_report(row.occurrence_id, &input, now.timestamp() + i as i64)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        if i % 3 == 0 {
            assert_eq!(*cached().await, full().await, "after report {i}");
        }
    }
    let before = cached().await;
    assert_eq!(*before, full().await);
    // Corrections: second versions of two reports.
    let mut tx = store.begin().await.unwrap();
    tx.save_report(
        rows[0].occurrence_id,
        &ReportInput {
            body: "برگزار نشد".into(),
            held: Some(false),
            ..ReportInput::default()
        },
        now.timestamp(),
    )
    .await
    .unwrap();
    tx.save_report(
        rows[7].occurrence_id,
        &ReportInput {
            body: "اصلاح".into(),
            insured: Some(40),
            ..ReportInput::default()
        },
        now.timestamp(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let after = cached().await;
    assert_ne!(*after, *before, "the corrections show");
    assert_eq!(*after, full().await);
    assert_eq!(
        cache.full_loads(),
        loads,
        "reports are read again, not everything"
    );
}

/// PostgreSQL hands out ids in one order and commits them in another: the mark of the data a
/// cached summary is checked against must not be read while a writer holding a lower id is in
/// flight, or that writer's report would never show. The mark waits for the writers.
#[tokio::test]
#[cfg_attr(not(setad_postgres), ignore = "SETAD_TEST_POSTGRES_URL is not set")]
async fn the_summary_mark_waits_for_writers_in_flight_on_postgres() {
    let db = common::postgres().await;
    let Store::Postgres(pool) = &db.store else {
        unreachable!("common::postgres opens a PostgreSQL store");
    };
    let store = &db.store;
    import(store, &mazandaran_source(), 0).await.unwrap();
    let cal = work_calendar(store, &[Weekday::Fri]).await.unwrap();
    let period = Period::new(1405, 9).unwrap();
    let now = at("2026-12-10T08:00:00Z");
    occurrence::ensure_period(store, period, &cal, chrono_tz::Asia::Tehran, now)
        .await
        .unwrap();
    let rows = store.period_rows(140509).await.unwrap();
    let report = ReportInput {
        body: "برگزار شد".into(),
        ..ReportInput::default()
    };
    // A writer takes a revision id and has not committed yet.
    let mut slow = store.begin().await.unwrap();
    slow.save_report(rows[0].occurrence_id, &report, now.timestamp())
        .await
        .unwrap();
    // Someone reads the mark meanwhile: it waits (its lock request is seen waiting).
    let reader = {
        let store = store.clone();
        tokio::spawn(async move { store.summary_mark().await.unwrap() })
    };
    let mut seen_waiting = false;
    for _ in 0..10_000 {
        let (waiting,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted \
             AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        if waiting > 0 {
            seen_waiting = true;
            break;
        }
        tokio::task::yield_now().await;
    }
    assert!(seen_waiting, "the mark did not wait for the writer");
    slow.commit().await.unwrap();
    let mark = reader.await.unwrap();
    let (latest,): (i64,) = sqlx::query_as("SELECT MAX(report_revision_id) FROM report_revision")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(
        mark.revision, latest,
        "the mark includes the writer's revision"
    );
}

backend_tests!(members_are_read_many_at_once_with_the_reminder_each_replies_to);
async fn members_are_read_many_at_once_with_the_reminder_each_replies_to(backend: Backend) {
    use setad::domain::member::Platform;
    use setad::store::Outcome;
    let db = backend.open().await;
    let store = &db.store;
    let chats = common::populate(store, 1).await;
    let config = setad::service::tick::TickConfig {
        tz: chrono_tz::Asia::Tehran,
        weekend: vec![Weekday::Fri],
        compose: setad::render::composer(),
    };
    // 1405/09/01 09:30: the month's reminders are queued, then sent with message ids.
    let now = at("2026-11-22T06:00:00Z");
    setad::service::tick::tick(store, &config, now)
        .await
        .unwrap();
    let ms = now.timestamp_millis();
    let sent = store
        .claim(Platform::Telegram, "t", ms, 60_000, 1_000)
        .await
        .unwrap();
    let outcomes: Vec<Outcome> = sent
        .iter()
        .map(|c| Outcome::Sent {
            outbox_id: c.outbox_id,
            message_id: Some(c.outbox_id + 50_000),
            sent_at: ms,
        })
        .collect();
    store.record(&outcomes, now.timestamp()).await.unwrap();
    let (amol, sari) = (chats["amol"][0], chats["sari"][0]);
    let reminder = sent
        .iter()
        .find(|c| c.chat_id == amol && c.body.contains("(R3)"))
        .unwrap();
    let amol_member = store
        .member_by_user(Platform::Telegram, amol)
        .await
        .unwrap()
        .unwrap();
    let r3 = store
        .unit_occurrences(amol_member.unit_id, 140509, 140509)
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.key == "R3")
        .unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.set_member_state(amol_member.member_id, Some("{}"), now.timestamp())
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let lookups = [
        (amol, Some((amol, reminder.outbox_id + 50_000))),
        (sari, None),
        (999_999, None),
        (sari + 1, Some((sari + 1, 1))),
    ];
    let found = store
        .members_and_states(Platform::Telegram, &lookups)
        .await
        .unwrap();
    let users: BTreeSet<i64> = found.iter().map(|((u, _), _)| *u).collect();
    assert_eq!(
        users,
        BTreeSet::from([amol, sari]),
        "non-members are left out"
    );
    for (lookup, got) in &found {
        assert_eq!(got.member.user_id, lookup.0);
        // The same as one at a time.
        let one = store
            .member_and_state(Platform::Telegram, lookup.0, lookup.1)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(&one, got);
    }
    let of = |user: i64| &found.iter().find(|((u, _), _)| *u == user).unwrap().1;
    assert_eq!(of(amol).replied.as_ref(), Some(&r3));
    assert_eq!(of(amol).state.as_deref(), Some("{}"));
    assert_eq!(
        (of(sari).replied.clone(), of(sari).state.clone()),
        (None, None)
    );
}

/// The rows of every table of the schema, for "nothing was written".
async fn every_count(store: &Store) -> Vec<(&'static str, i64)> {
    let mut out = Vec::new();
    for t in Store::TABLES {
        out.push((t, store.count(t).await.unwrap()));
    }
    out
}

/// A database of `backend` with the data file imported on 1405/09/01 (when its obligations
/// without a start came into the bot), and no occurrence created.
async fn imported_on_azar_1st(backend: Backend) -> common::TestDb {
    let db = backend.open().await;
    let imported = at("2026-11-22T05:00:00Z").timestamp();
    import(&db.store, &mazandaran_source(), imported)
        .await
        .unwrap();
    db
}

backend_tests!(summaries_and_exports_of_any_period_write_nothing);
/// Summaries and their exports only read: a sweep of 11 years of months, on a fresh import
/// with no occurrence created, leaves every table as it was. The months before the data's
/// first obligation (R9's start, 1397/05/03) and after next month are outside the span; the
/// next month, which the tick has not created, shows every county as due, as it will be.
async fn summaries_and_exports_of_any_period_write_nothing(backend: Backend) {
    let db = imported_on_azar_1st(backend).await;
    let store = &db.store;
    // Today is 1405/09/10.
    let tz = chrono_tz::Asia::Tehran;
    let cal = work_calendar(store, &[Weekday::Fri]).await.unwrap();
    let now = at("2026-12-01T08:00:00Z");
    let before = every_count(store).await;
    assert_eq!(store.count("occurrence").await.unwrap(), 0);

    let span = summary::span(store, tz, now).await.unwrap();
    let p = |y, m| Period::new(y, m).unwrap();
    assert_eq!((span.first, span.last), (p(1397, 5), p(1405, 10)));
    let cache = summary::SummaryCache::default();
    let mut built = 0;
    for i in 0..132 {
        let period = p(1396, 1).offset(i);
        let Ok(period) = span.check(period) else {
            assert!(period < p(1397, 5) || period > p(1405, 10), "{period}");
            continue;
        };
        let s = summary::build_cached(&cache, store, period, &cal, tz, now)
            .await
            .unwrap();
        setad::render::summary_text(&s, Lang::Fa);
        setad::render::summary_csv(&s, Lang::En);
        if i % 12 == 0 {
            setad::render::summary_xlsx(&s, Lang::Fa).unwrap();
        }
        built += 1;
    }
    assert_eq!(built, 102);
    for far in [p(1200, 1), p(1300, 1), p(1397, 4), p(1405, 11), p(1600, 12)] {
        let out = span.check(far).unwrap_err();
        assert_eq!((out.period, out.span), (far, span));
    }
    assert_eq!(every_count(store).await, before, "a read wrote");

    // R9 (within a month of 1397/05/03) was due from the small towns in Shahrivar 1397, and
    // nobody reported: they are missing, as the month's occurrences would have them.
    let shahrivar = summary::build(store, p(1397, 6), &cal, tz, now)
        .await
        .unwrap();
    let r9 = shahrivar
        .obligations
        .iter()
        .find(|o| o.key == "R9")
        .unwrap();
    assert!(r9.totals.assigned > 0 && r9.totals.missing == r9.totals.assigned);

    // Next month, not created yet: every county is due on 1405/10/26 (the 25th is a Friday),
    // nothing missing yet.
    let dey = summary::build(store, p(1405, 10), &cal, tz, now)
        .await
        .unwrap();
    let r3 = dey.obligations.iter().find(|o| o.key == "R3").unwrap();
    assert_eq!((r3.totals.assigned, r3.totals.pending), (22, 22));
    assert_eq!(r3.due.map(|d| d.to_string()), Some("1405/10/26".to_owned()));
    let counties: BTreeSet<&str> = r3.lines.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(counties, COUNTIES.into_iter().collect());
    assert_eq!(every_count(store).await, before, "a read wrote");

    // Once the tick creates the month, the summary is the one planned before, at any time.
    for when in [now, at("2027-01-20T08:00:00Z")] {
        let planned = summary::build(store, p(1405, 10), &cal, tz, when)
            .await
            .unwrap();
        occurrence::ensure_period(store, p(1405, 10), &cal, tz, now)
            .await
            .unwrap();
        let created = summary::build(store, p(1405, 10), &cal, tz, when)
            .await
            .unwrap();
        assert_eq!(planned, created, "{when}");
    }
    assert!(store.count("occurrence").await.unwrap() > 0);
}

backend_tests!(a_member_is_refused_a_summary_outside_the_span_and_nothing_is_written);
/// The service the bot calls: a period outside the span is withheld (nothing read into a
/// summary, nothing written); `/overdue` in the data's first month leaves out the month
/// before it rather than refusing.
async fn a_member_is_refused_a_summary_outside_the_span_and_nothing_is_written(backend: Backend) {
    let db = imported_on_azar_1st(backend).await;
    let store = &db.store;
    common::add_member(store, 2000, "dg-political", Role::Staff, "کارشناس").await;
    let staff = store
        .member_by_user(setad::domain::member::Platform::Telegram, 2000)
        .await
        .unwrap()
        .unwrap();
    let svc = setad::service::Services::new(
        store.clone(),
        chrono_tz::Asia::Tehran,
        vec![Weekday::Fri],
        setad::render::composer(),
    );
    let now = at("2026-12-01T08:00:00Z");
    let before = every_count(store).await;
    let p = |y, m| Period::new(y, m).unwrap();
    for (period, shown) in [
        (p(1300, 1), false),
        (p(1397, 4), false),
        (p(1397, 5), true),
        (p(1405, 10), true),
        (p(1405, 11), false),
    ] {
        match summary::for_member(&svc, &staff, period, now)
            .await
            .unwrap()
        {
            Ok(s) => assert!(shown && s.period == period, "{period}"),
            Err(summary::Withheld::OutOfSpan(out)) => {
                assert!(!shown, "{period}");
                assert_eq!(out.period, period);
                assert_eq!((out.span.first, out.span.last), (p(1397, 5), p(1405, 10)));
            }
            Err(other) => panic!("{period}: {other:?}"),
        }
    }
    // In Mordad 1397, the data's first month, Tir is not in the span: left out.
    let mordad = at("2018-08-01T08:00:00Z");
    let overdue = summary::overdue_for_member(&svc, &staff, mordad)
        .await
        .unwrap()
        .unwrap();
    assert!(
        overdue.iter().all(|o| o.period == p(1397, 5)),
        "{overdue:?}"
    );
    assert_eq!(every_count(store).await, before, "a read wrote");
}
