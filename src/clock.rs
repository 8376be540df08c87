//! The clock. Services take "now" as an argument; the long-running parts (`setad run`, the
//! scheduler) ask a [`Clock`], which tests and rehearsals replace.

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
        }
    }

    /// The current instant in UTC milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.now().timestamp_millis()
    }
}
