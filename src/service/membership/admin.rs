//! Member administration: list a unit's members, revoke one, move one to another unit or role,
//! and record a leave with a deputy. Every change is audited. The bot (admins and staff, within
//! their scope: [`crate::domain::unit::scope`]) and the CLI (everything) call the same functions;
//! nothing here renders text.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::json;

use crate::domain::calendar::JalaliDate;
pub use crate::domain::member::Refused;
use crate::domain::member::{MemberLine, Role};
use crate::domain::notice::{Compose, MessageKind, Notice, useful_until};
use crate::domain::schedule::day_start;
use crate::domain::unit::scope;
use crate::store::{AuditEntry, LeaveRow, MemberRow, NewLeave, NewMessage, Store, StoreError};

use super::super::invite::{self, Invite, InviteError};
use super::super::notify::{Keying, Queued, Recipient};
use super::super::{Services, Work};

/// Who asks for a change.
#[derive(Debug, Clone, Copy)]
pub enum Actor<'a> {
    /// The operator, at the command line: every unit, every role.
    Cli,
    /// A member in the chat: admins and staff only, within their scope.
    Member(&'a MemberRow),
}

impl Actor<'_> {
    /// How the audit trail names it.
    pub fn name(&self) -> String {
        match self {
            Actor::Cli => "cli".to_owned(),
            Actor::Member(m) => format!("member:{}", m.member_id),
        }
    }
}

/// The units an actor administers: `None` for everything (the CLI).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope(Option<BTreeSet<i64>>);

impl Scope {
    /// Whether `unit_id` is in it.
    pub fn contains(&self, unit_id: i64) -> bool {
        self.0.as_ref().is_none_or(|s| s.contains(&unit_id))
    }
}

/// Whether a role administers members from the chat.
pub fn administers(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Staff)
}

/// The actor's scope, or [`Refused::NotAllowed`].
pub async fn scope_of(
    svc: &Services,
    actor: Actor<'_>,
) -> Result<Result<Scope, Refused>, StoreError> {
    let Actor::Member(m) = actor else {
        return Ok(Ok(Scope(None)));
    };
    if !administers(m.role) {
        return Ok(Err(Refused::NotAllowed));
    }
    let units = svc.store.units().await?;
    let tree: Vec<(i64, Option<i64>)> = units.iter().map(|u| (u.unit_id, u.parent_id)).collect();
    let Some(own) = units.iter().find(|u| u.unit_id == m.unit_id) else {
        return Ok(Ok(Scope(Some(BTreeSet::new()))));
    };
    Ok(Ok(Scope(Some(scope(
        own.unit_id,
        own.kind,
        own.parent_id,
        &tree,
    )))))
}

/// A member as listed, with its unit's name and its leave (current or coming), if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// The member.
    pub member: MemberRow,
    /// Its unit's name.
    pub unit: String,
    /// Its leave not yet over: the deputy's name, from, until (inclusive days).
    pub leave: Option<(String, JalaliDate, JalaliDate)>,
}

/// The members the actor may see (of `unit_id` only, when given), by unit and name.
pub async fn list(
    svc: &Services,
    actor: Actor<'_>,
    unit_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Result<Vec<Listed>, Refused>, StoreError> {
    let scope = match scope_of(svc, actor).await? {
        Ok(s) => s,
        Err(r) => return Ok(Err(r)),
    };
    if unit_id.is_some_and(|u| !scope.contains(u)) {
        return Ok(Err(Refused::OutOfScope));
    }
    let members = svc.store.members().await?;
    let leaves = svc.store.leaves_not_over(now.timestamp()).await?;
    let mut out = Vec::new();
    for m in members {
        if !scope.contains(m.unit_id) || unit_id.is_some_and(|u| u != m.unit_id) {
            continue;
        }
        let leave = match leaves.iter().find(|l| l.member_id == m.member_id) {
            Some(l) => {
                let deputy = svc.store.member(l.deputy_id).await?;
                let (from, until) = leave_days(svc.tz, l);
                Some((
                    deputy.map(|d| d.display_name).unwrap_or_default(),
                    from,
                    until,
                ))
            }
            None => None,
        };
        out.push(Listed {
            unit: svc.unit_name(m.unit_id).await?,
            member: m,
            leave,
        });
    }
    out.sort_by(|a, b| (&a.unit, &a.member.display_name).cmp(&(&b.unit, &b.member.display_name)));
    Ok(Ok(out))
}

impl Listed {
    /// The member as a line to word.
    pub fn line(&self) -> MemberLine<'_> {
        let m = &self.member;
        MemberLine {
            id: m.member_id,
            name: &m.display_name,
            role: m.role,
            unit: &self.unit,
            platform: m.platform,
            reachable: m.reachable,
            leave: self.leave.as_ref().map(|(d, f, u)| (d.as_str(), *f, *u)),
        }
    }
}

fn leave_days(tz: Tz, l: &LeaveRow) -> (JalaliDate, JalaliDate) {
    let day = |ts: i64| JalaliDate::today(DateTime::from_timestamp(ts, 0).unwrap_or_default(), tz);
    (day(l.starts_at), day(l.ends_at - 1))
}

/// An active member the actor may change, or why not.
async fn target(
    svc: &Services,
    actor: Actor<'_>,
    member_id: i64,
) -> Result<Result<(Scope, MemberRow), Refused>, StoreError> {
    let scope = match scope_of(svc, actor).await? {
        Ok(s) => s,
        Err(r) => return Ok(Err(r)),
    };
    match svc.store.active_member(member_id).await? {
        Some(m) if scope.contains(m.unit_id) => Ok(Ok((scope, m))),
        _ => Ok(Err(Refused::OutOfScope)),
    }
}

async fn audit(
    work: &mut Work<'_>,
    actor: Actor<'_>,
    action: &str,
    member_id: i64,
    detail: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let entry = AuditEntry {
        actor: &actor.name(),
        action,
        entity: "member",
        entity_key: &member_id.to_string(),
        detail: detail.to_string(),
    };
    work.tx().await?.audit(&entry, now.timestamp()).await
}

/// Whether the actor may check `member_id` for revoking: the member, if so (nothing changes).
pub async fn may_revoke(
    svc: &Services,
    actor: Actor<'_>,
    member_id: i64,
) -> Result<Result<MemberRow, Refused>, StoreError> {
    Ok(target(svc, actor, member_id).await?.map(|(_, m)| m))
}

/// Revokes a member, in `work`: it can no longer use the bot; its reports stay, attributed.
pub async fn revoke(
    svc: &Services,
    work: &mut Work<'_>,
    actor: Actor<'_>,
    member_id: i64,
    now: DateTime<Utc>,
) -> Result<Result<MemberRow, Refused>, StoreError> {
    let m = match target(svc, actor, member_id).await? {
        Ok((_, m)) => m,
        Err(r) => return Ok(Err(r)),
    };
    if !work
        .tx()
        .await?
        .revoke_member(member_id, now.timestamp())
        .await?
    {
        return Ok(Err(Refused::AlreadyRevoked));
    }
    let detail = json!({ "unit_id": m.unit_id, "role": m.role.as_str() });
    audit(work, actor, "revoke", member_id, detail, now).await?;
    Ok(Ok(m))
}

/// Moves a member to `unit_id` with `role`, in `work`; both units must be in the actor's
/// scope, and only an admin (or the CLI) gives the admin role. Returns the member as it was.
pub async fn move_member(
    svc: &Services,
    work: &mut Work<'_>,
    actor: Actor<'_>,
    member_id: i64,
    (unit_id, role): (i64, Role),
    now: DateTime<Utc>,
) -> Result<Result<MemberRow, Refused>, StoreError> {
    let (scope, m) = match target(svc, actor, member_id).await? {
        Ok(t) => t,
        Err(r) => return Ok(Err(r)),
    };
    if !scope.contains(unit_id) || svc.store.unit(unit_id).await?.is_none() {
        return Ok(Err(Refused::OutOfScope));
    }
    if let Err(r) = may_give(actor, role) {
        return Ok(Err(r));
    }
    if (m.unit_id, m.role) == (unit_id, role) {
        return Ok(Err(Refused::Unchanged));
    }
    work.tx()
        .await?
        .move_member(member_id, unit_id, role, now.timestamp())
        .await?;
    let detail = json!({
        "from": { "unit_id": m.unit_id, "role": m.role.as_str() },
        "to": { "unit_id": unit_id, "role": role.as_str() },
    });
    audit(work, actor, "move", member_id, detail, now).await?;
    Ok(Ok(m))
}

/// Whether the actor may give `role` (to an invite or a move): only an admin gives admin.
pub fn may_give(actor: Actor<'_>, role: Role) -> Result<(), Refused> {
    match actor {
        Actor::Member(m) if role == Role::Admin && m.role != Role::Admin => {
            Err(Refused::RoleTooHigh)
        }
        _ => Ok(()),
    }
}

/// A recorded leave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leave {
    /// Its id.
    pub leave_id: i64,
    /// The member away.
    pub member: MemberRow,
    /// The deputy.
    pub deputy: MemberRow,
}

/// Records a leave of `member_id` from `from` to `until` (inclusive days, in the service's
/// time zone) with `deputy_id`, an active member of the same unit, standing in: in `work`.
pub async fn leave(
    svc: &Services,
    work: &mut Work<'_>,
    actor: Actor<'_>,
    (member_id, deputy_id): (i64, i64),
    (from, until): (JalaliDate, JalaliDate),
    now: DateTime<Utc>,
) -> Result<Result<Leave, Refused>, StoreError> {
    let m = match target(svc, actor, member_id).await? {
        Ok((_, m)) => m,
        Err(r) => return Ok(Err(r)),
    };
    let deputy = match svc.store.active_member(deputy_id).await? {
        Some(d) if d.unit_id == m.unit_id && d.member_id != m.member_id => d,
        _ => return Ok(Err(Refused::BadDeputy)),
    };
    let Ok(after) = until.checked_add_days(1) else {
        return Ok(Err(Refused::BadDates));
    };
    let starts_at = day_start(from, svc.tz).timestamp();
    let ends_at = day_start(after, svc.tz).timestamp();
    if ends_at <= starts_at || ends_at <= now.timestamp() {
        return Ok(Err(Refused::BadDates));
    }
    let leaves = svc.store.leaves_not_over(now.timestamp()).await?;
    if leaves
        .iter()
        .any(|l| l.member_id == member_id && l.starts_at < ends_at && starts_at < l.ends_at)
    {
        return Ok(Err(Refused::Overlaps));
    }
    let new = NewLeave {
        member_id,
        deputy_id,
        unit_id: m.unit_id,
        starts_at,
        ends_at,
        created_by: &actor.name(),
    };
    let leave_id = work.tx().await?.insert_leave(&new, now.timestamp()).await?;
    let detail = json!({
        "leave_id": leave_id, "deputy_id": deputy_id, "unit_id": m.unit_id,
        "from": from.to_string(), "until": until.to_string(),
    });
    audit(work, actor, "leave", member_id, detail, now).await?;
    Ok(Ok(Leave {
        leave_id,
        member: m,
        deputy,
    }))
}

/// The leaves that ended by `now` and were not yet noticed: the notices telling each member
/// back from leave (keyed `leave-end:ID`, so queued once), and the leaves to mark noticed once
/// the notices are queued ([`mark_ended`]).
pub async fn ended_leaves(
    store: &Store,
    compose: &dyn Compose,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<(Vec<NewMessage>, Vec<i64>), StoreError> {
    let mut messages = Vec::new();
    let mut ids = Vec::new();
    for l in store.leaves_ended(now.timestamp()).await? {
        ids.push(l.member_leave_id);
        let Some(member) = store.active_member(l.member_id).await? else {
            continue;
        };
        if !member.reachable {
            continue;
        }
        let deputy = store
            .member(l.deputy_id)
            .await?
            .map(|d| d.display_name)
            .unwrap_or_default();
        let day =
            |ts: i64| JalaliDate::today(DateTime::from_timestamp(ts, 0).unwrap_or_default(), tz);
        let notice = Notice::LeaveEnded {
            unit: super::super::unit_name(store, l.unit_id).await?,
            deputy,
            from: day(l.starts_at),
            until: day(l.ends_at - 1),
        };
        let queued = Queued {
            notice: &notice,
            to: Recipient::from(&member),
            key: format!("leave-end:{}", l.member_leave_id),
            keying: Keying::Whole,
            occurrence_id: None,
            not_before: now.timestamp_millis(),
            expires_at: useful_until(MessageKind::Alert, now.timestamp_millis(), None),
            missed: false,
        };
        messages.extend(queued.messages(compose));
    }
    Ok((messages, ids))
}

/// Marks leaves' ends noticed (after their notices were queued).
pub async fn mark_ended(store: &Store, ids: &[i64], now: DateTime<Utc>) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut tx = store.begin().await?;
    for id in ids {
        tx.mark_leave_ended(*id, now.timestamp()).await?;
    }
    tx.commit().await
}

/// An invite from the chat: the unit found by name (as [`invite::find_unit`] finds it), in
/// the actor's scope, with a role it may give; one use, valid for a week. The outer error is
/// the look-up's (unknown or ambiguous name).
pub async fn invite(
    svc: &Services,
    actor: Actor<'_>,
    (unit_query, role): (&str, Role),
    now: DateTime<Utc>,
    rng: &mut impl rand::Rng,
) -> Result<Result<Invite, Refused>, InviteError> {
    let scope = match scope_of(svc, actor).await? {
        Ok(s) => s,
        Err(r) => return Ok(Err(r)),
    };
    if let Err(r) = may_give(actor, role) {
        return Ok(Err(r));
    }
    let unit = invite::find_unit(&svc.store, unit_query, Some(role)).await?;
    if !scope.contains(unit.unit_id) {
        return Ok(Err(Refused::OutOfScope));
    }
    let valid = (1, Some(chrono::Duration::days(7)));
    Ok(Ok(invite::issue(
        &svc.store,
        unit,
        role,
        valid,
        now,
        rng,
        &actor.name(),
    )
    .await?))
}

/// What joining with `code` would change for `member`, already a member: the unit's name and
/// the role it would move to, when the code is valid and names another unit or role (the bot
/// asks before it moves anyone); `None` otherwise (nothing is used or changed here).
pub async fn join_would_move(
    svc: &Services,
    member: &MemberRow,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Option<(String, Role)>, StoreError> {
    let code = super::code_key(code);
    let Some(invite) = svc.store.invite(&code).await? else {
        return Ok(None);
    };
    let valid =
        invite.uses < invite.max_uses && invite.expires_at.is_none_or(|at| at > now.timestamp());
    if !valid || (invite.unit_id, invite.role) == (member.unit_id, member.role) {
        return Ok(None);
    }
    Ok(Some((svc.unit_name(invite.unit_id).await?, invite.role)))
}
