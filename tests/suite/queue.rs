//! The scheduler's tick and the send queue, at the store level, on SQLite and on PostgreSQL
//! (ignored unless `SETAD_TEST_POSTGRES_URL` was set when the tests were built).

use crate::common;

use setad::domain::Lang;
use setad::domain::member::{Platform, Role};
use setad::domain::notice::MessageKind;
use setad::domain::unit::UnitKind;
use setad::store::NewMember;
use std::collections::BTreeSet;

use common::{Backend, COUNTIES, at, backend_tests, mazandaran_source};
use setad::service::import::import;
use setad::service::tick::{TickConfig, tick};
use setad::store::{Outcome, ReportInput, Store};

fn config() -> TickConfig {
    common::tick_config()
}

/// Imports the data and joins one governor per county (chat id 1000 + i), one staff member of
/// the political directorate (chat 2000) and one fund manager (chat 3000).
async fn setup(store: &Store) {
    import(store, &mazandaran_source(), 0).await.unwrap();
    let units = store.units().await.unwrap();
    let id = |key: &str| units.iter().find(|u| u.key == key).unwrap().unit_id;
    let mut tx = store.begin().await.unwrap();
    for (i, u) in units
        .iter()
        .filter(|u| u.kind == UnitKind::County)
        .enumerate()
    {
        let chat = 1000 + i as i64;
        tx.upsert_member(
            &NewMember {
                platform: Platform::Telegram,
                user_id: chat,
                chat_id: chat,
                unit_id: u.unit_id,
                role: Role::Governor,
                display_name: &u.name,
                lang: Lang::Fa,
            },
            0,
        )
        .await
        .unwrap();
    }
    tx.upsert_member(
        &NewMember {
            platform: Platform::Telegram,
            user_id: 2000,
            chat_id: 2000,
            unit_id: id("dg-political"),
            role: Role::Staff,
            display_name: "کارشناس",
            lang: Lang::Fa,
        },
        0,
    )
    .await
    .unwrap();
    tx.upsert_member(
        &NewMember {
            platform: Platform::Bale,
            user_id: 3000,
            chat_id: 3000,
            unit_id: id("fund"),
            role: Role::Fund,
            display_name: "مدیر صندوق",
            lang: Lang::En,
        },
        0,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

async fn pending_chats(store: &Store, kind: &str) -> BTreeSet<i64> {
    let rows = store
        .claim_waiting(Platform::Telegram, "test", 10_000)
        .await
        .unwrap();
    let bale = store
        .claim_waiting(Platform::Bale, "test", 10_000)
        .await
        .unwrap();
    let chats = rows
        .iter()
        .chain(&bale)
        .filter(|r| r.kind.as_str() == kind)
        .map(|r| r.chat_id)
        .collect();
    // Put them back.
    store.release_claims(Some("test"), 0).await.unwrap();
    chats
}

backend_tests!(reminders_nudges_and_escalations_go_to_the_right_people_once);
async fn reminders_nudges_and_escalations_go_to_the_right_people_once(backend: Backend) {
    let db = backend.open().await;
    let store = &db.store;
    setup(store).await;
    // 1405/09/01 (2026-11-22, a Sunday) 08:59 Tehran: nothing yet.
    let r = tick(store, &config(), at("2026-11-22T05:29:00Z"))
        .await
        .unwrap();
    assert_eq!(r.reminders, 0);
    // 09:00: the 22 county reminders (R3); other obligations have no member yet.
    let r = tick(store, &config(), at("2026-11-22T05:30:00Z"))
        .await
        .unwrap();
    assert_eq!(r.reminders, 22, "{r:?} on {}", store.backend());
    let again = tick(store, &config(), at("2026-11-22T05:31:00Z"))
        .await
        .unwrap();
    assert_eq!(
        (again.reminders, again.nudges, again.escalations),
        (0, 0, 0)
    );
    let reminded = pending_chats(store, "remind").await;
    assert_eq!(reminded, (1000..1022).collect());
    let body = store
        .claim_waiting(Platform::Telegram, "peek", 1)
        .await
        .unwrap()
        .remove(0)
        .body;
    assert!(body.contains("R3") && body.contains("۱۴۰۵/۰۹/۲۵"), "{body}");
    store.release_claims(Some("peek"), 0).await.unwrap();

    // Two counties report.
    let units = store.units().await.unwrap();
    let rows = store.period_rows(140509).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    for key in ["amol", "sari"] {
        let unit = units.iter().find(|u| u.key == key).unwrap().unit_id;
        let occ = rows
            .iter()
            .find(|r| r.unit_id == unit)
            .unwrap()
            .occurrence_id;
        let input = ReportInput {
            body: "برگزار شد".into(),
            held: Some(true),
            ..ReportInput::default()
        };
        tx.save_report(occ, &input, at("2026-11-30T08:00:00Z").timestamp())
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();

    // The nudge (1405/09/22 = 2026-12-13) goes only to the 20 silent counties.
    let r = tick(store, &config(), at("2026-12-13T05:30:00Z"))
        .await
        .unwrap();
    assert_eq!(r.nudges, 20, "{r:?}");
    let nudged = pending_chats(store, "nudge").await;
    let amol_chat = 1000
        + units
            .iter()
            .filter(|u| u.kind == UnitKind::County)
            .position(|u| u.key == "amol")
            .unwrap() as i64;
    assert_eq!(nudged.len(), 20);
    assert!(!nudged.contains(&amol_chat));

    // The escalation (1405/09/26): one R3 message each to the staff member and the fund
    // manager, naming exactly the 20 missing counties. (The fund manager also hears of
    // R1, due the same day, with no member of its office joined.)
    let r = tick(store, &config(), at("2026-12-17T05:30:00Z"))
        .await
        .unwrap();
    assert_eq!(r.escalations, 3, "{r:?}");
    let claimed = store
        .claim_waiting(Platform::Telegram, "t", 100)
        .await
        .unwrap();
    let claimed_bale = store.claim_waiting(Platform::Bale, "t", 100).await.unwrap();
    let escalations: Vec<_> = claimed
        .iter()
        .chain(&claimed_bale)
        .filter(|m| m.kind == MessageKind::Escalate && m.body.contains("(R3)"))
        .collect();
    assert_eq!(
        escalations
            .iter()
            .map(|m| m.chat_id)
            .collect::<BTreeSet<_>>(),
        BTreeSet::from([2000, 3000])
    );
    for m in &escalations {
        let named: BTreeSet<&str> = m
            .body
            .lines()
            .filter_map(|l| l.strip_prefix("• "))
            .collect();
        let expected: BTreeSet<&str> = COUNTIES
            .iter()
            .copied()
            .filter(|c| *c != "آمل" && *c != "ساری")
            .collect();
        assert_eq!(named, expected, "{}", m.body);
    }
    let english = escalations.iter().find(|m| m.chat_id == 3000).unwrap();
    assert!(
        english.body.contains("20 units have not reported"),
        "{}",
        english.body
    );
    let r = tick(store, &config(), at("2026-12-17T05:31:00Z"))
        .await
        .unwrap();
    assert_eq!(r.escalations, 0);
}

backend_tests!(what_fell_due_while_down_is_sent_while_useful_and_missed_after);
async fn what_fell_due_while_down_is_sent_while_useful_and_missed_after(backend: Backend) {
    // Back on 1405/09/02 noon (the 1st's reminder is 27 h old), 09/04 (75 h), or 09/26, after
    // Azar's reports fell due: a reminder is useful until its due time, whatever delayed it.
    for (back, useful) in [
        ("2026-11-23T08:30:00Z", true),
        ("2026-11-25T08:30:00Z", true),
        ("2026-12-17T08:30:00Z", false),
    ] {
        let db = backend.open().await;
        let store = &db.store;
        setup(store).await;
        // Running on 1405/08/20 (2026-11-11): Aban's and Azar's occurrences exist.
        let r = tick(store, &config(), at("2026-11-11T08:30:00Z"))
            .await
            .unwrap();
        store.record(&[], 0).await.unwrap();
        let before = store.queue_counts().await.unwrap();
        assert_eq!(before.pending, r.reminders as i64);
        let r = tick(store, &config(), at(back)).await.unwrap();
        let counts = store.queue_counts().await.unwrap();
        assert_eq!(r.reminders, if useful { 22 } else { 0 }, "{back}: {r:?}");
        // Aban's nudges (08/22) and escalations (08/26, useful for a day) are past: missed.
        assert!(r.missed >= 20, "{r:?}");
        assert_eq!(counts.missed, before.missed + r.missed as i64);
        let sendable = store
            .claim(
                Platform::Telegram,
                "t",
                at(back).timestamp_millis(),
                1000,
                1000,
            )
            .await
            .unwrap();
        let azar: Vec<_> = sendable
            .iter()
            .filter(|m| m.kind == MessageKind::Remind && m.body.contains("آذر"))
            .collect();
        assert_eq!(azar.len(), if useful { 22 } else { 0 }, "{back}");
        assert!(
            sendable.iter().all(|m| !m.body.contains("آبان")),
            "nothing of Aban is sent late"
        );
        // Each sendable reminder is given up at its occurrence's due time, not before.
        assert!(
            sendable.iter().all(|m| m
                .expires_at
                .is_some_and(|e| e > at(back).timestamp_millis())),
            "{back}"
        );
        // Nothing is enqueued twice, missed or not.
        let again = tick(store, &config(), at(back)).await.unwrap();
        assert_eq!(
            (
                again.reminders,
                again.nudges,
                again.escalations,
                again.missed
            ),
            (0, 0, 0, 0)
        );
    }
}

backend_tests!(claims_are_exclusive_and_outcomes_are_recorded);
async fn claims_are_exclusive_and_outcomes_are_recorded(backend: Backend) {
    let db = backend.open().await;
    let store = &db.store;
    setup(store).await;
    tick(store, &config(), at("2026-11-22T05:30:00Z"))
        .await
        .unwrap();
    let now = at("2026-11-22T05:30:00Z").timestamp_millis();
    // Two workers claiming at once never get the same row.
    let (a, b) = tokio::join!(
        store.claim(Platform::Telegram, "a", now, 60_000, 15),
        store.claim(Platform::Telegram, "b", now, 60_000, 15)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.len() + b.len(), 22, "{} + {}", a.len(), b.len());
    let ids: BTreeSet<i64> = a.iter().chain(&b).map(|r| r.outbox_id).collect();
    assert_eq!(ids.len(), 22);
    // Outcomes.
    let mut outcomes = vec![
        Outcome::Sent {
            outbox_id: a[0].outbox_id,
            message_id: Some(7),
            sent_at: now,
        },
        Outcome::Retry {
            outbox_id: a[1].outbox_id,
            not_before: now + 5_000,
            error: "502".into(),
            counts: true,
        },
        Outcome::Failed {
            outbox_id: a[2].outbox_id,
            error: "403".into(),
        },
    ];
    outcomes.extend(a[3..].iter().chain(&b).map(|r| Outcome::Sent {
        outbox_id: r.outbox_id,
        message_id: None,
        sent_at: now,
    }));
    store.record(&outcomes, now / 1000).await.unwrap();
    let c = store.queue_counts().await.unwrap();
    assert_eq!((c.sent, c.pending, c.failed, c.sending), (20, 1, 1, 0));
    // The retried one is not due before its time.
    assert!(
        store
            .claim(Platform::Telegram, "c", now + 4_000, 60_000, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .claim(Platform::Telegram, "c", now + 5_000, 60_000, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    // A lapsed claim returns to the queue; a live one does not.
    assert_eq!(store.release_claims(None, now + 5_000).await.unwrap(), 0);
    assert_eq!(store.release_claims(None, now + 70_000).await.unwrap(), 1);
}

backend_tests!(the_fund_gets_a_daily_digest_of_new_reports_once);
async fn the_fund_gets_a_daily_digest_of_new_reports_once(backend: Backend) {
    let db = backend.open().await;
    let store = &db.store;
    setup(store).await;
    tick(store, &config(), at("2026-11-22T05:30:00Z"))
        .await
        .unwrap();
    let units = store.units().await.unwrap();
    let rows = store.period_rows(140509).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    for key in ["amol", "nur"] {
        let unit = units.iter().find(|u| u.key == key).unwrap().unit_id;
        let occ = rows
            .iter()
            .find(|r| r.unit_id == unit)
            .unwrap()
            .occurrence_id;
        let input = ReportInput {
            body: "برگزار شد".into(),
            held: Some(true),
            insured: Some(7),
            ..ReportInput::default()
        };
        // 1405/09/09 11:30 Tehran.
        tx.save_report(occ, &input, at("2026-11-30T08:00:00Z").timestamp())
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    // 19:59 Tehran: not yet. 20:00: one digest, to the fund manager only; then no more.
    assert_eq!(
        tick(store, &config(), at("2026-11-30T16:29:00Z"))
            .await
            .unwrap()
            .digests,
        0
    );
    assert_eq!(
        tick(store, &config(), at("2026-11-30T16:30:30Z"))
            .await
            .unwrap()
            .digests,
        1
    );
    assert_eq!(
        tick(store, &config(), at("2026-11-30T16:31:30Z"))
            .await
            .unwrap()
            .digests,
        0
    );
    let digests: Vec<_> = store
        .claim_waiting(Platform::Bale, "t", 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == MessageKind::Digest)
        .collect();
    assert_eq!(digests.len(), 1);
    assert_eq!(digests[0].chat_id, 3000);
    let body = &digests[0].body;
    assert!(
        body.contains("Reports received in the last 24 hours")
            && body.contains("آمل")
            && body.contains("نور")
            && body.contains("7 newly insured"),
        "{body}"
    );
    // The next day, with no new report, no digest.
    assert_eq!(
        tick(store, &config(), at("2026-12-01T16:30:30Z"))
            .await
            .unwrap()
            .digests,
        0
    );
}
