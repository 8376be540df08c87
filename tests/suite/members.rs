//! Membership over time, through the services alone (no Bot API), on SQLite and on PostgreSQL:
//! who may list, revoke, move and send members on leave (scope: a unit's subtree; a
//! directorate's is its province's), the audit trail of every change, a revoked member's
//! reports kept, and a leave with a deputy: the deputy receives the unit's reminders and may
//! report while it lasts, and not after; the member is told when it ends, once.

use crate::common;

use chrono::{DateTime, Utc, Weekday};
use setad::domain::calendar::JalaliDate;
use setad::domain::member::{Platform, Refused, Role};
use setad::domain::notice::MessageKind;
use setad::service::membership::admin::{self, Actor};
use setad::service::tick::tick;
use setad::service::{Services, Work, report};
use setad::store::{MemberRow, ReportInput, Store};

use common::{Backend, at, backend_tests, mazandaran_source};

struct World {
    _db: common::TestDb,
    svc: Services,
}

impl World {
    async fn new(backend: Backend) -> World {
        let db = backend.open().await;
        setad::service::import::import(&db.store, &mazandaran_source(), 0)
            .await
            .unwrap();
        let svc = Services::new(
            db.store.clone(),
            chrono_tz::Asia::Tehran,
            vec![Weekday::Fri],
            setad::render::composer(),
        );
        World { _db: db, svc }
    }

    fn store(&self) -> &Store {
        &self.svc.store
    }

    async fn unit(&self, key: &str) -> i64 {
        self.store()
            .unit_by_key(key)
            .await
            .unwrap()
            .unwrap()
            .unit_id
    }

    /// A member of unit `key` with `role`, on Telegram, chat = user = `id`.
    async fn member(&self, id: i64, key: &str, role: Role) -> MemberRow {
        let member_id =
            common::add_member(self.store(), id, key, role, &format!("member {id}")).await;
        self.store().member(member_id).await.unwrap().unwrap()
    }

    async fn audits(&self) -> i64 {
        self.store().count("audit").await.unwrap()
    }

    /// Every message queued since the last drain: (chat, kind).
    async fn drain(&self) -> Vec<(i64, MessageKind)> {
        let mut out: Vec<(i64, MessageKind)> = self
            .store()
            .claim_waiting(Platform::Telegram, "test", 10_000)
            .await
            .unwrap()
            .into_iter()
            .map(|c| (c.chat_id, c.kind))
            .collect();
        out.sort();
        out
    }

    async fn tick(&self, now: &str) -> setad::service::tick::TickReport {
        tick(self.store(), &common::tick_config(), at(now))
            .await
            .unwrap()
    }
}

/// A change to attempt.
#[derive(Debug, Clone, Copy)]
enum Change {
    Revoke(i64),
    Move(i64, i64, Role),
    Leave(i64, i64, (JalaliDate, JalaliDate)),
}

impl World {
    /// Attempts a change and commits what it did: the member changed, or why not.
    async fn attempt(
        &self,
        actor: Actor<'_>,
        change: Change,
        now: DateTime<Utc>,
    ) -> Result<i64, Refused> {
        let mut work = Work::new(self.store());
        let svc = &self.svc;
        let done = match change {
            Change::Revoke(m) => admin::revoke(svc, &mut work, actor, m, now).await,
            Change::Move(m, unit, role) => {
                admin::move_member(svc, &mut work, actor, m, (unit, role), now).await
            }
            Change::Leave(m, deputy, days) => {
                admin::leave(svc, &mut work, actor, (m, deputy), days, now)
                    .await
                    .map(|r| r.map(|l| l.member))
            }
        }
        .unwrap();
        work.commit().await.unwrap();
        done.map(|m| m.member_id)
    }
}

fn day(s: &str) -> JalaliDate {
    JalaliDate::parse(s).unwrap()
}

const NOW: &str = "2026-11-23T08:00:00Z";

backend_tests!(nobody_acts_outside_their_scope);
async fn nobody_acts_outside_their_scope(backend: Backend) {
    let w = World::new(backend).await;
    let now = at(NOW);
    let admin = w.member(1, "mazandaran", Role::Admin).await;
    let political = w.member(2, "dg-political", Role::Staff).await;
    let amol_staff = w.member(3, "amol", Role::Staff).await;
    let amol = w.member(10, "amol", Role::Governor).await;
    let babol = w.member(11, "babol", Role::Governor).await;
    let fund = w.member(12, "fund", Role::Fund).await;
    let before = w.audits().await;

    // Roles that do not administer: refused, whatever the target.
    for who in [&amol, &fund] {
        let actor = Actor::Member(who);
        assert_eq!(
            admin::list(&w.svc, actor, None, now).await.unwrap(),
            Err(Refused::NotAllowed)
        );
        for change in [
            Change::Revoke(babol.member_id),
            Change::Move(babol.member_id, babol.unit_id, Role::Agency),
        ] {
            assert_eq!(
                w.attempt(actor, change, now).await,
                Err(Refused::NotAllowed)
            );
        }
    }

    // Staff of a county see and change their county only.
    let actor = Actor::Member(&amol_staff);
    let seen: Vec<i64> = admin::list(&w.svc, actor, None, now)
        .await
        .unwrap()
        .unwrap()
        .iter()
        .map(|l| l.member.member_id)
        .collect();
    let mut want = vec![amol_staff.member_id, amol.member_id];
    want.sort();
    let mut seen_sorted = seen.clone();
    seen_sorted.sort();
    assert_eq!(seen_sorted, want);
    let babol_unit = w.unit("babol").await;
    assert_eq!(
        admin::list(&w.svc, actor, Some(babol_unit), now)
            .await
            .unwrap(),
        Err(Refused::OutOfScope)
    );
    let amol_unit = w.unit("amol").await;
    let (nov, wrong_way, past) = (
        (day("1405/09/10"), day("1405/09/12")),
        (day("1405/09/12"), day("1405/09/10")),
        (day("1405/08/01"), day("1405/08/10")),
    );
    let cases = [
        (Change::Revoke(babol.member_id), Refused::OutOfScope),
        (
            Change::Move(amol.member_id, babol_unit, Role::Governor),
            Refused::OutOfScope,
        ),
        (
            Change::Move(babol.member_id, amol_unit, Role::Governor),
            Refused::OutOfScope,
        ),
        (
            Change::Move(amol.member_id, amol_unit, Role::Admin),
            Refused::RoleTooHigh,
        ),
        (
            Change::Move(amol.member_id, amol_unit, Role::Governor),
            Refused::Unchanged,
        ),
        (
            Change::Move(amol.member_id, i64::MAX, Role::Governor),
            Refused::OutOfScope,
        ),
        (Change::Revoke(i64::MAX), Refused::OutOfScope),
        (
            Change::Leave(babol.member_id, amol.member_id, nov),
            Refused::OutOfScope,
        ),
        (
            Change::Leave(amol.member_id, babol.member_id, nov),
            Refused::BadDeputy,
        ),
        (
            Change::Leave(amol.member_id, amol.member_id, nov),
            Refused::BadDeputy,
        ),
        (
            Change::Leave(amol.member_id, amol_staff.member_id, wrong_way),
            Refused::BadDates,
        ),
        (
            Change::Leave(amol.member_id, amol_staff.member_id, past),
            Refused::BadDates,
        ),
    ];
    for (change, want) in cases {
        assert_eq!(w.attempt(actor, change, now).await, Err(want), "{change:?}");
    }
    // Nothing changed, nothing audited.
    assert_eq!(w.audits().await, before);
    assert_eq!(
        w.store().active_member(babol.member_id).await.unwrap(),
        Some(babol.clone())
    );
    assert_eq!(
        w.store().active_member(amol.member_id).await.unwrap(),
        Some(amol.clone())
    );

    // The political directorate's staff look after the province: every member.
    let all = admin::list(&w.svc, Actor::Member(&political), None, now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(all.len(), 6);
    // Staff move within scope but never give the admin role; an admin does.
    let give_admin = Change::Move(amol_staff.member_id, babol_unit, Role::Admin);
    let by_staff = w.attempt(Actor::Member(&political), give_admin, now).await;
    assert_eq!(by_staff, Err(Refused::RoleTooHigh));
    let by_admin = w.attempt(Actor::Member(&admin), give_admin, now).await;
    assert_eq!(by_admin, Ok(amol_staff.member_id));
    let moved = w
        .store()
        .active_member(amol_staff.member_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((moved.unit_id, moved.role), (babol_unit, Role::Admin));
    let trail = w
        .store()
        .audit_of("member", &amol_staff.member_id.to_string())
        .await
        .unwrap();
    let (actor, action, detail) = trail.last().unwrap();
    assert_eq!(
        (actor.as_str(), action.as_str()),
        (format!("member:{}", admin.member_id).as_str(), "move")
    );
    assert!(
        detail.contains("\"role\":\"staff\"") && detail.contains("\"role\":\"admin\""),
        "{detail}"
    );
    assert_eq!(w.audits().await, before + 1);
}

backend_tests!(a_revoked_member_is_gone_but_its_reports_stay);
async fn a_revoked_member_is_gone_but_its_reports_stay(backend: Backend) {
    let w = World::new(backend).await;
    let amol = w.member(10, "amol", Role::Governor).await;
    w.tick("2026-11-22T05:30:00Z").await;
    assert_eq!(w.drain().await, [(10, MessageKind::Remind)]);
    let occ = w
        .store()
        .unit_occurrences(amol.unit_id, 140509, 140509)
        .await
        .unwrap()[0]
        .clone();
    let mut tx = w.store().begin().await.unwrap();
    let input = ReportInput {
        member_id: Some(amol.member_id),
        body: "برگزار شد".into(),
        held: Some(true),
        ..ReportInput::default()
    };
    let report_id = tx
        .save_report(occ.occurrence_id, &input, at(NOW).timestamp())
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let revoked = w
        .attempt(Actor::Cli, Change::Revoke(amol.member_id), at(NOW))
        .await;
    assert_eq!(revoked, Ok(amol.member_id));
    // The bot no longer knows the person; the report is still its.
    assert_eq!(
        w.store()
            .member_by_user(Platform::Telegram, 10)
            .await
            .unwrap(),
        None
    );
    let kept = w.store().report(report_id).await.unwrap().unwrap();
    assert_eq!(
        (kept.occurrence_id, kept.body.as_str()),
        (occ.occurrence_id, "برگزار شد")
    );
    // The member's row stays, so the report is still attributed to someone the bot knew.
    assert_eq!(
        w.store().member(amol.member_id).await.unwrap(),
        Some(amol.clone())
    );
    let trail = w
        .store()
        .audit_of("member", &amol.member_id.to_string())
        .await
        .unwrap();
    assert_eq!(
        trail.last().map(|(a, b, _)| (a.as_str(), b.as_str())),
        Some(("cli", "revoke"))
    );
    // Revoking again changes nothing; the next nudge does not reach it.
    let again = w
        .attempt(Actor::Cli, Change::Revoke(amol.member_id), at(NOW))
        .await;
    assert_eq!(again, Err(Refused::OutOfScope));
    assert_eq!(
        w.store()
            .audit_of("member", &amol.member_id.to_string())
            .await
            .unwrap()
            .len(),
        trail.len()
    );
    w.member(11, "amol", Role::Governor).await;
    w.tick("2026-12-23T05:30:00Z").await;
    assert_eq!(w.drain().await, [(11, MessageKind::Remind)]);
}

backend_tests!(a_deputy_stands_in_during_a_leave_and_not_after);
async fn a_deputy_stands_in_during_a_leave_and_not_after(backend: Backend) {
    let w = World::new(backend).await;
    let governor = w.member(10, "amol", Role::Governor).await;
    let deputy = w.member(20, "amol", Role::Staff).await;
    // 1405/09/01 09:00: the governor is reminded, the deputy (not a reporting role) is not.
    w.tick("2026-11-22T05:30:00Z").await;
    assert_eq!(w.drain().await, [(10, MessageKind::Remind)]);

    // A leave from 1405/09/20 to 1405/10/05, recorded from the CLI.
    let days = (day("1405/09/20"), day("1405/10/05"));
    let leave = Change::Leave(governor.member_id, deputy.member_id, days);
    assert_eq!(
        w.attempt(Actor::Cli, leave, at(NOW)).await,
        Ok(governor.member_id)
    );
    // A second leave on some of those days is refused, and changes nothing.
    let audits = w.audits().await;
    let overlapping = (day("1405/10/05"), day("1405/10/10"));
    let again = Change::Leave(governor.member_id, deputy.member_id, overlapping);
    assert_eq!(
        w.attempt(Actor::Cli, again, at(NOW)).await,
        Err(Refused::Overlaps)
    );
    assert_eq!(w.audits().await, audits);
    let trail = w
        .store()
        .audit_of("member", &governor.member_id.to_string())
        .await
        .unwrap();
    assert_eq!(
        trail.last().map(|(a, b, _)| (a.as_str(), b.as_str())),
        Some(("cli", "leave"))
    );
    let listed = admin::list(&w.svc, Actor::Cli, Some(governor.unit_id), at(NOW))
        .await
        .unwrap()
        .unwrap();
    let on_leave = listed
        .iter()
        .find(|l| l.member.member_id == governor.member_id)
        .unwrap();
    assert_eq!(
        on_leave.leave,
        Some((
            deputy.display_name.clone(),
            day("1405/09/20"),
            day("1405/10/05")
        ))
    );

    // The nudge of 1405/09/22 goes to the deputy, not to the governor on leave; so does the
    // month's reminder, still useful until the due date (a message is sent while it is
    // useful, whatever delayed it).
    w.tick("2026-12-13T05:30:00Z").await;
    assert_eq!(
        w.drain().await,
        [(20, MessageKind::Remind), (20, MessageKind::Nudge)]
    );
    let azar = w
        .store()
        .unit_occurrences(governor.unit_id, 140509, 140509)
        .await
        .unwrap()[0]
        .clone();
    let during = at("2026-12-14T08:00:00Z");
    assert!(
        report::may_report(&w.svc, &deputy, &azar, during)
            .await
            .unwrap()
    );
    assert!(
        !report::may_report(&w.svc, &deputy, &azar, at(NOW))
            .await
            .unwrap()
    );
    // 1405/10/02 (the 1st is a holiday): the month's reminder to the deputy only.
    w.tick("2026-12-23T05:30:00Z").await;
    let drained = w.drain().await;
    assert!(drained.contains(&(20, MessageKind::Remind)), "{drained:?}");
    assert!(!drained.iter().any(|(chat, _)| *chat == 10), "{drained:?}");

    // 1405/10/06: the leave is over; the governor is told, once, and gets the month's
    // reminder, still useful until its due date.
    let r = w.tick("2026-12-27T05:30:00Z").await;
    assert_eq!(r.leaves_ended, 1);
    assert_eq!(
        w.drain().await,
        [(10, MessageKind::Remind), (10, MessageKind::Alert)]
    );
    assert_eq!(w.tick("2026-12-27T05:31:00Z").await.leaves_ended, 0);
    assert_eq!(w.drain().await, []);
    let after = at("2026-12-28T08:00:00Z");
    assert!(
        !report::may_report(&w.svc, &deputy, &azar, after)
            .await
            .unwrap()
    );
    assert!(
        report::may_report(&w.svc, &governor, &azar, after)
            .await
            .unwrap()
    );
    // 1405/11/01: the reminder to the governor, nothing to the deputy.
    w.tick("2027-01-21T05:30:00Z").await;
    let drained = w.drain().await;
    assert!(drained.contains(&(10, MessageKind::Remind)), "{drained:?}");
    assert!(!drained.iter().any(|(chat, _)| *chat == 20), "{drained:?}");
}

backend_tests!(invites_from_the_chat_stay_within_scope);
async fn invites_from_the_chat_stay_within_scope(backend: Backend) {
    let w = World::new(backend).await;
    let now = at(NOW);
    let amol_staff = w.member(3, "amol", Role::Staff).await;
    let governor = w.member(10, "amol", Role::Governor).await;
    let admin = w.member(1, "mazandaran", Role::Admin).await;
    let before = w.audits().await;
    let mut rng = rand::rng();
    let cases = [
        (&governor, "amol", Role::Governor, Refused::NotAllowed),
        (&amol_staff, "babol", Role::Governor, Refused::OutOfScope),
        (&amol_staff, "amol", Role::Admin, Refused::RoleTooHigh),
    ];
    for (who, unit, role, want) in cases {
        let made = admin::invite(&w.svc, Actor::Member(who), (unit, role), now, &mut rng)
            .await
            .unwrap();
        assert_eq!(made.err(), Some(want), "{unit} {role}");
    }
    assert_eq!(w.audits().await, before);
    assert_eq!(w.store().count("invite").await.unwrap(), 0);
    // Within scope: one use, a week, audited with its author.
    for (who, unit, role) in [
        (&amol_staff, "amol", Role::Governor),
        (&admin, "babol", Role::Admin),
    ] {
        let made = admin::invite(&w.svc, Actor::Member(who), (unit, role), now, &mut rng)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (made.unit.key.as_str(), made.role, made.uses),
            (unit, role, 1)
        );
        assert_eq!(made.expires_at, Some(now + chrono::Duration::days(7)));
        let trail = w.store().audit_of("invite", unit).await.unwrap();
        assert_eq!(trail.last().unwrap().0, format!("member:{}", who.member_id));
    }
    assert_eq!(w.audits().await, before + 2);
}
