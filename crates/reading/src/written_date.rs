//! Dates as operators write them on the command line: Jalali (`1404/02/23`, `1404-02-23`,
//! `۱۴۰۴/۰۲/۲۳`) or Gregorian ISO (`2025-05-13`), told apart by the year (a Jalali year of the
//! supported range is at most 1600, a Gregorian one of our times is far above it). A reporting
//! period stays a Jalali month: a Gregorian year-month is refused with the Jalali months it
//! overlaps, since it spans two of them.
//!
//! Pure code on top of [`crate::calendar`].

use chrono::{Datelike, NaiveDate};

use crate::calendar::{DateError, JalaliDate, MAX_YEAR, Period, number, split_fields};

/// A day as it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WrittenDate {
    /// A Jalali date.
    Jalali(JalaliDate),
    /// A Gregorian date, with its Jalali day.
    Gregorian {
        /// What was written.
        gregorian: NaiveDate,
        /// The same day in the Jalali calendar.
        jalali: JalaliDate,
    },
}

/// Why a written date or period was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WrittenDateError {
    /// Not a Jalali date.
    #[error(transparent)]
    Jalali(#[from] DateError),
    /// A Gregorian year with a day that does not exist (`2025-02-30`).
    #[error("{year}-{month:02}-{day:02} is not a Gregorian date")]
    NoSuchGregorianDay {
        /// The year written.
        year: i32,
        /// The month written.
        month: u16,
        /// The day written.
        day: u16,
    },
    /// A Gregorian year-month given for a period: the Jalali months it overlaps.
    #[error("{year}-{month:02} is a Gregorian month; a period is a Jalali month")]
    GregorianMonth {
        /// The year written.
        year: i32,
        /// The month written.
        month: u16,
        /// The Jalali months it overlaps, in order.
        overlaps: Vec<Period>,
    },
}

impl WrittenDate {
    /// Reads a Jalali or a Gregorian date (four-digit year, `/`, `-` or `.`, any digits).
    pub fn parse(input: &str) -> Result<Self, WrittenDateError> {
        if let Some([y, m, d]) = split_fields::<3>(input)
            && let Ok(year) = number(&y, 4, 4)
            && i32::from(year) > MAX_YEAR
        {
            let (month, day) = (number(&m, 1, 2)?, number(&d, 1, 2)?);
            let year = i32::from(year);
            let gregorian = NaiveDate::from_ymd_opt(year, u32::from(month), u32::from(day))
                .ok_or(WrittenDateError::NoSuchGregorianDay { year, month, day })?;
            let jalali = JalaliDate::try_from_gregorian(gregorian)?;
            return Ok(WrittenDate::Gregorian { gregorian, jalali });
        }
        Ok(WrittenDate::Jalali(JalaliDate::parse(input)?))
    }

    /// The Jalali day.
    pub fn jalali(self) -> JalaliDate {
        match self {
            WrittenDate::Jalali(date) | WrittenDate::Gregorian { jalali: date, .. } => date,
        }
    }
}

/// Reads a Jalali month (`1404-02`, `۱۴۰۴/۲`); a Gregorian year-month (`2025-05`) is refused
/// with the Jalali months it overlaps.
pub fn parse_period(input: &str) -> Result<Period, WrittenDateError> {
    if let Some([y, m]) = split_fields::<2>(input)
        && let Ok(year) = number(&y, 4, 4)
        && i32::from(year) > MAX_YEAR
    {
        let year = i32::from(year);
        let month = number(&m, 1, 2)?;
        let first = NaiveDate::from_ymd_opt(year, u32::from(month), 1)
            .ok_or(DateError::MonthOutOfRange { month: month as u8 })?;
        let last = first
            .checked_add_months(chrono::Months::new(1))
            .and_then(|d| d.pred_opt())
            .filter(|d| d.month() == first.month())
            .ok_or(DateError::OutOfRange)?;
        let mut overlaps = vec![JalaliDate::try_from_gregorian(first)?.period()];
        let end = JalaliDate::try_from_gregorian(last)?.period();
        if end != overlaps[0] {
            overlaps.push(end);
        }
        return Err(WrittenDateError::GregorianMonth {
            year,
            month,
            overlaps,
        });
    }
    Ok(Period::parse(input)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jalali(s: &str) -> JalaliDate {
        JalaliDate::parse(s).unwrap()
    }

    #[test]
    fn dates_in_either_calendar() {
        for (input, expected) in [
            ("1404/02/23", WrittenDate::Jalali(jalali("1404/02/23"))),
            ("1404-02-23", WrittenDate::Jalali(jalali("1404/02/23"))),
            ("۱۴۰۴/۰۲/۲۳", WrittenDate::Jalali(jalali("1404/02/23"))),
            (
                "2025-02-01",
                WrittenDate::Gregorian {
                    gregorian: NaiveDate::from_ymd_opt(2025, 2, 1).unwrap(),
                    jalali: jalali("1403/11/13"),
                },
            ),
            (
                "۲۰۲۵-۰۵-۱۳",
                WrittenDate::Gregorian {
                    gregorian: NaiveDate::from_ymd_opt(2025, 5, 13).unwrap(),
                    jalali: jalali("1404/02/23"),
                },
            ),
        ] {
            assert_eq!(WrittenDate::parse(input), Ok(expected), "{input}");
        }
        assert_eq!(
            WrittenDate::parse("2025-02-30"),
            Err(WrittenDateError::NoSuchGregorianDay {
                year: 2025,
                month: 2,
                day: 30
            })
        );
        for bad in [
            "",
            "2025-02",
            "1700-01-01",
            "9999-12-31",
            "2025-13-01",
            "1404/12/30",
            "x",
        ] {
            assert!(WrittenDate::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_gregorian_month_is_refused_with_its_jalali_months() {
        assert_eq!(parse_period("1404-02"), Ok(Period::new(1404, 2).unwrap()));
        assert_eq!(
            parse_period("2025-05"),
            Err(WrittenDateError::GregorianMonth {
                year: 2025,
                month: 5,
                overlaps: vec![Period::new(1404, 2).unwrap(), Period::new(1404, 3).unwrap()],
            })
        );
        for bad in ["2025-13", "2025-00", "1405-13", "1700-01", ""] {
            assert!(parse_period(bad).is_err(), "{bad}");
        }
    }
}
