//! Each obligation's adoption in a summary: the meeting that adopted it and its share done
//! since (occurrences reported by their due date, for meetings with the session held, over
//! those due), read in one grouped query for every obligation of a meeting.
//!
//! A database without meetings (a file that records none) reads nothing more than before.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::domain::calendar::{JalaliDate, Period};
use crate::domain::summary::{Adoption, Meeting};
use crate::store::{ObligationRow, Store, StoreError};

/// The meetings of the obligations, by obligation id (those adopted by a meeting only).
pub(super) async fn meetings(
    store: &Store,
    obligations: &[ObligationRow],
) -> Result<HashMap<i64, Meeting>, StoreError> {
    if obligations.iter().all(|o| o.meeting_id.is_none()) {
        return Ok(HashMap::new());
    }
    let mut by_id = HashMap::new();
    for m in store.meetings().await? {
        let date =
            NaiveDate::parse_from_str(&m.held_on, "%Y-%m-%d").map_err(|_| StoreError::Corrupt {
                table: "meeting",
                column: "held_on".into(),
                value: m.held_on.clone(),
            })?;
        let meeting = Meeting {
            date: JalaliDate::from_gregorian(date),
            key: m.key,
            title: m.title,
        };
        by_id.insert(m.meeting_id, meeting);
    }
    Ok(obligations
        .iter()
        .filter_map(|o| Some((o.obligation_id, by_id.get(&o.meeting_id?)?.clone())))
        .collect())
}

/// The shares done since adoption, up to `period`, as of `ts` (UTC seconds): obligation id →
/// (done, due). Nothing is read when no obligation has a meeting.
pub(super) async fn shares(
    store: &Store,
    meetings: &HashMap<i64, Meeting>,
    period: Period,
    ts: i64,
) -> Result<HashMap<i64, (u32, u32)>, StoreError> {
    if meetings.is_empty() {
        return Ok(HashMap::new());
    }
    let count = |n: i64| u32::try_from(n.max(0)).unwrap_or(u32::MAX);
    Ok(store
        .adoption_shares(i64::from(period.code()), ts)
        .await?
        .into_iter()
        .map(|(id, done, due)| (id, (count(done), count(due))))
        .collect())
}

/// The adoption of obligation `id`, if a meeting adopted it.
pub(super) fn of(
    id: i64,
    meetings: &HashMap<i64, Meeting>,
    shares: &HashMap<i64, (u32, u32)>,
) -> Option<Adoption> {
    let meeting = meetings.get(&id)?.clone();
    let (done, due) = shares.get(&id).copied().unwrap_or((0, 0));
    Some(Adoption { meeting, done, due })
}
