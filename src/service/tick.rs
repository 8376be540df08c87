//! The scheduler's tick: from the database alone, create the occurrences of the previous,
//! current and next month (idempotently), and enqueue the reminders, nudges and escalations
//! that are due. What fell due while the bot was down is sent while it is still useful (a
//! reminder or a nudge until its due time, an escalation for a day: [`useful_until`]); older
//! notices are recorded as missed, not sent late. Every notice has a unique key, so a tick run
//! twice, or by two processes, enqueues nothing twice.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc, Weekday};
use chrono_tz::Tz;

use crate::domain::calendar::{JalaliDate, Period};
use crate::domain::member::Role;
use crate::domain::notice::{Compose, MessageKind, Notice, ObligationName, useful_until};
use crate::domain::schedule::due_day;
use crate::store::{DueNotice, MemberRow, NewMessage, Store, StoreError};

use super::notify::{Keying, Queued, Recipient, notice_key};
use super::occurrence::ensure_period;
use super::work_calendar;

/// What the tick needs to know.
#[derive(Debug, Clone)]
pub struct TickConfig {
    /// The time zone of "today" and of reminder times.
    pub tz: Tz,
    /// Days off.
    pub weekend: Vec<Weekday>,
    /// The wording of notices.
    pub compose: Arc<dyn Compose>,
}

/// What one tick did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TickReport {
    /// Occurrences created (of the three months considered).
    pub occurrences: usize,
    /// Reminders enqueued.
    pub reminders: u64,
    /// Nudges enqueued.
    pub nudges: u64,
    /// Escalation messages enqueued.
    pub escalations: u64,
    /// Notices recorded as missed (no longer useful when they would have been enqueued).
    pub missed: u64,
    /// Daily digests enqueued.
    pub digests: u64,
    /// Leaves whose end was noticed (their members told).
    pub leaves_ended: u64,
}

struct Names {
    obligations: HashMap<i64, (ObligationName, i64)>,
    units: HashMap<i64, String>,
}

fn period_of(code: i64) -> Result<Period, StoreError> {
    Period::from_code(code as i32).map_err(|_| StoreError::Corrupt {
        table: "occurrence",
        column: "period".into(),
        value: code.to_string(),
    })
}

/// Runs one tick at `now`.
#[tracing::instrument(skip(store, config))]
pub async fn tick(
    store: &Store,
    config: &TickConfig,
    now: DateTime<Utc>,
) -> Result<TickReport, StoreError> {
    let mut report = TickReport::default();
    let cal = work_calendar(store, &config.weekend).await?;
    let current = JalaliDate::today(now, config.tz).period();
    for period in [current.prev(), current, current.next()] {
        report.occurrences += ensure_period(store, period, &cal, config.tz, now).await? as usize;
    }
    let from = i64::from(current.prev().code());
    let ts = now.timestamp();
    let names = Names {
        obligations: store
            .obligations()
            .await?
            .into_iter()
            .map(|o| {
                let name = ObligationName {
                    key: o.key,
                    title: o.title,
                };
                (o.obligation_id, (name, o.follow_up_unit_id))
            })
            .collect(),
        units: store
            .units()
            .await?
            .into_iter()
            .map(|u| (u.unit_id, u.name))
            .collect(),
    };
    let mut messages = Vec::new();

    // Notices in pages: a national fan-out is tens of thousands of rows.
    for kind in [MessageKind::Remind, MessageKind::Nudge] {
        let mut after = (0, 0);
        loop {
            let notices = store
                .due_notices(kind, (from, ts), after, NOTICE_CHUNK)
                .await?;
            let Some(last) = notices.last() else { break };
            after = (last.occurrence_id, last.member_id);
            let mut chunk: Vec<NewMessage> = Vec::with_capacity(notices.len());
            for notice in &notices {
                let missed = ts >= notice.due_at;
                match (kind, missed) {
                    (_, true) => report.missed += 1,
                    (MessageKind::Remind, false) => report.reminders += 1,
                    _ => report.nudges += 1,
                }
                chunk.extend(notice_messages(kind, notice, &names, config, missed)?);
            }
            store.enqueue(&chunk, ts).await?;
            if (notices.len() as i64) < NOTICE_CHUNK {
                break;
            }
        }
    }

    // Escalations: one message per recipient and obligation-month, naming every missing unit.
    let overdue = store.overdue(from, ts).await?;
    if !overdue.is_empty() {
        let members = store.members().await?;
        let mut groups: BTreeMap<(i64, i64), (i64, i64, BTreeSet<String>)> = BTreeMap::new();
        for o in &overdue {
            let entry = groups.entry((o.obligation_id, o.period)).or_insert((
                o.due_at,
                o.escalate_at,
                BTreeSet::new(),
            ));
            entry
                .2
                .insert(names.units.get(&o.unit_id).cloned().unwrap_or_default());
        }
        for ((obligation_id, period), (due_at, escalate_at, missing)) in groups {
            let Some((obligation, follow_up)) = names.obligations.get(&obligation_id) else {
                continue;
            };
            let recipients = members
                .iter()
                .filter(|m| m.reachable && (m.unit_id == *follow_up || m.role == Role::Fund));
            let expires_at = useful_until(MessageKind::Escalate, escalate_at * 1000, None);
            let missed = now.timestamp_millis() >= expires_at;
            let notice = Notice::Escalation {
                obligation: obligation.clone(),
                period: period_of(period)?,
                due: due_day(due_at, config.tz),
                missing: missing.into_iter().collect(),
            };
            for member in dedup(recipients) {
                let key = format!("escalate:{obligation_id}:{period}:{}", member.member_id);
                if store.is_enqueued(&format!("{key}:0")).await? {
                    continue;
                }
                let queued = Queued {
                    notice: &notice,
                    to: Recipient::from(member),
                    key,
                    keying: Keying::Parts,
                    occurrence_id: None,
                    not_before: now.timestamp_millis(),
                    expires_at,
                    missed,
                };
                messages.extend(queued.messages(config.compose.as_ref()));
                if missed {
                    report.missed += 1;
                } else {
                    report.escalations += 1;
                }
            }
        }
    }
    report.digests = super::alerts::digest(
        store,
        config.compose.as_ref(),
        config.tz,
        now,
        &mut messages,
    )
    .await?;
    // Leaves that ended: the member back is told, once (the notice's key), then the leave is
    // marked noticed.
    let (back, ended) =
        super::membership::admin::ended_leaves(store, config.compose.as_ref(), config.tz, now)
            .await?;
    report.leaves_ended = ended.len() as u64;
    messages.extend(back);
    if !messages.is_empty() {
        store.enqueue(&messages, ts).await?;
    }
    super::membership::admin::mark_ended(store, &ended, now).await?;
    Ok(report)
}

/// Notices rendered and enqueued at a time.
const NOTICE_CHUNK: i64 = 2_000;

fn dedup<'a>(members: impl Iterator<Item = &'a MemberRow>) -> Vec<&'a MemberRow> {
    let mut seen = BTreeSet::new();
    members.filter(|m| seen.insert(m.member_id)).collect()
}

fn notice_messages(
    kind: MessageKind,
    n: &DueNotice,
    names: &Names,
    config: &TickConfig,
    missed: bool,
) -> Result<Vec<NewMessage>, StoreError> {
    let obligation = names
        .obligations
        .get(&n.obligation_id)
        .map(|(o, _)| o.clone())
        .unwrap_or_default();
    let unit = names.units.get(&n.unit_id).cloned().unwrap_or_default();
    let (period, due) = (period_of(n.period)?, due_day(n.due_at, config.tz));
    let notice = match kind {
        MessageKind::Remind => Notice::Reminder {
            obligation,
            unit,
            period,
            due,
        },
        _ => Notice::Nudge {
            obligation,
            unit,
            period,
            due,
        },
    };
    let queued = Queued {
        notice: &notice,
        to: Recipient {
            member_id: n.member_id,
            platform: n.platform,
            chat_id: n.chat_id,
            lang: n.lang,
        },
        key: notice_key(kind, n.occurrence_id, n.member_id),
        keying: Keying::Whole,
        occurrence_id: Some(n.occurrence_id),
        not_before: n.due_notice_at * 1000,
        expires_at: useful_until(kind, n.due_notice_at * 1000, Some(n.due_at)),
        missed,
    };
    Ok(queued.messages(config.compose.as_ref()))
}
