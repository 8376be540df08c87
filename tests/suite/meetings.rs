//! The next meeting's resolutions (issue 10): a second meeting's data file imported over the
//! first, on SQLite and on PostgreSQL (ignored unless `SETAD_TEST_POSTGRES_URL` was set when
//! the tests were built). Its dry run shows the plan and changes nothing; the import retires
//! R3 (no more reminders, nudges or escalations, its past months still summarised), changes R1
//! and adds R10, which reminds from its start and not before; summaries group the obligations
//! by meeting and show each one's share done since its adoption.
//!
//! One governor per county, a staff member of the political directorate and a fund manager
//! (`common::populate`).

use crate::common;

use std::io::Cursor;

use calamine::{Reader, Xlsx};

use common::{Backend, at, backend_tests, populate, second_meeting, tick_config};
use setad::domain::Lang;
use setad::domain::calendar::{JalaliDate, Period};
use setad::domain::member::Platform;
use setad::service::import::{Change, ImportError, ObligationChange, ProblemKind, dry_run, import};
use setad::service::schedule::{self, ScheduleQuery};
use setad::service::tick::tick;
use setad::service::{summary, work_calendar};
use setad::store::{Outcome, ReportInput, Store};

/// Everything an import may write, and every occurrence and queued message, as one value.
async fn snapshot(store: &Store) -> String {
    let mut counts = Vec::new();
    for table in ["meeting", "audit", "occurrence", "outbox", "report"] {
        counts.push(store.count(table).await.unwrap());
    }
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{counts:?}",
        store.meetings().await.unwrap(),
        store.obligations().await.unwrap(),
        store.assignments().await.unwrap(),
        store.units().await.unwrap(),
    )
}

/// The kinds and bodies of the messages queued and not yet sent (put back after reading).
async fn queued(store: &Store) -> Vec<(String, String)> {
    let rows = store
        .claim_waiting(Platform::Telegram, "test", 10_000)
        .await
        .unwrap();
    store.release_claims(Some("test"), 0).await.unwrap();
    let messages = rows
        .into_iter()
        .map(|r| (r.kind.as_str().to_owned(), r.body));
    messages.collect()
}

/// Marks every queued message sent.
async fn send_all(store: &Store) {
    let claimed = store
        .claim_waiting(Platform::Telegram, "sender", 10_000)
        .await
        .unwrap();
    let sent_at = at("2026-11-22T05:31:00Z").timestamp_millis();
    let outcomes: Vec<Outcome> = claimed
        .iter()
        .map(|m| Outcome::Sent {
            outbox_id: m.outbox_id,
            message_id: Some(m.outbox_id),
            sent_at,
        })
        .collect();
    store.record(&outcomes, sent_at).await.unwrap();
}

/// The keys of the obligations with occurrences in `period`.
async fn obligations_in(store: &Store, period: i64) -> Vec<String> {
    let keys: std::collections::HashMap<i64, String> = store
        .obligations()
        .await
        .unwrap()
        .into_iter()
        .map(|o| (o.obligation_id, o.key))
        .collect();
    let mut found: Vec<String> = store
        .period_rows(period)
        .await
        .unwrap()
        .iter()
        .map(|r| keys[&r.obligation_id].clone())
        .collect();
    found.sort();
    found.dedup();
    found
}

backend_tests!(a_second_meeting_retires_changes_and_adds_obligations);
async fn a_second_meeting_retires_changes_and_adds_obligations(backend: Backend) {
    let db = backend.open().await;
    let store = &db.store;
    populate(store, 1).await;
    let second = second_meeting();

    // Azar 1405 under the first file: the 22 R3 reminders (1405/09/01 09:00 Tehran); the tick
    // also creates Dey's occurrences ahead. Amol and Sari report R3 on time, held.
    let r = tick(store, &tick_config(), at("2026-11-22T05:30:00Z")).await;
    assert_eq!(r.unwrap().reminders, 22);
    assert!(obligations_in(store, 140510).await.contains(&"R3".into()));
    let units = store.units().await.unwrap();
    let rows = store.period_rows(140509).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    for key in ["amol", "sari"] {
        let unit = units.iter().find(|u| u.key == key).unwrap().unit_id;
        let occ = rows.iter().find(|r| r.unit_id == unit).unwrap();
        let input = ReportInput {
            body: "برگزار شد".into(),
            held: Some(true),
            ..ReportInput::default()
        };
        let ts = at("2026-11-30T08:00:00Z").timestamp();
        tx.save_report(occ.occurrence_id, &input, ts).await.unwrap();
    }
    tx.commit().await.unwrap();
    send_all(store).await; // so that what is queued later is new

    // The dry run shows the plan and changes nothing.
    let now = at("2026-12-05T08:00:00Z").timestamp();
    let before = snapshot(store).await;
    let plan = dry_run(store, &second, now).await.expect("dry run");
    assert_eq!(snapshot(store).await, before, "a dry run changes nothing");
    let period = |y, m| Some(Period::new(y, m).unwrap());
    let change = |change, key: &str, title: &str, from, until| ObligationChange {
        change,
        key: key.into(),
        title: title.into(),
        from,
        until,
    };
    let expected = vec![
        change(
            Change::Changed,
            "R1",
            "برگزاری نشست ماهانه کارگروه ویژه و گزارش به استاندار",
            None,
            None,
        ),
        change(
            Change::Retired,
            "R3",
            "برگزاری جلسه ماهانه ستاد راهبردی شهرستان",
            period(1397, 5),
            period(1405, 9),
        ),
        change(
            Change::Added,
            "R10",
            "گزارش بیمه‌شدگان تازه در جلسه شهرستان",
            period(1405, 11),
            None,
        ),
    ];
    assert_eq!(plan.plan, expected);
    assert_eq!((plan.meetings.inserted, plan.obligations.inserted), (2, 1));

    // The import applies the same plan; again, it changes nothing more.
    let applied = import(store, &second, now).await.expect("import");
    assert_eq!(applied, plan);
    let again = import(store, &second, now + 60).await.unwrap();
    assert!(!again.changed_anything(), "{again:?}");
    assert!(again.plan.is_empty());

    // The rest of Azar: R3 is still in force, the silent 20 are nudged (1405/09/22) and
    // escalated.
    let r = tick(store, &tick_config(), at("2026-12-13T05:30:00Z")).await;
    assert_eq!(r.unwrap().nudges, 20);
    // 1405/09/26: the 20 missing escalated, to the political directorate and the fund.
    tick(store, &tick_config(), at("2026-12-17T05:30:00Z"))
        .await
        .unwrap();
    let escalations = queued(store).await;
    let r3 = escalations
        .iter()
        .filter(|(k, b)| k == "escalate" && b.contains("R3"));
    assert_eq!(r3.count(), 2, "{escalations:?}");
    send_all(store).await;

    // Dey: R3 is retired (its occurrences created ahead are gone) and R10 not yet in force:
    // no reminder, nudge or escalation for either, all month long (the other obligations
    // escalate to the fund as before).
    assert!(!obligations_in(store, 140510).await.contains(&"R3".into()));
    for instant in [
        "2026-12-22T05:30:00Z", // 1405/10/01 09:00
        "2026-12-23T05:30:00Z",
        "2027-01-12T05:30:00Z", // the nudge, 1405/10/22
        "2027-01-16T05:30:00Z", // past the due date: escalations
    ] {
        let r = tick(store, &tick_config(), at(instant)).await.unwrap();
        // (Azar's escalations of other obligations that fell due more than a day before the
        // first instant are recorded as missed: an escalation is useful for a day.)
        let sent = (r.reminders, r.nudges);
        assert_eq!(sent, (0, 0), "{instant}: {r:?}");
    }
    let dey = obligations_in(store, 140510).await;
    assert!(
        !dey.contains(&"R3".into()) && !dey.contains(&"R10".into()),
        "{dey:?}"
    );
    let messages = queued(store).await;
    assert!(
        messages.iter().any(|(k, _)| k == "escalate"),
        "{messages:?}"
    );
    let named = |b: &str| b.contains("R3") || b.contains("R10");
    assert!(!messages.iter().any(|(_, b)| named(b)), "{messages:?}");
    send_all(store).await;

    // Bahman: R10 reminds every county from its start; R3 still sends nothing.
    let r = tick(store, &tick_config(), at("2027-01-21T05:30:00Z"))
        .await
        .unwrap();
    assert_eq!(r.reminders, 22, "{r:?}");
    let messages = queued(store).await;
    let reminders: Vec<&String> = messages
        .iter()
        .filter(|(k, _)| k == "remind")
        .map(|(_, b)| b)
        .collect();
    assert_eq!(reminders.len(), 22);
    assert!(reminders.iter().all(|b| b.contains("R10")), "{reminders:?}");
    assert!(
        !messages.iter().any(|(_, b)| b.contains("R3")),
        "{messages:?}"
    );
    assert!(!obligations_in(store, 140511).await.contains(&"R3".into()));

    // Azar still summarises R3 with its reports, under its meeting, with its share since
    // adoption: 2 held on time of the 22 due.
    let cal = work_calendar(store, &tick_config().weekend).await.unwrap();
    let tz = chrono_tz::Asia::Tehran;
    let later = at("2027-01-21T06:00:00Z");
    let azar = summary::build(store, Period::new(1405, 9).unwrap(), &cal, tz, later)
        .await
        .unwrap();
    let r3 = azar.obligations.iter().find(|o| o.key == "R3").expect("R3");
    assert_eq!(r3.totals.reported, 2);
    let adoption = r3.adoption.as_ref().expect("adopted by a meeting");
    assert_eq!(adoption.meeting.key, "1397-05");
    assert_eq!(
        (adoption.done, adoption.due, adoption.percent()),
        (2, 22, Some(9))
    );
    let r1 = azar.obligations.iter().find(|o| o.key == "R1").expect("R1");
    assert_eq!(r1.adoption, None, "R1 names no meeting");
    let text = setad::render::summary_text(&azar, Lang::En);
    let heading = text
        .find("Resolutions of the meeting 1397-05")
        .expect(&text);
    let none = text
        .find("Resolutions of no recorded meeting")
        .expect(&text);
    assert!(
        none < heading && heading < text.find("■ R3").unwrap(),
        "{text}"
    );
    assert!(
        text.contains("Done since adoption: 2 of 22 due (9%)"),
        "{text}"
    );
    let csv = setad::render::summary_csv(&azar, Lang::En);
    let header = csv.lines().next().unwrap();
    assert!(
        header.ends_with("Meeting,Done since adoption (%)"),
        "{header}"
    );
    assert!(
        csv.lines()
            .any(|l| l.contains(",R3,") && l.ends_with(",1397-05,9"))
    );
    // The workbook: the sheets in the same order (R3's meeting last), the meeting columns.
    let bytes = setad::render::summary_xlsx(&azar, Lang::En).unwrap();
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("the workbook opens");
    let sheets = workbook.sheet_names();
    assert_eq!(sheets.last().map(String::as_str), Some("R3"), "{sheets:?}");
    let sheet = workbook.worksheet_range("R3").expect("sheet R3");
    let header: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(
        header[header.len() - 2..],
        ["Meeting", "Done since adoption (%)"]
    );
    let amol = sheet.rows().find(|r| r[2] == "آمل").unwrap();
    assert_eq!(
        (amol[9].to_string(), amol[10].to_string()),
        ("1397-05".into(), "9".into())
    );

    // Bahman: R10 under the second meeting, nothing due yet; R3 absent.
    let bahman = summary::build(store, Period::new(1405, 11).unwrap(), &cal, tz, later)
        .await
        .unwrap();
    assert!(bahman.obligations.iter().all(|o| o.key != "R3"));
    let r10 = bahman.obligations.iter().find(|o| o.key == "R10").unwrap();
    let adoption = r10.adoption.as_ref().unwrap();
    assert_eq!(adoption.meeting.key, "1405-09");
    assert_eq!(adoption.percent(), None);
    // `setad schedule`'s lines: R3 up to Azar, R10 from Bahman, from Azar on for four months.
    let from = JalaliDate::new(1405, 9, 1).unwrap();
    let mut months = std::collections::BTreeMap::new();
    for key in ["R3", "R10"] {
        let query = ScheduleQuery {
            obligation: Some(key.into()),
            unit: Some("amol".into()),
        };
        let lines = schedule::upcoming(store, &cal, from, 4, &query)
            .await
            .unwrap();
        let mut periods: Vec<u8> = lines.iter().map(|l| l.due.month()).collect();
        periods.dedup();
        months.insert(key, periods);
    }
    assert_eq!(months["R3"], [9], "{months:?}");
    assert_eq!(months["R10"], [11, 12], "{months:?}");

    // A report on time patches the cached summary's share, as a full build has it.
    let cache = summary::SummaryCache::default();
    let bahman_period = Period::new(1405, 11).unwrap();
    let cached = async || {
        summary::build_cached(&cache, store, bahman_period, &cal, tz, later)
            .await
            .unwrap()
    };
    cached().await;
    let before = cached().await;
    let rows = store.period_rows(140511).await.unwrap();
    let amol = units.iter().find(|u| u.key == "amol").unwrap().unit_id;
    let occ = rows.iter().find(|r| r.unit_id == amol).unwrap();
    let mut tx = store.begin().await.unwrap();
    let input = ReportInput {
        body: "برگزار شد".into(),
        held: Some(true),
        ..ReportInput::default()
    };
    tx.save_report(occ.occurrence_id, &input, later.timestamp())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let after = cached().await;
    assert_eq!(cache.full_loads(), 1, "patched, not read again");
    let full = summary::build(store, bahman_period, &cal, tz, later)
        .await
        .unwrap();
    assert_eq!(*after, full);
    let share = |s: &setad::domain::summary::Summary| {
        let r10 = s.obligations.iter().find(|o| o.key == "R10").unwrap();
        let a = r10.adoption.as_ref().unwrap();
        (a.done, a.due, a.percent())
    };
    assert_eq!(share(&before), (0, 0, None));
    assert_eq!(share(&after), (1, 1, Some(100)));
    let text = setad::render::summary_text(&bahman, Lang::Fa);
    assert!(
        text.contains("مصوبات جلسهٔ 1405-09 در ۱۰ آذر ۱۴۰۵"),
        "{text}"
    );
}

backend_tests!(a_bad_meeting_file_is_refused_at_its_lines_and_changes_nothing);
async fn a_bad_meeting_file_is_refused_at_its_lines_and_changes_nothing(backend: Backend) {
    let db = backend.open().await;
    let store = &db.store;
    populate(store, 1).await;
    let good = second_meeting();
    let bad = good
        .replacen("date = \"1405/09/10\"", "date = \"1405/09/40\"", 1)
        .replacen("end = \"1405/09/30\"", "end = \"1396/01/01\"", 1)
        .replacen("meeting = \"1405-09\"", "meeting = \"1405-10\"", 1);
    let line_of = |needle: &str| bad.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let before = snapshot(store).await;
    for result in [dry_run(store, &bad, 0).await, import(store, &bad, 0).await] {
        let Err(ImportError::Invalid(problems)) = result else {
            panic!("accepted: {result:?}");
        };
        let found: Vec<(usize, ProblemKind)> =
            problems.into_iter().map(|p| (p.line, p.kind)).collect();
        let r3 = line_of("key = \"R3\"") - 1; // the entry's `[[obligation]]`
        let r10 = line_of("key = \"R10\"") - 1;
        let end = ProblemKind::EndBeforeStart {
            key: "R3".into(),
            start: "1397/05/03".into(),
            end: "1396/01/01".into(),
        };
        assert_eq!(
            found,
            [
                (6, ProblemKind::BadDate("1405/09/40".into())),
                (r3, end),
                (r10, ProblemKind::UnknownMeeting("1405-10".into())),
            ]
        );
        assert_eq!(snapshot(store).await, before);
    }
    let worded = setad::render::problem(
        Lang::En,
        &ProblemKind::EndBeforeStart {
            key: "R3".into(),
            start: "1397/05/03".into(),
            end: "1396/01/01".into(),
        },
    );
    assert!(
        worded.contains("R3") && worded.contains("1396/01/01"),
        "{worded}"
    );
}
