//! Every use case, called the same way by the bot, the CLI, the scheduler, the sender and
//! (next) the web: join with an invite, submit and correct a report, alerts, a member's
//! summary, the scheduler's tick, import a data file, create invites, list the schedule.
//!
//! A service returns what happened as an outcome value and renders nothing: the adapter says
//! it. A service that writes works inside the [`Work`] its caller hands it, so an update's
//! effects, its handled mark and the answers it queues commit together. What the bot says on
//! its own is decided here as typed notices ([`crate::domain::notice`]) and worded by the
//! [`Compose`] the adapters give [`Services`].
//!
//! Services take "now" as an argument; they never read a clock, never talk to a messenger,
//! and import neither rendering nor the message catalogue.

pub mod alerts;
pub mod health;
pub mod import;
pub mod inbox;
pub mod invite;
pub mod membership;
pub mod notify;
pub mod occurrence;
pub mod report;
pub mod schedule;
pub mod summary;
pub mod tick;
pub mod units;
mod work;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{NaiveDate, Weekday};
use chrono_tz::Tz;

use crate::domain::calendar::JalaliDate;
use crate::domain::notice::Compose;
use crate::domain::schedule::WorkCalendar;
pub use crate::store::{InboxRow, MemberRow, OccurrenceInfo, Store, StoreError};

pub use work::Work;

/// What every use case needs besides its unit of work: the store, the calendar's settings,
/// summaries built before, and the wording of notices.
#[derive(Clone, Debug)]
pub struct Services {
    /// The database.
    pub store: Store,
    /// The time zone of "today".
    pub tz: Tz,
    /// Days off.
    pub weekend: Vec<Weekday>,
    /// Summaries built before (shared by every window of the process).
    pub summaries: Arc<summary::SummaryCache>,
    /// The wording of what the bot says on its own.
    pub compose: Arc<dyn Compose>,
}

impl Services {
    /// Services over `store`, with no summary built yet.
    pub fn new(store: Store, tz: Tz, weekend: Vec<Weekday>, compose: Arc<dyn Compose>) -> Services {
        Services {
            store,
            tz,
            weekend,
            summaries: Arc::default(),
            compose,
        }
    }

    /// The working calendar: the configured weekend and the stored holidays.
    pub async fn calendar(&self) -> Result<WorkCalendar, StoreError> {
        work_calendar(&self.store, &self.weekend).await
    }

    /// A unit's name (empty for an unknown id).
    pub async fn unit_name(&self, unit_id: i64) -> Result<String, StoreError> {
        unit_name(&self.store, unit_id).await
    }
}

/// A unit's name (empty for an unknown id).
pub async fn unit_name(store: &Store, unit_id: i64) -> Result<String, StoreError> {
    Ok(store
        .unit(unit_id)
        .await?
        .map(|u| u.name)
        .unwrap_or_default())
}

/// The working calendar: the configured weekend and the stored holidays.
pub async fn work_calendar(store: &Store, weekend: &[Weekday]) -> Result<WorkCalendar, StoreError> {
    let mut holidays = BTreeMap::new();
    for h in store.holidays().await? {
        let date = NaiveDate::parse_from_str(&h.holiday_date, "%Y-%m-%d").map_err(|_| {
            StoreError::Corrupt {
                table: "holiday",
                column: "holiday_date".into(),
                value: h.holiday_date.clone(),
            }
        })?;
        holidays.insert(JalaliDate::from_gregorian(date), h.name);
    }
    Ok(WorkCalendar::new(weekend.to_vec(), holidays))
}
