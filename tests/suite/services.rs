//! The use cases on their own, with no Bot API and no message catalogue: joining, reports by
//! reply and by `/report`, corrections, refusals, milestones, unreachable members, the digest,
//! a member's summary and its scope, and the unit of work that ties an update's effects to its
//! handled mark. Notices are worded by a recording [`Compose`] so that what the services decide
//! is seen as the typed values they decide.

use crate::common;

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use setad::domain::Lang;
use setad::domain::member::{Platform, Role};
use setad::domain::notice::{Compose, MessageKind, Notice};
use setad::domain::obligation::OccurrenceStatus;
use setad::domain::unit::UnitKind;
use setad::service::membership::{self, Joined, Person};
use setad::service::notify::{Answer, Direct, answers};
use setad::service::report::{self, Begun, Received, Replied, Submitted, Text, Tied};
use setad::service::{Services, Work, alerts, inbox, invite, summary};
use setad::store::{MemberRow, NewUpdate, Store};

use common::{at, mazandaran_source, sqlite};

/// Words every notice as its debug form and keeps a copy.
#[derive(Debug, Default)]
struct Recorder(Mutex<Vec<Notice>>);

impl Compose for Recorder {
    fn compose(&self, notice: &Notice, _lang: Lang) -> String {
        self.0.lock().unwrap().push(notice.clone());
        format!("{notice:?}")
    }
}

struct World {
    _db: common::TestDb,
    svc: Services,
    notices: Arc<Recorder>,
}

impl World {
    async fn new() -> World {
        let db = sqlite().await;
        setad::service::import::import(&db.store, &mazandaran_source(), 0)
            .await
            .unwrap();
        let notices = Arc::new(Recorder::default());
        let svc = Services::new(
            db.store.clone(),
            chrono_tz::Asia::Tehran,
            vec![chrono::Weekday::Fri],
            notices.clone(),
        );
        World {
            _db: db,
            svc,
            notices,
        }
    }

    fn store(&self) -> &Store {
        &self.svc.store
    }

    /// The scheduler's settings of this world.
    fn tick_config(&self) -> setad::service::tick::TickConfig {
        setad::service::tick::TickConfig {
            tz: self.svc.tz,
            weekend: self.svc.weekend.clone(),
            compose: self.notices.clone(),
        }
    }

    /// Joins a person with a fresh invite to `unit` as `role`. The reminders a member joining
    /// late is sent (with the welcome, by the bot) are left out of the queue unless `reminded`.
    async fn join(&self, user_id: i64, unit: &str, role: Role, now: DateTime<Utc>) -> MemberRow {
        self.join_reminded(user_id, unit, role, now, false).await
    }

    async fn join_reminded(
        &self,
        user_id: i64,
        unit: &str,
        role: Role,
        now: DateTime<Utc>,
        reminded: bool,
    ) -> MemberRow {
        let code = invite::create(self.store(), unit, role, 1, None, now, &mut rand::rng())
            .await
            .unwrap()
            .code;
        let person = person(user_id);
        let mut work = Work::new(self.store());
        let joined = membership::join(&self.svc, &mut work, &person, None, &code, now)
            .await
            .unwrap();
        if !reminded {
            work.take_before_answers();
        }
        work.commit().await.unwrap();
        assert!(matches!(joined, Joined::Joined { role: r, .. } if r == role));
        self.store()
            .member_by_user(Platform::Telegram, user_id)
            .await
            .unwrap()
            .unwrap()
    }

    /// `member` chooses this month's occurrence of `key` to report on (a `/report` button).
    async fn choose(&self, member: &MemberRow, key: &str, now: DateTime<Utc>) -> i64 {
        let tasks = report::tasks(&self.svc, member, now)
            .await
            .unwrap()
            .unwrap();
        let this_month = tasks.iter().map(|o| o.period).max().unwrap();
        let occ = tasks
            .iter()
            .find(|o| o.key == key && o.period == this_month)
            .unwrap();
        let mut work = Work::new(self.store());
        let chosen = report::choose(&self.svc, &mut work, member, occ.occurrence_id, now)
            .await
            .unwrap();
        work.commit().await.unwrap();
        assert!(chosen.is_some());
        occ.occurrence_id
    }

    /// A text from `member` in a unit of work of its own, committed.
    async fn says(
        &self,
        member: &MemberRow,
        text: &str,
        message_id: i64,
        replied: Option<(i64, Option<&str>)>,
        now: DateTime<Utc>,
    ) -> Received {
        let replied_id = replied.map(|(id, _)| (member.chat_id, id));
        let known = membership::identify(&self.svc, Platform::Telegram, member.user_id, replied_id)
            .await
            .unwrap()
            .unwrap();
        let incoming = Text {
            member: &known.member,
            state: known.state.as_ref(),
            has_state: known.has_state,
            text,
            chat_id: member.chat_id,
            message_id,
            edited: false,
            replied: replied.map(|(_, text)| Replied {
                text,
                occurrence: known.replied.as_ref(),
                report_id: known.replied_report,
            }),
        };
        let mut work = Work::new(self.store());
        let same = |s: &str| s.to_owned();
        let received = report::receive(
            &self.svc,
            &mut work,
            Platform::Telegram,
            &incoming,
            &same,
            now,
        )
        .await
        .unwrap();
        work.commit().await.unwrap();
        received
    }
}

fn person(user_id: i64) -> Person {
    Person {
        platform: Platform::Telegram,
        user_id,
        chat_id: user_id,
        name: format!("person {user_id}"),
        lang: Lang::Fa,
    }
}

/// 1405/09/03 (Azar), after the month's reminders, before the due date (the 25th).
fn azar_3() -> DateTime<Utc> {
    at("2026-11-24T08:00:00Z")
}

#[tokio::test]
async fn joining_uses_the_invite_once_and_is_audited() {
    let w = World::new().await;
    let now = azar_3();
    let code = invite::create(
        w.store(),
        "amol",
        Role::Governor,
        1,
        None,
        now,
        &mut rand::rng(),
    )
    .await
    .unwrap()
    .code;
    let audits = w.store().count("audit").await.unwrap();
    let mut work = Work::new(w.store());
    let first = membership::join(
        &w.svc,
        &mut work,
        &person(7),
        None,
        &code.to_uppercase(),
        now,
    )
    .await
    .unwrap();
    work.commit().await.unwrap();
    let Joined::Joined {
        unit, role, lang, ..
    } = first
    else {
        panic!("not joined: {first:?}")
    };
    assert_eq!(
        (unit.as_str(), role, lang),
        ("آمل", Role::Governor, Lang::Fa)
    );
    assert_eq!(w.store().count("audit").await.unwrap(), audits + 1);

    // The code is used up: a second person is refused and nothing is written.
    let mut work = Work::new(w.store());
    let second = membership::join(&w.svc, &mut work, &person(8), None, &code, now)
        .await
        .unwrap();
    work.commit().await.unwrap();
    assert_eq!(second, Joined::BadCode);
    assert!(
        w.store()
            .member_by_user(Platform::Telegram, 8)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(w.store().count("audit").await.unwrap(), audits + 1);
}

#[tokio::test]
async fn a_reply_to_a_reminder_is_a_report_on_its_occurrence_and_only_its_reporter_corrects_it() {
    let w = World::new().await;
    let now = azar_3();
    let governor = w.join(10, "amol", Role::Governor, now).await;
    let tasks = report::tasks(&w.svc, &governor, now)
        .await
        .unwrap()
        .unwrap();
    let r3 = tasks
        .iter()
        .find(|o| o.key == "R3" && o.period == 140509)
        .unwrap()
        .clone();
    // The reminder as the send queue recorded it: message 500 in the governor's chat.
    let mut work = Work::new(w.store());
    let reminder = setad::store::NewMessage {
        dedup_key: "remind:test".into(),
        platform: Platform::Telegram,
        chat_id: governor.chat_id,
        member_id: Some(governor.member_id),
        kind: MessageKind::Remind,
        occurrence_id: Some(r3.occurrence_id),
        report_id: None,
        body: "reminder".into(),
        not_before: 0,
        expires_at: i64::MAX,
        missed: false,
        payload: None,
    };
    work.queue(&[reminder], now.timestamp()).await.unwrap();
    work.commit().await.unwrap();

    // Recognised by its text (its message id is not recorded yet).
    let text = "جلسه در تاریخ ۱۴۰۵/۰۹/۰۲ با حضور ۱۲ نفر برگزار شد";
    let got = w
        .says(&governor, text, 20, Some((500, Some("reminder"))), now)
        .await;
    let Received::Report(Submitted::Saved(saved)) = got else {
        panic!("not saved: {got:?}")
    };
    assert_eq!(saved.occurrence.occurrence_id, r3.occurrence_id);
    assert_eq!(
        (saved.reading.facts().held, saved.reading.facts().attendees),
        (Some(true), Some(12))
    );
    assert!(!saved.late && !saved.edit);
    let occ = w
        .store()
        .occurrence_info(r3.occurrence_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(occ.status, OccurrenceStatus::Reported);

    // A correction by button: the member's own report only.
    let correct = |by: MemberRow, held: bool| {
        let svc = w.svc.clone();
        async move {
            let mut work = Work::new(&svc.store);
            let done = report::correct_held(&svc, &mut work, &by, saved.report_id, held, now)
                .await
                .unwrap();
            work.commit().await.unwrap();
            let stored = svc.store.report(saved.report_id).await.unwrap().unwrap();
            (done, stored.held)
        }
    };
    assert_eq!(correct(governor.clone(), false).await, (true, Some(false)));
    let other = w.join(11, "babol", Role::Governor, now).await;
    assert_eq!(correct(other, true).await, (false, Some(false)));

    // Text that answers nothing is not a report: it is kept, and offered to tie.
    let reports = w.store().count("report").await.unwrap();
    let got = w.says(&governor, "سلام", 21, None, now).await;
    assert!(
        matches!(&got, Received::Draft { looks_like_report: false, open, .. } if !open.is_empty()),
        "{got:?}"
    );
    assert_eq!(w.store().count("report").await.unwrap(), reports);
}

#[tokio::test]
async fn a_member_joining_late_is_sent_the_open_reminders_once() {
    let w = World::new().await;
    let now = azar_3();
    let governor = w.join_reminded(10, "amol", Role::Governor, now, true).await;
    let keys = || async {
        let rows: Vec<(String, Option<i64>)> =
            sqlx::query_as("SELECT dedup_key, occurrence_id FROM outbox WHERE member_id = $1")
                .bind(governor.member_id)
                .fetch_all(match w.store() {
                    Store::Sqlite(s) => s.pool(),
                    Store::Postgres(_) => unreachable!("a SQLite world"),
                })
                .await
                .unwrap();
        rows
    };
    // This month's R3 was due to be reminded of (last month's is open too, but the bot did not
    // know of it before its due date, so the tick reminds nobody of it either): keyed as the
    // tick keys it, about its occurrence.
    let open = report::tasks(&w.svc, &governor, now)
        .await
        .unwrap()
        .unwrap();
    let this_month = open.iter().map(|o| o.period).max().unwrap();
    let mut expected: Vec<(String, Option<i64>)> = open
        .iter()
        .filter(|o| o.period == this_month)
        .map(|o| {
            (
                format!("remind:{}:{}", o.occurrence_id, governor.member_id),
                Some(o.occurrence_id),
            )
        })
        .collect();
    expected.sort();
    let mut queued = keys().await;
    queued.sort();
    assert_eq!(queued, expected);
    assert_eq!(expected.len(), 1);
    // The tick sends them to nobody again.
    let before = w.store().count("outbox").await.unwrap();
    setad::service::tick::tick(w.store(), &w.tick_config(), now)
        .await
        .unwrap();
    let mut again = keys().await;
    again.sort();
    assert_eq!(again, expected);
    assert!(w.store().count("outbox").await.unwrap() >= before);
    // A text that is not a reply, with both open: kept, offered, and tied by the member.
    let got = w
        .says(&governor, "جلسه با حضور ۸ نفر برگزار شد", 30, None, now)
        .await;
    let Received::Draft {
        draft_id,
        open,
        looks_like_report,
    } = got
    else {
        panic!("not kept: {got:?}")
    };
    assert!(looks_like_report);
    assert_eq!(open.len(), 2);
    let other = w.join(11, "babol", Role::Governor, now).await;
    let tie = |by: MemberRow, occurrence: Option<i64>| {
        let svc = w.svc.clone();
        async move {
            let mut work = Work::new(&svc.store);
            let tied = report::tie_draft(&svc, &mut work, &by, draft_id, occurrence, now)
                .await
                .unwrap();
            work.commit().await.unwrap();
            tied
        }
    };
    // Not another member's to tie, nor another unit's occurrence.
    let babol_open = report::tasks(&w.svc, &other, now).await.unwrap().unwrap();
    assert_eq!(
        tie(other.clone(), Some(open[0].occurrence_id)).await,
        Tied::Gone
    );
    assert!(matches!(
        tie(governor.clone(), Some(babol_open[0].occurrence_id)).await,
        Tied::Report {
            submitted: Submitted::NotYours,
            ..
        }
    ));
    assert_eq!(w.store().count("report").await.unwrap(), 0);
    let tied = tie(governor.clone(), Some(open[1].occurrence_id)).await;
    let Tied::Report {
        submitted: Submitted::Saved(saved),
        message_id,
    } = tied
    else {
        panic!("not tied: {tied:?}")
    };
    assert_eq!(
        (saved.occurrence.occurrence_id, message_id),
        (open[1].occurrence_id, 30)
    );
    assert_eq!(saved.reading.facts().attendees, Some(8));
    // Once: a second press changes nothing.
    assert_eq!(
        tie(governor.clone(), Some(open[0].occurrence_id)).await,
        Tied::Gone
    );
    assert_eq!(tie(governor.clone(), None).await, Tied::Gone);
    assert_eq!(w.store().count("report").await.unwrap(), 1);
}

#[tokio::test]
async fn refusals_change_nothing() {
    let w = World::new().await;
    let now = azar_3();
    let governor = w.join(10, "amol", Role::Governor, now).await;
    // Last month's and this month's sessions are open: /report offers both.
    let mut work = Work::new(w.store());
    let begun = report::begin(&w.svc, &mut work, &governor, now)
        .await
        .unwrap();
    assert!(
        matches!(&begun, Begun::Choose(open) if open.len() == 2),
        "{begun:?}"
    );
    let chosen = w.choose(&governor, "R3", now).await;
    let reports = w.store().count("report").await.unwrap();

    // Empty and over-long texts are refused, and the /report choice stays.
    let empty = w.says(&governor, " \u{200c}\u{200f} ", 30, None, now).await;
    assert_eq!(empty, Received::Report(Submitted::Empty));
    let long = "x".repeat(5000);
    let too_long = w.says(&governor, &long, 31, None, now).await;
    assert!(matches!(
        too_long,
        Received::Report(Submitted::TooLong { len: 5000, .. })
    ));
    assert_eq!(w.store().count("report").await.unwrap(), reports);

    // Another unit's occurrence is not the member's.
    let babol = w.join(11, "babol", Role::Governor, now).await;
    let mut work = Work::new(w.store());
    let choice = report::choose(&w.svc, &mut work, &babol, chosen, now)
        .await
        .unwrap();
    work.commit().await.unwrap();
    assert!(choice.is_none());

    // A staff member neither reports nor gets a task list.
    let staff = w.join(12, "dg-political", Role::Staff, now).await;
    assert!(report::tasks(&w.svc, &staff, now).await.unwrap().is_none());
    let mut work = Work::new(w.store());
    let begun = report::begin(&w.svc, &mut work, &staff, now).await.unwrap();
    assert_eq!(begun, Begun::NotAllowed);

    // The governor's next real text is the report on the chosen occurrence.
    let got = w.says(&governor, "جلسه برگزار شد", 32, None, now).await;
    assert!(
        matches!(got, Received::Report(Submitted::Saved(ref s)) if s.occurrence.occurrence_id == chosen)
    );
    assert_eq!(w.store().count("report").await.unwrap(), reports + 1);
}

#[tokio::test]
async fn a_report_after_the_due_date_is_late() {
    let w = World::new().await;
    let governor = w.join(10, "amol", Role::Governor, azar_3()).await;
    // 1405/09/27: after the 25th. (Chosen then: a `/report` prompt lasts half an hour.)
    let late = at("2026-12-18T08:00:00Z");
    let occ = w.choose(&governor, "R3", late).await;
    let got = w.says(&governor, "جلسه برگزار شد", 40, None, late).await;
    let Received::Report(Submitted::Saved(saved)) = got else {
        panic!("{got:?}")
    };
    assert!(saved.late);
    let occ = w.store().occurrence_info(occ).await.unwrap().unwrap();
    assert_eq!(occ.status, OccurrenceStatus::Late);
}

#[tokio::test]
async fn a_quota_report_crossing_a_level_alerts_the_fund_once() {
    let w = World::new().await;
    let now = azar_3();
    let village = w.join(20, "village-amol-ab-ask", Role::Agency, now).await;
    let fund = w.join(21, "fund", Role::Fund, now).await;
    w.choose(&village, "R2", now).await;
    // Target 15: 12 newly insured is 80%.
    let got = w.says(&village, "۱۲ نفر بیمه شدند", 50, None, now).await;
    let Received::Report(Submitted::Saved(saved)) = got else {
        panic!("{got:?}")
    };
    assert_eq!(saved.milestone, Some(75));
    let milestones: Vec<Notice> = w
        .notices
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|n| matches!(n, Notice::Milestone { .. }))
        .cloned()
        .collect();
    assert_eq!(milestones.len(), 1);
    let Notice::Milestone {
        unit,
        level,
        achieved,
        target,
        ..
    } = &milestones[0]
    else {
        unreachable!()
    };
    assert_eq!(
        (unit.as_str(), *level, *achieved, *target),
        ("آب‌اسک", 75, 12, 15)
    );
    let counts = w.store().queue_counts().await.unwrap();
    assert_eq!(counts.pending, 1, "one alert, to the fund manager");
    let rows = w
        .store()
        .claim_waiting(Platform::Telegram, "t", 10)
        .await
        .unwrap();
    assert_eq!(
        (rows[0].chat_id, rows[0].kind),
        (fund.chat_id, MessageKind::Alert)
    );
}

#[tokio::test]
async fn an_unreachable_member_is_marked_and_reported_once_a_day() {
    let w = World::new().await;
    let now = azar_3();
    let governor = w.join(10, "amol", Role::Governor, now).await;
    let _fund = w.join(21, "fund", Role::Fund, now).await;
    let _admin = w.join(22, "fund", Role::Admin, now).await;
    let compose = w.notices.as_ref();
    let marked = alerts::unreachable(
        w.store(),
        compose,
        Platform::Telegram,
        governor.chat_id,
        now,
    )
    .await
    .unwrap();
    assert_eq!(marked, 1);
    let member = w.store().member(governor.member_id).await.unwrap().unwrap();
    assert!(!member.reachable);
    assert_eq!(
        w.store().queue_counts().await.unwrap().pending,
        2,
        "fund and admin"
    );
    // Already unreachable: nothing more.
    let again = alerts::unreachable(
        w.store(),
        compose,
        Platform::Telegram,
        governor.chat_id,
        now,
    )
    .await
    .unwrap();
    assert_eq!(again, 0);
    assert_eq!(w.store().queue_counts().await.unwrap().pending, 2);
}

#[tokio::test]
async fn the_digest_lists_the_days_reports_for_the_fund_only_after_its_hour() {
    let w = World::new().await;
    let now = azar_3();
    let governor = w.join(10, "amol", Role::Governor, now).await;
    let _fund = w.join(21, "fund", Role::Fund, now).await;
    w.choose(&governor, "R3", now).await;
    w.says(&governor, "جلسه برگزار شد", 60, None, now).await;

    let digest = |when| {
        let svc = w.svc.clone();
        let compose = w.notices.clone();
        async move {
            let mut messages = Vec::new();
            let n = alerts::digest(&svc.store, compose.as_ref(), svc.tz, when, &mut messages)
                .await
                .unwrap();
            (n, messages)
        }
    };
    // 19:59 Tehran: not yet.
    assert_eq!(digest(at("2026-11-24T16:29:00Z")).await.0, 0);
    // 20:00 Tehran: one digest for the fund manager, naming Amol's R3.
    let (n, messages) = digest(at("2026-11-24T16:30:00Z")).await;
    assert_eq!(n, 1);
    assert_eq!(messages[0].kind, MessageKind::Digest);
    let last = w.notices.0.lock().unwrap().last().cloned().unwrap();
    let Notice::Digest { reports, .. } = last else {
        panic!("{last:?}")
    };
    assert_eq!(reports.len(), 1);
    assert_eq!(
        (reports[0].key.as_str(), reports[0].unit.as_str()),
        ("R3", "آمل")
    );
}

#[tokio::test]
async fn a_summary_is_cut_to_the_members_scope() {
    let w = World::new().await;
    let now = azar_3();
    let period = setad::domain::calendar::Period::new(1405, 9).unwrap();
    let staff = w.join(12, "dg-political", Role::Staff, now).await;
    let fund = w.join(21, "fund", Role::Fund, now).await;
    let governor = w.join(10, "amol", Role::Governor, now).await;

    let everything = summary::for_member(&w.svc, &fund, period, now)
        .await
        .unwrap()
        .unwrap();
    let political = summary::for_member(&w.svc, &staff, period, now)
        .await
        .unwrap()
        .unwrap();
    let keys = |s: &setad::domain::summary::Summary| {
        s.obligations
            .iter()
            .map(|o| o.key.clone())
            .collect::<Vec<_>>()
    };
    // The political directorate follows up R3 and R5's quotas (the data file); the fund sees
    // every obligation.
    assert_eq!(keys(&political), ["R3", "R5-quota"]);
    assert!(keys(&everything).len() > keys(&political).len());
    assert!(
        keys(&political)
            .iter()
            .all(|k| keys(&everything).contains(k))
    );
    assert_eq!(
        summary::for_member(&w.svc, &governor, period, now)
            .await
            .unwrap(),
        Err(summary::Withheld::NotAllowed)
    );
    assert!(!summary::allowed(&governor) && summary::allowed(&staff));

    // Before the due date nothing is missing; after it, every county that did not report is.
    let before = summary::overdue_for_member(&w.svc, &staff, now)
        .await
        .unwrap()
        .unwrap();
    assert!(before.iter().all(|o| o.period != period));
    let after = at("2026-12-17T08:00:00Z");
    let overdue = summary::overdue_for_member(&w.svc, &staff, after)
        .await
        .unwrap()
        .unwrap();
    let r3 = overdue
        .iter()
        .find(|o| o.key == "R3" && o.period == period)
        .unwrap();
    assert_eq!(r3.missing.len(), 22);
    let counties = w.store().units().await.unwrap();
    assert_eq!(
        counties
            .iter()
            .filter(|u| u.kind == UnitKind::County)
            .count(),
        r3.missing.len()
    );
}

#[tokio::test]
async fn an_updates_answers_commit_with_its_handled_mark_once() {
    let w = World::new().await;
    let store = w.store();
    let rows = inbox::store(
        store,
        Platform::Bale,
        &[NewUpdate {
            update_id: 9,
            chat_id: Some(77),
            payload: "{}".into(),
        }],
        1_000,
    )
    .await
    .unwrap();
    assert_eq!(rows.len(), 1);
    let (direct, mut handed) = Direct::new("worker".into(), std::time::Duration::from_secs(60));
    // The worker is its platform's sender (one that stands by is handed nothing).
    direct.set_active(true);
    let long = "خط\n".repeat(3000);
    let said = [
        Answer::text("یک".into()),
        Answer {
            text: long,
            buttons: vec![vec![("ok".into(), "x".into())]],
            reply_to: Some(5),
            report_id: None,
        },
    ];
    let mut work = Work::new(store);
    let claimed = inbox::finish(&mut work, &direct, Platform::Bale, &rows[0], &said, 2_000)
        .await
        .unwrap()
        .expect("not handled before");
    work.commit().await.unwrap();
    // The long answer is split; every part is claimed for the worker, keyed by the update.
    let expected = answers(Platform::Bale, 9, 77, &said, 2_000);
    assert_eq!(claimed.len(), expected.len());
    assert!(expected.len() >= 3);
    assert!(
        expected
            .iter()
            .all(|m| m.dedup_key.starts_with("bale:reply:9:77:"))
    );
    assert_eq!(
        store.queue_counts().await.unwrap().sending,
        expected.len() as i64
    );
    direct.give(claimed);
    assert!(handed.try_recv().is_ok());

    // Handled once: a second unit of work for the same update is told so, and writes nothing.
    let mut work = Work::new(store);
    let again = inbox::finish(&mut work, &direct, Platform::Bale, &rows[0], &said, 3_000)
        .await
        .unwrap();
    assert!(again.is_none());
    drop(work);
    assert_eq!(store.count("outbox").await.unwrap(), expected.len() as i64);
    assert!(
        inbox::unhandled(store, Platform::Bale, 0, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

/// A process that stands by (another one sends for the bot) queues its answers for the
/// sender instead of claiming them for its own worker.
#[tokio::test]
async fn a_standing_by_process_queues_its_answers_for_the_sender() {
    let w = World::new().await;
    let store = w.store();
    let rows = inbox::store(
        store,
        Platform::Telegram,
        &[NewUpdate {
            update_id: 3,
            chat_id: Some(55),
            payload: "{}".into(),
        }],
        1_000,
    )
    .await
    .unwrap();
    let (direct, mut handed) = Direct::new("standby".into(), std::time::Duration::from_secs(60));
    assert!(!direct.is_active());
    let said = [Answer::text("یک".into())];
    let mut work = Work::new(store);
    let claimed = inbox::finish(
        &mut work,
        &direct,
        Platform::Telegram,
        &rows[0],
        &said,
        2_000,
    )
    .await
    .unwrap()
    .expect("not handled before");
    work.commit().await.unwrap();
    assert!(claimed.is_empty());
    assert!(handed.try_recv().is_err());
    let counts = store.queue_counts().await.unwrap();
    assert_eq!((counts.pending, counts.sending), (1, 0), "{counts:?}");
    // The sender claims it like any queued message.
    let sent = store
        .claim(Platform::Telegram, "sender", 2_000, 60_000, 10)
        .await
        .unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].chat_id, 55);
}

#[tokio::test]
async fn a_stored_value_that_does_not_decode_is_corrupt_not_a_default() {
    let w = World::new().await;
    let member = w.join(10, "amol", Role::Governor, azar_3()).await;
    // A hand-edited row: a role no version of the bot wrote.
    sqlx::query("UPDATE member SET role = 'boss' WHERE member_id = $1")
        .bind(member.member_id)
        .execute(w.store().sqlite_pool().unwrap())
        .await
        .unwrap();
    let read = w.store().member_by_user(Platform::Telegram, 10).await;
    match read {
        Err(setad::store::StoreError::Corrupt { column, value, .. }) => {
            assert_eq!(column, "role");
            assert!(value.contains("boss"), "{value}");
        }
        other => panic!("expected a corrupt row, got {other:?}"),
    }
}
