//! The clock. Services take "now" as an argument; the long-running parts (`setad run`, the
//! scheduler) ask a [`Clock`], which tests and rehearsals replace.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

use chrono::{DateTime, Utc};

/// Where "now" comes from.
#[derive(Debug, Clone)]
pub enum Clock {
    /// The system clock.
    System,
    /// Time that started at `start` when the process started, and runs at the normal pace
    /// (`SETAD_NOW`: rehearsals, demos and tests).
    From {
        /// The pretended start.
        start: DateTime<Utc>,
        /// When the pretence began.
        since: Instant,
    },
    /// Time that moves only when told (`setad demo` walks through a month in seconds).
    Manual(Arc<AtomicI64>),
}

impl Clock {
    /// A clock that starts at `start` now.
    pub fn starting_at(start: DateTime<Utc>) -> Clock {
        Clock::From {
            start,
            since: Instant::now(),
        }
    }

    /// The current instant.
    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::From { start, since } => {
                *start + chrono::Duration::from_std(since.elapsed()).unwrap_or_default()
            }
            Clock::Manual(ms) => {
                DateTime::from_timestamp_millis(ms.load(Ordering::SeqCst)).unwrap_or_default()
            }
        }
    }

    /// A manual clock at `start`.
    pub fn manual(start: DateTime<Utc>) -> Clock {
        Clock::Manual(Arc::new(AtomicI64::new(start.timestamp_millis())))
    }

    /// Moves a manual clock to `to` (other clocks ignore it).
    pub fn set(&self, to: DateTime<Utc>) {
        if let Clock::Manual(ms) = self {
            ms.store(to.timestamp_millis(), Ordering::SeqCst);
        }
    }

    /// The current instant in UTC milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.now().timestamp_millis()
    }
}
