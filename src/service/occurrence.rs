//! Occurrences: an assignment in a period. Creating them is idempotent (unique per assignment
//! and period), so the scheduler's tick, the summary and a restart can all ask for them.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::domain::calendar::Period;
use crate::domain::obligation::Schedule;
use crate::domain::schedule::{WorkCalendar, end_of_day, instant, occasions};
use crate::store::{Store, StoreError};

/// Parses a stored schedule rule.
pub fn parse_schedule(json: &str) -> Result<Schedule, StoreError> {
    serde_json::from_str(json).map_err(|_| StoreError::Corrupt {
        table: "obligation",
        column: "schedule".into(),
        value: json.to_owned(),
    })
}

/// Creates the occurrence of every active responsible assignment whose obligation falls due in
/// `period` and is in force then (from its start's period to its end's), unless it exists. Returns how many were created.
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
    let code = i64::from(period.code());
    for obligation in obligations.iter().filter(|o| o.in_force(code)) {
        let schedule = parse_schedule(&obligation.schedule)?;
        let Some(occ) = occasions(&schedule, period, cal) else {
            continue;
        };
        let remind_at = occ
            .reminders
            .first()
            .map(|r| instant(r.date, r.time, tz))
            .unwrap_or_else(|| instant(occ.due.date, occ.due.time, tz));
        let nudge_at = occ
            .nudge
            .as_ref()
            .map(|n| instant(n.date, n.time, tz).timestamp());
        let due_at = end_of_day(occ.due.date, tz).timestamp();
        let escalate_at = occ
            .escalate
            .as_ref()
            .map(|e| instant(e.date, e.time, tz).timestamp());
        count += tx
            .ensure_occurrences(
                obligation.obligation_id,
                i64::from(period.code()),
                (remind_at.timestamp(), nudge_at, due_at, escalate_at),
                now.timestamp(),
            )
            .await?;
    }
    tx.commit().await?;
    Ok(count)
}
