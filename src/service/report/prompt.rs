//! The `/report` prompt: after `/report` (or a choice of obligation) the member's next text is
//! the report on that occurrence, for [`AWAITING_REPORT_FOR`] at most. The prompt is dropped
//! when it expires and when the member sends any other command, so that a text written later
//! about something else is never stored as a report by surprise (it goes the normal way: a
//! draft to tie, or a hint).

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::store::{MemberRow, OccurrenceInfo, StoreError};

use super::super::{Services, Work};
use super::{may_report, open_tasks};

/// How long a `/report` prompt waits for the report: long enough to find the numbers and
/// type them on a phone, short enough that a text sent the next day is not taken for it.
pub const AWAITING_REPORT_FOR: TimeDelta = TimeDelta::minutes(30);

/// What a member is in the middle of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    /// After `/report` and a choice: the next text is the report on this occurrence.
    AwaitingReport {
        /// The occurrence.
        occurrence_id: i64,
        /// When the prompt was given (UTC seconds). States stored before it was recorded have
        /// none and count as expired: their age is unknown.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        since: Option<i64>,
    },
}

impl State {
    /// The occurrence a text at `now` reports on, while the prompt has not expired.
    pub fn awaiting(&self, now: DateTime<Utc>) -> Option<i64> {
        match *self {
            State::AwaitingReport {
                occurrence_id,
                since: Some(since),
            } if now.timestamp() < since + AWAITING_REPORT_FOR.num_seconds()
                && since <= now.timestamp() =>
            {
                Some(occurrence_id)
            }
            State::AwaitingReport { .. } => None,
        }
    }
}

/// What `/report` came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begun {
    /// The member's role does not report.
    NotAllowed,
    /// Nothing is open to report on.
    NothingOpen,
    /// One occurrence is open: the member's next text is its report.
    Awaiting(OccurrenceInfo),
    /// Several are open: the member chooses.
    Choose(Vec<OccurrenceInfo>),
}

/// `/report`: with one open occurrence, the member's next text becomes its report (in `work`);
/// with several, they are listed to choose from.
pub async fn begin(
    svc: &Services,
    work: &mut Work<'_>,
    member: &MemberRow,
    now: DateTime<Utc>,
) -> Result<Begun, StoreError> {
    let Some(mut open) = open_tasks(svc, member, now).await? else {
        return Ok(Begun::NotAllowed);
    };
    Ok(match open.len() {
        0 => Begun::NothingOpen,
        1 => {
            let only = open.remove(0);
            await_report(work, member, only.occurrence_id, now).await?;
            Begun::Awaiting(only)
        }
        _ => Begun::Choose(open),
    })
}

/// A member chose occurrence `occurrence_id` to report on (a button): its next text is the
/// report, in `work`. `None` (and nothing changed) when it is not the member's.
pub async fn choose(
    svc: &Services,
    work: &mut Work<'_>,
    member: &MemberRow,
    occurrence_id: i64,
    now: DateTime<Utc>,
) -> Result<Option<OccurrenceInfo>, StoreError> {
    match svc.store.occurrence_info(occurrence_id).await? {
        Some(occ) if may_report(svc, member, &occ, now).await? => {
            await_report(work, member, occurrence_id, now).await?;
            Ok(Some(occ))
        }
        _ => Ok(None),
    }
}

/// Drops what the member was in the middle of (it sent another command, or the prompt
/// expired), in `work`.
pub async fn forget(
    work: &mut Work<'_>,
    member: &MemberRow,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    work.tx()
        .await?
        .set_member_state(member.member_id, None, now.timestamp())
        .await
}

async fn await_report(
    work: &mut Work<'_>,
    member: &MemberRow,
    occurrence_id: i64,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let state = State::AwaitingReport {
        occurrence_id,
        since: Some(now.timestamp()),
    };
    let state = serde_json::to_string(&state).expect("a state serialises");
    work.tx()
        .await?
        .set_member_state(member.member_id, Some(&state), now.timestamp())
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(secs, 0).unwrap()
    }

    #[test]
    fn a_prompt_awaits_for_its_time_only() {
        let set = 1_800_000_000;
        let state = State::AwaitingReport {
            occurrence_id: 7,
            since: Some(set),
        };
        let ttl = AWAITING_REPORT_FOR.num_seconds();
        for (name, now, expected) in [
            ("at once", set, Some(7)),
            ("a minute before it expires", set + ttl - 60, Some(7)),
            ("when it expires", set + ttl, None),
            ("a day later", set + 86_400, None),
            ("set in the future (a clock moved back)", set - 60, None),
        ] {
            assert_eq!(state.awaiting(at(now)), expected, "{name}");
        }
    }

    #[test]
    fn a_state_stored_before_its_time_was_recorded_is_read_and_expired() {
        let old: State =
            serde_json::from_str(r#"{"state":"awaiting_report","occurrence_id":7}"#).unwrap();
        assert_eq!(
            old,
            State::AwaitingReport {
                occurrence_id: 7,
                since: None
            }
        );
        assert_eq!(old.awaiting(at(1_800_000_000)), None);
        let new = State::AwaitingReport {
            occurrence_id: 7,
            since: Some(5),
        };
        let json = serde_json::to_string(&new).unwrap();
        assert_eq!(
            json,
            r#"{"state":"awaiting_report","occurrence_id":7,"since":5}"#
        );
    }
}
