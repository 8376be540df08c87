//! The periods a summary may be asked for: from the data's first obligation to the month after
//! the current one. Anything else is refused, not built: a summary of 1300 would show every
//! unit missing in a year the bot never asked anyone about, and nothing is to be said yet of
//! the year after next.
//!
//! The data's first obligation is the earliest of its obligations' starts: an obligation's own
//! start or its meeting's (`start_period`), a deadline's start, and, for an obligation that
//! names none, the month it came into the bot. A month that has occurrences is always in the
//! span, and so is the current one.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::domain::calendar::{JalaliDate, Period};
use crate::domain::obligation::Schedule;
use crate::store::{Store, StoreError};

use super::super::occurrence::parse_schedule;

/// The periods summaries cover, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// The data's first month.
    pub first: Period,
    /// The month after the current one.
    pub last: Period,
}

/// A period outside the [`Span`]: refused, nothing built and nothing written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfSpan {
    /// The period asked for.
    pub period: Period,
    /// The periods that may be asked for.
    pub span: Span,
}

impl Span {
    /// The span of data whose first month is `first` (none: no obligation), as of the month
    /// `current`.
    pub fn new(first: Option<Period>, current: Period) -> Span {
        Span {
            first: first.map_or(current, |f| f.min(current)),
            last: current.next(),
        }
    }

    /// `period`, if it is in the span.
    pub fn check(self, period: Period) -> Result<Period, OutOfSpan> {
        if (self.first..=self.last).contains(&period) {
            Ok(period)
        } else {
            Err(OutOfSpan { period, span: self })
        }
    }
}

/// The span of the stored data as of `now` in `tz`. Reads, never writes.
pub async fn span(store: &Store, tz: Tz, now: DateTime<Utc>) -> Result<Span, StoreError> {
    let created: std::collections::HashMap<i64, i64> =
        store.obligations_created().await?.into_iter().collect();
    let mut first: Option<Period> = None;
    let mut earlier = |p: Period| first = Some(first.map_or(p, |f| f.min(p)));
    for o in store.obligations().await? {
        let start = match o.start_period {
            Some(code) => period_of(code)?,
            None => match parse_schedule(&o.schedule)? {
                Schedule::Deadline { start, .. } => start.0.period(),
                Schedule::Monthly { .. } => {
                    let at = created.get(&o.obligation_id).copied().unwrap_or_default();
                    let at = DateTime::from_timestamp(at, 0).unwrap_or_default();
                    JalaliDate::today(at, tz).period()
                }
            },
        };
        earlier(start);
    }
    if let Some(code) = store.first_occurrence_period().await? {
        earlier(period_of(code)?);
    }
    Ok(Span::new(first, JalaliDate::today(now, tz).period()))
}

fn period_of(code: i64) -> Result<Period, StoreError> {
    i32::try_from(code)
        .ok()
        .and_then(|c| Period::from_code(c).ok())
        .ok_or_else(|| StoreError::Corrupt {
            table: "obligation",
            column: "period".into(),
            value: code.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(year: i32, month: u8) -> Period {
        Period::new(year, month).unwrap()
    }

    #[test]
    fn the_span_runs_from_the_first_obligation_to_next_month() {
        let azar = p(1405, 9);
        let span = Span::new(Some(p(1397, 5)), azar);
        assert_eq!((span.first, span.last), (p(1397, 5), p(1405, 10)));
        for (period, ok) in [
            (p(1200, 1), false),
            (p(1300, 1), false),
            (p(1397, 4), false),
            (p(1397, 5), true),
            (p(1404, 12), true),
            (azar, true),
            (p(1405, 10), true),
            (p(1405, 11), false),
            (p(1600, 12), false),
        ] {
            assert_eq!(span.check(period).is_ok(), ok, "{period}");
        }
        assert_eq!(
            span.check(p(1300, 1)),
            Err(OutOfSpan {
                period: p(1300, 1),
                span
            })
        );
    }

    #[test]
    fn the_current_month_is_always_in_the_span() {
        let azar = p(1405, 9);
        // No obligation yet, or only ones that start later: this month and the next.
        for first in [None, Some(p(1406, 1))] {
            let span = Span::new(first, azar);
            assert_eq!((span.first, span.last), (azar, p(1405, 10)), "{first:?}");
        }
        // At the last supported month, the next saturates.
        let end = Span::new(None, Period::MAX);
        assert_eq!((end.first, end.last), (Period::MAX, Period::MAX));
    }
}
