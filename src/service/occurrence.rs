//! Occurrences: an assignment in a period. Creating them is idempotent (unique per assignment
//! and period), so the scheduler's tick, a member joining or asking for their tasks, and a
//! restart can all ask for them. Reads (summaries, exports) never create them: they plan the
//! occurrences of a period not created yet with [`planned`], the same rule in memory.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::domain::calendar::Period;
use crate::domain::obligation::Schedule;
use crate::domain::schedule::{WorkCalendar, end_of_day, instant, occasions};
use crate::store::{ObligationRow, Store, StoreError};

/// Parses a stored schedule rule.
pub fn parse_schedule(json: &str) -> Result<Schedule, StoreError> {
    serde_json::from_str(json).map_err(|_| StoreError::Corrupt {
        table: "obligation",
        column: "schedule".into(),
        value: json.to_owned(),
    })
}

/// The times of an obligation's occurrence in a period (UTC seconds): what
/// [`ensure_period`] stores, and what a summary of a period not created yet counts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Planned {
    /// The first reminder (the due time when there is none).
    pub remind_at: i64,
    /// The nudge to those who have not reported, if any.
    pub nudge_at: Option<i64>,
    /// The end of the due day.
    pub due_at: i64,
    /// The escalation, if any.
    pub escalate_at: Option<i64>,
}

/// The occurrence `obligation` has in `period`: `None` when it is not in force then (before
/// its start's period or after its end's) or its schedule has nothing in that month (a
/// deadline due in another).
pub fn planned(
    obligation: &ObligationRow,
    period: Period,
    cal: &WorkCalendar,
    tz: Tz,
) -> Result<Option<Planned>, StoreError> {
    if !obligation.in_force(i64::from(period.code())) {
        return Ok(None);
    }
    let schedule = parse_schedule(&obligation.schedule)?;
    let Some(occ) = occasions(&schedule, period, cal) else {
        return Ok(None);
    };
    let remind_at = occ
        .reminders
        .first()
        .map(|r| instant(r.date, r.time, tz))
        .unwrap_or_else(|| instant(occ.due.date, occ.due.time, tz));
    Ok(Some(Planned {
        remind_at: remind_at.timestamp(),
        nudge_at: occ
            .nudge
            .as_ref()
            .map(|n| instant(n.date, n.time, tz).timestamp()),
        due_at: end_of_day(occ.due.date, tz).timestamp(),
        escalate_at: occ
            .escalate
            .as_ref()
            .map(|e| instant(e.date, e.time, tz).timestamp()),
    }))
}

/// Creates the occurrence of every active responsible assignment whose obligation falls due in
/// `period` and is in force then (from its start's period to its end's), unless it exists.
/// Returns how many were created.
#[tracing::instrument(skip(store, cal))]
pub async fn ensure_period(
    store: &Store,
    period: Period,
    cal: &WorkCalendar,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let obligations = store.obligations().await?;
    let mut tx = store.begin().await?;
    let mut count = 0;
    for obligation in &obligations {
        let Some(p) = planned(obligation, period, cal, tz)? else {
            continue;
        };
        count += tx
            .ensure_occurrences(
                obligation.obligation_id,
                i64::from(period.code()),
                (p.remind_at, p.nudge_at, p.due_at, p.escalate_at),
                now.timestamp(),
            )
            .await?;
    }
    tx.commit().await?;
    Ok(count)
}
