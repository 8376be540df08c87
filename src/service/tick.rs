//! The scheduler's tick: from the database alone, create the occurrences of the previous,
//! current and next month (idempotently), and enqueue the reminders, nudges and escalations
//! that are due. What fell due while the bot was down is caught up within the grace; older
//! notices are recorded as missed, not sent late. Every notice has a unique key, so a tick run
//! twice, or by two processes, enqueues nothing twice.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Duration, Utc, Weekday};
use chrono_tz::Tz;

use crate::domain::Lang;
use crate::domain::calendar::{JalaliDate, Period};
use crate::render::{MESSAGE_LIMIT, split_message};
use crate::store::{DueNotice, MemberRow, NewMessage, Store, StoreError};
use crate::t;

use super::occurrence::ensure_period;
use super::work_calendar;

/// Priorities in the queue: lower goes first.
pub mod priority {
    /// Answers to what a member just sent.
    pub const REPLY: i64 = -10;
    /// Alerts to fund managers and admins.
    pub const ALERT: i64 = 0;
    /// Escalations.
    pub const ESCALATE: i64 = 10;
    /// Nudges.
    pub const NUDGE: i64 = 20;
    /// Monthly reminders.
    pub const REMIND: i64 = 30;
}

/// What the tick needs to know.
#[derive(Debug, Clone)]
pub struct TickConfig {
    /// The time zone of "today" and of reminder times.
    pub tz: Tz,
    /// Days off.
    pub weekend: Vec<Weekday>,
    /// How late a notice may still be sent after it fell due.
    pub grace: Duration,
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
    /// Notices recorded as missed (fell due longer ago than the grace).
    pub missed: u64,
    /// Daily digests enqueued.
    pub digests: u64,
}

struct Names {
    obligations: HashMap<i64, (String, String, i64)>,
    units: HashMap<i64, String>,
}

fn lang_of(code: &str) -> Lang {
    Lang::parse(code).unwrap_or_default()
}

fn due_date(due_at: i64, tz: Tz) -> JalaliDate {
    // `due_at` is the first instant after the due day.
    let last_second = DateTime::from_timestamp(due_at - 1, 0).unwrap_or_default();
    JalaliDate::today(last_second, tz)
}

fn period_name(code: i64, lang: Lang) -> String {
    Period::from_code(code as i32)
        .map(|p| p.name(lang))
        .unwrap_or_default()
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
            .map(|o| (o.obligation_id, (o.key, o.title, o.follow_up_unit_id)))
            .collect(),
        units: store
            .units()
            .await?
            .into_iter()
            .map(|u| (u.unit_id, u.name))
            .collect(),
    };
    let grace = config.grace.num_seconds();
    let mut messages = Vec::new();

    // Notices in pages: a national fan-out is tens of thousands of rows.
    for kind in ["remind", "nudge"] {
        let mut after = (0, 0);
        loop {
            let notices = store
                .due_notices(kind, (from, ts), after, NOTICE_CHUNK)
                .await?;
            let Some(last) = notices.last() else { break };
            after = (last.occurrence_id, last.member_id);
            let chunk: Vec<NewMessage> = notices
                .iter()
                .map(|notice| {
                    let missed = ts - notice.due_notice_at > grace;
                    match (kind, missed) {
                        (_, true) => report.missed += 1,
                        ("remind", false) => report.reminders += 1,
                        _ => report.nudges += 1,
                    }
                    notice_message(kind, notice, &names, config.tz, missed)
                })
                .collect();
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
            let Some((key, title, follow_up)) = names.obligations.get(&obligation_id) else {
                continue;
            };
            let recipients = members
                .iter()
                .filter(|m| m.reachable && (m.unit_id == *follow_up || m.role == "fund"));
            let missed = ts - escalate_at > grace;
            for member in dedup(recipients) {
                let first_key = format!("escalate:{obligation_id}:{period}:{}:0", member.member_id);
                if store.is_enqueued(&first_key).await? {
                    continue;
                }
                let lang = lang_of(&member.lang);
                let mut text = t!(
                    lang,
                    "escalation",
                    key = key.clone(),
                    title = title.clone(),
                    period = period_name(period, lang),
                    due = due_date(due_at, config.tz).format(lang.digits()),
                    count = missing.len()
                );
                for unit in &missing {
                    text.push_str("\n• ");
                    text.push_str(unit);
                }
                for (part, body) in split_message(&text, MESSAGE_LIMIT).into_iter().enumerate() {
                    messages.push(NewMessage {
                        dedup_key: format!(
                            "escalate:{obligation_id}:{period}:{}:{part}",
                            member.member_id
                        ),
                        platform: member.platform.clone(),
                        chat_id: member.chat_id,
                        member_id: Some(member.member_id),
                        kind: "escalate".into(),
                        occurrence_id: None,
                        body,
                        priority: priority::ESCALATE,
                        not_before: now.timestamp_millis(),
                        state: if missed { "missed" } else { "pending" },
                        payload: None,
                    });
                }
                if missed {
                    report.missed += 1;
                } else {
                    report.escalations += 1;
                }
            }
        }
    }
    report.digests = digest(store, config, now, &mut messages).await?;
    if !messages.is_empty() {
        store.enqueue(&messages, ts).await?;
    }
    Ok(report)
}

/// Notices rendered and enqueued at a time.
const NOTICE_CHUNK: i64 = 2_000;

/// The local time of the fund managers' daily digest.
pub const DIGEST_AT: (u8, u8) = (20, 0);

/// The daily digest: from 20:00 local, each fund manager gets the reports first received in
/// the 24 hours before (none when there were none). Returns how many digests were added.
async fn digest(
    store: &Store,
    config: &TickConfig,
    now: DateTime<Utc>,
    messages: &mut Vec<NewMessage>,
) -> Result<u64, StoreError> {
    let today = JalaliDate::today(now, config.tz);
    let at = crate::domain::obligation::TimeOfDay::new(DIGEST_AT.0, DIGEST_AT.1)
        .unwrap_or(crate::domain::obligation::TimeOfDay::NINE);
    let end = crate::domain::schedule::instant(today, at, config.tz);
    if now < end || now - end > config.grace {
        return Ok(0);
    }
    let recipients = store.members_with_roles(&["fund"]).await?;
    let mut fresh = Vec::new();
    for m in &recipients {
        if !store
            .is_enqueued(&format!("digest:{today}:{}:0", m.member_id))
            .await?
        {
            fresh.push(m);
        }
    }
    if fresh.is_empty() {
        return Ok(0);
    }
    let reports = store
        .reports_between((end - Duration::hours(24)).timestamp(), end.timestamp())
        .await?;
    if reports.is_empty() {
        return Ok(0);
    }
    let added = fresh.len() as u64;
    for m in fresh {
        let lang = lang_of(&m.lang);
        let mut text = t!(
            lang,
            "digest",
            date = today.format(lang.digits()),
            count = reports.len()
        );
        for r in &reports {
            let held = match r.held {
                Some(true) => t!(lang, "held-yes"),
                Some(false) => t!(lang, "held-no"),
                None => "—".to_owned(),
            };
            let insured = r
                .insured
                .filter(|n| *n > 0)
                .map(|n| t!(lang, "digest-insured", count = n))
                .unwrap_or_default();
            let late = if r.late {
                t!(lang, "digest-late")
            } else {
                String::new()
            };
            text.push('\n');
            text.push_str(&t!(
                lang,
                "digest-line",
                key = r.key.clone(),
                unit = r.unit.clone(),
                held = held,
                insured = insured,
                late = late
            ));
        }
        for (part, body) in split_message(&text, MESSAGE_LIMIT).into_iter().enumerate() {
            messages.push(NewMessage {
                dedup_key: format!("digest:{today}:{}:{part}", m.member_id),
                platform: m.platform.clone(),
                chat_id: m.chat_id,
                member_id: Some(m.member_id),
                kind: "digest".into(),
                occurrence_id: None,
                body,
                priority: priority::ALERT,
                not_before: now.timestamp_millis(),
                state: "pending",
                payload: None,
            });
        }
    }
    Ok(added)
}

fn dedup<'a>(members: impl Iterator<Item = &'a MemberRow>) -> Vec<&'a MemberRow> {
    let mut seen = BTreeSet::new();
    members.filter(|m| seen.insert(m.member_id)).collect()
}

fn notice_message(kind: &str, n: &DueNotice, names: &Names, tz: Tz, missed: bool) -> NewMessage {
    let lang = lang_of(&n.lang);
    let (key, title) = names
        .obligations
        .get(&n.obligation_id)
        .map(|(k, t, _)| (k.clone(), t.clone()))
        .unwrap_or_default();
    let unit = names.units.get(&n.unit_id).cloned().unwrap_or_default();
    let due = due_date(n.due_at, tz).format(lang.digits());
    let period = period_name(n.period, lang);
    let (body, priority) = match kind {
        "remind" => (
            t!(
                lang,
                "reminder",
                key = key,
                title = title,
                unit = unit,
                period = period,
                due = due
            ),
            priority::REMIND,
        ),
        _ => (
            t!(
                lang,
                "nudge",
                key = key,
                title = title,
                unit = unit,
                period = period,
                due = due
            ),
            priority::NUDGE,
        ),
    };
    NewMessage {
        dedup_key: format!("{kind}:{}:{}", n.occurrence_id, n.member_id),
        platform: n.platform.clone(),
        chat_id: n.chat_id,
        member_id: Some(n.member_id),
        kind: kind.to_owned(),
        occurrence_id: Some(n.occurrence_id),
        body,
        priority,
        not_before: n.due_notice_at * 1000,
        state: if missed { "missed" } else { "pending" },
        payload: None,
    }
}
