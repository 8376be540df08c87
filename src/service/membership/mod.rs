//! Membership: who a person is to the bot (a member of a unit with a role), joining with an
//! invite code, and a member's language; in [`admin`], listing, revoking and moving members and
//! leaves with a deputy.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::domain::Lang;
use crate::domain::calendar::{JalaliDate, Period};
use crate::domain::member::{Platform, Role};
use crate::domain::notice::{MessageKind, Notice, ObligationName, useful_until};
use crate::domain::schedule::due_day;
use crate::domain::text::to_ascii_digits;
pub use crate::store::Lookup;
use crate::store::{AuditEntry, MemberRow, NewMember, NewMessage, OccurrenceInfo, StoreError};

use super::notify::{Keying, Queued, Recipient, notice_key};

pub mod admin;

use super::report::State;
use super::{Services, Work};

/// A person writing to the bot, as the messenger names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// The platform.
    pub platform: Platform,
    /// The platform's user id.
    pub user_id: i64,
    /// The private chat with the bot.
    pub chat_id: i64,
    /// The name to show (at most 128 characters are kept).
    pub name: String,
    /// The language the messenger says the person uses.
    pub lang: Lang,
}

/// A member and what it is in the middle of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known {
    /// The member.
    pub member: MemberRow,
    /// Its conversation state (a `/report` choice), if any.
    pub state: Option<State>,
    /// Whether a state is stored (readable or not): a report clears it.
    pub has_state: bool,
    /// The occurrence of the bot's message the person's message replies to, if it was about one.
    pub replied: Option<OccurrenceInfo>,
    /// The report of the bot's confirmation the person's message replies to, if it was one.
    pub replied_report: Option<i64>,
}

/// The member a person is on `platform`, with its conversation state and, when its message
/// replies to one of the bot's (`replied`: the chat and that message's id), the occurrence that
/// message was about: one read.
pub async fn identify(
    svc: &Services,
    platform: Platform,
    user_id: i64,
    replied: Option<(i64, i64)>,
) -> Result<Option<Known>, StoreError> {
    let mut found = identify_all(svc, platform, &[(user_id, replied)]).await?;
    Ok(found.remove(&(user_id, replied)))
}

/// [`identify`] for the people of a run of updates handled together, in one read per few
/// dozen: by lookup, for those who are members.
pub async fn identify_all(
    svc: &Services,
    platform: Platform,
    lookups: &[Lookup],
) -> Result<HashMap<Lookup, Known>, StoreError> {
    Ok(svc
        .store
        .members_and_states(platform, lookups)
        .await?
        .into_iter()
        .map(|(lookup, found)| {
            let known = Known {
                member: found.member,
                replied: found.replied,
                replied_report: found.replied_report,
                has_state: found.state.is_some(),
                // A state this version cannot read is no state; the member's next report
                // clears it all the same.
                state: found.state.and_then(|s| serde_json::from_str(&s).ok()),
            };
            (lookup, known)
        })
        .collect())
}

/// The member a person is on `platform`.
pub async fn member(
    svc: &Services,
    platform: Platform,
    user_id: i64,
) -> Result<Option<MemberRow>, StoreError> {
    svc.store.member_by_user(platform, user_id).await
}

/// What joining came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Joined {
    /// The person is now a member of `unit` with `role`.
    Joined {
        /// The member.
        member_id: i64,
        /// The unit's name.
        unit: String,
        /// The role.
        role: Role,
        /// The member's language (kept if it was a member before).
        lang: Lang,
    },
    /// The code is unknown, used up or expired.
    BadCode,
}

/// Joins `person` with an invite `code` (typed in any digits and case), in `work`: uses one use
/// of the invite, makes (or rebinds) the member, and audits it. `known` is the member the person
/// already is, if any (its language is kept).
pub async fn join(
    svc: &Services,
    work: &mut Work<'_>,
    person: &Person,
    known: Option<&MemberRow>,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Joined, StoreError> {
    let code = code_key(code);
    let ts = now.timestamp();
    if work.is_idle() {
        // The month's occurrences exist before the reminders a member joining late is sent
        // are read (the tick may not have run yet); first, as they are written apart.
        let cal = svc.calendar().await?;
        let current = JalaliDate::today(now, svc.tz).period();
        for period in [current.prev(), current] {
            super::occurrence::ensure_period(&svc.store, period, &cal, svc.tz, now).await?;
        }
    }
    let Some(invite) = work.tx().await?.use_invite(&code, ts).await? else {
        return Ok(Joined::BadCode);
    };
    let lang = known.map(|m| m.lang).unwrap_or(person.lang);
    let name: String = person.name.chars().take(128).collect();
    let tx = work.tx().await?;
    let member_id = tx
        .upsert_member(
            &NewMember {
                platform: person.platform,
                user_id: person.user_id,
                chat_id: person.chat_id,
                unit_id: invite.unit_id,
                role: invite.role,
                display_name: &name,
                lang,
            },
            ts,
        )
        .await?;
    tx.audit(
        &AuditEntry {
            actor: &format!("member:{member_id}"),
            action: "join",
            entity: "member",
            entity_key: &member_id.to_string(),
            detail: json!({
                "unit_id": invite.unit_id,
                "role": invite.role.as_str(),
                "platform": person.platform.as_str(),
            })
            .to_string(),
        },
        ts,
    )
    .await?;
    if invite.role.reports() {
        let to = Recipient {
            member_id,
            platform: person.platform,
            chat_id: person.chat_id,
            lang,
        };
        let reminders = missed_reminders(svc, work, invite.unit_id, to, now).await?;
        work.before_answers(reminders);
    }
    Ok(Joined::Joined {
        member_id,
        unit: svc.unit_name(invite.unit_id).await?,
        role: invite.role,
        lang,
    })
}

/// The reminders of the open occurrences of `unit_id` whose reminder time has come (this month's
/// and last month's), for a member who joins after they went out: each keyed as the tick keys
/// it, so it is sent to a member once whoever queues it, and a reply to it reports on its
/// occurrence.
async fn missed_reminders(
    svc: &Services,
    work: &mut Work<'_>,
    unit_id: i64,
    to: Recipient,
    now: DateTime<Utc>,
) -> Result<Vec<NewMessage>, StoreError> {
    let from = JalaliDate::today(now, svc.tz).period().prev().code();
    let open = work
        .tx()
        .await?
        .open_reminders(unit_id, i64::from(from), now.timestamp())
        .await?;
    let mut messages = Vec::new();
    for o in open {
        let Ok(period) = Period::from_code(o.period as i32) else {
            continue;
        };
        let notice = Notice::Reminder {
            obligation: ObligationName {
                key: o.key,
                title: o.title,
            },
            unit: o.unit,
            period,
            due: due_day(o.due_at, svc.tz),
        };
        let queued = Queued {
            notice: &notice,
            to,
            key: notice_key(MessageKind::Remind, o.occurrence_id, to.member_id),
            keying: Keying::Whole,
            occurrence_id: Some(o.occurrence_id),
            not_before: now.timestamp_millis(),
            expires_at: useful_until(MessageKind::Remind, now.timestamp_millis(), Some(o.due_at)),
            missed: false,
        };
        messages.extend(queued.messages(svc.compose.as_ref()));
    }
    Ok(messages)
}

/// An invite code as stored: ASCII digits, lower case, at most 64 characters.
fn code_key(code: &str) -> String {
    to_ascii_digits(code.trim())
        .to_ascii_lowercase()
        .chars()
        .take(64)
        .collect()
}

/// Sets a member's language, in `work`.
pub async fn set_lang(
    work: &mut Work<'_>,
    member: &MemberRow,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    work.tx()
        .await?
        .set_member_lang(member.member_id, lang, now.timestamp())
        .await
}
