//! Use cases, shared by the bot and the operator CLI: import a data file, create invites,
//! materialise the occurrences of a period, list the coming schedule, build a summary.
//!
//! Services take the [`Store`](crate::store::Store) and "now" as arguments; they never read a
//! clock and never talk to a messenger.

pub mod import;
pub mod invite;
pub mod occurrence;
pub mod schedule;
pub mod summary;
pub mod tick;

use std::collections::BTreeMap;

use chrono::{NaiveDate, Weekday};

use crate::domain::calendar::JalaliDate;
use crate::domain::schedule::WorkCalendar;
use crate::store::{Store, StoreError};

/// The working calendar: the configured weekend and the stored holidays.
pub async fn work_calendar(store: &Store, weekend: &[Weekday]) -> Result<WorkCalendar, StoreError> {
    let mut holidays = BTreeMap::new();
    for h in store.holidays().await? {
        let date = NaiveDate::parse_from_str(&h.holiday_date, "%Y-%m-%d").map_err(|_| {
            StoreError::Corrupt {
                table: "holiday",
                column: "holiday_date",
                value: h.holiday_date.clone(),
            }
        })?;
        holidays.insert(JalaliDate::from_gregorian(date), h.name);
    }
    Ok(WorkCalendar::new(weekend.to_vec(), holidays))
}
