//! Alerts to fund managers and admins: quota milestones after a report, members the bot can no
//! longer reach, messages given up, and the fund's daily digest of new reports. Each is decided here as a typed
//! [`Notice`] and queued once (its key says so); the wording is the adapters' [`Compose`].

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use crate::domain::calendar::{JalaliDate, Period};
use crate::domain::member::{Platform, Role};
use crate::domain::notice::{
    Compose, DigestLine, MessageKind, Notice, ObligationName, USEFUL_FOR_MS,
};
use crate::domain::obligation::TimeOfDay;
use crate::store::{GivenUp, NewMessage, OccurrenceInfo, Store, StoreError};

use super::Work;
use super::notify::{Keying, Queued, Recipient};

/// The local time of the fund managers' daily digest.
pub const DIGEST_AT: (u8, u8) = (20, 0);

/// The roles that receive alerts.
const ALERTED: [Role; 2] = [Role::Fund, Role::Admin];

/// The quota levels that raise a milestone, highest first.
const LEVELS: [u8; 3] = [100, 75, 50];

/// After a report on a quota: when the unit's progress this year crosses 50, 75 or 100%, the
/// fund managers and admins are told (once per unit, obligation, year and level), in `work`.
/// Returns the level crossed, if any.
pub async fn milestones(
    work: &mut Work<'_>,
    compose: &dyn Compose,
    occ: &OccurrenceInfo,
    period: Period,
    now: DateTime<Utc>,
) -> Result<Option<u8>, StoreError> {
    let from = i64::from(period.year()) * 100 + 1;
    let Some((target, achieved)) = work
        .tx()
        .await?
        .quota_of(occ.obligation_id, occ.unit_id, from, occ.period)
        .await?
    else {
        return Ok(None);
    };
    let percent = achieved * 100 / target;
    let Some(level) = LEVELS.into_iter().find(|l| percent >= i64::from(*l)) else {
        return Ok(None);
    };
    let store = work.store();
    let notice = Notice::Milestone {
        obligation: ObligationName {
            key: occ.key.clone(),
            title: occ.title.clone(),
        },
        unit: super::unit_name(store, occ.unit_id).await?,
        level,
        achieved,
        target,
    };
    let mut messages = Vec::new();
    for m in store.members_with_roles(&ALERTED).await? {
        let key = format!(
            "milestone:{}:{}:{}:{level}:{}",
            occ.obligation_id,
            occ.unit_id,
            period.year(),
            m.member_id
        );
        messages.extend(alert(&notice, Recipient::from(&m), key, now).messages(compose));
    }
    work.queue(&messages, now.timestamp()).await?;
    Ok(Some(level))
}

/// A send to `chat_id` of `platform` was refused for good (the member blocked the bot): marks
/// its members unreachable and tells the fund managers and admins, once a day per member.
/// Returns how many members were marked.
pub async fn unreachable(
    store: &Store,
    compose: &dyn Compose,
    platform: Platform,
    chat_id: i64,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let changed = store
        .mark_unreachable(platform, chat_id, now.timestamp())
        .await?;
    if changed.is_empty() {
        return Ok(0);
    }
    let recipients = store.members_with_roles(&ALERTED).await?;
    let mut messages = Vec::new();
    for lost in &changed {
        let notice = Notice::Unreachable {
            name: lost.display_name.clone(),
            unit: super::unit_name(store, lost.unit_id).await?,
            platform: lost.platform,
        };
        for r in &recipients {
            let day = now.timestamp() / 86_400;
            let key = format!("unreachable:{}:{day}:{}", lost.member_id, r.member_id);
            messages.extend(alert(&notice, Recipient::from(r), key, now).messages(compose));
        }
    }
    store.enqueue(&messages, now.timestamp()).await?;
    Ok(changed.len())
}

/// Messages of `platform` were given up (no longer useful, still unsent): the admins are told
/// once per sweep that gave something up, unless all that was given up were alerts (an alert
/// about alerts that could not be sent would not be sent either). Returns the alerts queued.
pub async fn given_up(
    store: &Store,
    compose: &dyn Compose,
    platform: Platform,
    given: &GivenUp,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    if given
        .counts
        .iter()
        .all(|(kind, _)| *kind == MessageKind::Alert)
    {
        return Ok(0);
    }
    let notice = Notice::GivenUp {
        platform,
        counts: given.counts.clone(),
        last_error: given.last_error.clone(),
    };
    let mut messages = Vec::new();
    for admin in store.members_with_roles(&[Role::Admin]).await? {
        let key = format!(
            "given-up:{platform}:{}:{}",
            now.timestamp_millis(),
            admin.member_id
        );
        messages.extend(alert(&notice, Recipient::from(&admin), key, now).messages(compose));
    }
    store.enqueue(&messages, now.timestamp()).await
}

/// An alert of `notice` to `to`, once (by `key`), to be sent now.
fn alert<'n>(notice: &'n Notice, to: Recipient, key: String, now: DateTime<Utc>) -> Queued<'n> {
    Queued {
        notice,
        to,
        key,
        keying: Keying::Whole,
        occurrence_id: None,
        not_before: now.timestamp_millis(),
        expires_at: now.timestamp_millis() + USEFUL_FOR_MS,
        missed: false,
    }
}

/// The daily digest: from 20:00 local, each fund manager gets the reports first received in
/// the 24 hours before (none when there were none). Adds its messages to `messages` and
/// returns how many digests were added.
pub async fn digest(
    store: &Store,
    compose: &dyn Compose,
    tz: Tz,
    now: DateTime<Utc>,
    messages: &mut Vec<NewMessage>,
) -> Result<u64, StoreError> {
    let today = JalaliDate::today(now, tz);
    let at = TimeOfDay::new(DIGEST_AT.0, DIGEST_AT.1).unwrap_or(TimeOfDay::NINE);
    let end = crate::domain::schedule::instant(today, at, tz);
    // Worth sending for a day, as every message but the reminders (after that, the next
    // evening's digest covers the next day).
    if now < end || (now - end).num_milliseconds() >= USEFUL_FOR_MS {
        return Ok(0);
    }
    let recipients = store.members_with_roles(&[Role::Fund]).await?;
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
    let notice = Notice::Digest {
        date: today,
        reports: reports
            .into_iter()
            .map(|r| DigestLine {
                key: r.key,
                unit: r.unit,
                held: r.held,
                insured: r.insured,
                late: r.late,
            })
            .collect(),
    };
    let added = fresh.len() as u64;
    for m in fresh {
        let queued = Queued {
            notice: &notice,
            to: Recipient::from(m),
            key: format!("digest:{today}:{}", m.member_id),
            keying: Keying::Parts,
            occurrence_id: None,
            not_before: now.timestamp_millis(),
            expires_at: end.timestamp_millis() + USEFUL_FOR_MS,
            missed: false,
        };
        messages.extend(queued.messages(compose));
    }
    Ok(added)
}
