//! The Jalali (Solar Hijri) calendar: dates ([`JalaliDate`]), months as reporting periods
//! ([`Period`]), their conversion to and from Gregorian, parsing of what people type (ASCII,
//! Persian or Arabic-Indic digits) and formatting in either digit system.
//!
//! The conversions are `icu_calendar`'s Persian calendar; this module only validates, parses,
//! formats and does month arithmetic. It is pure: it must not import `sqlx`, `teloxide` or
//! `tokio`, and it never reads the clock (callers pass `now`, see [`JalaliDate::today`]).
//!
//! Every value of [`JalaliDate`] and [`Period`] is a real day or month in the supported years
//! [`MIN_YEAR`]`..=`[`MAX_YEAR`]. Constructors and parsers reject anything else with a
//! [`DateError`]; infallible arithmetic (`add_days`, `add_months`, `next`, ...) saturates at the
//! ends of that range, and each has a `checked_` twin that reports the overflow instead.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use icu_calendar::Date;
use icu_calendar::cal::{Iso, Persian};

use crate::Lang;
use crate::text::{Digits, localize_digits, to_ascii_digits};

/// The first Jalali year this module accepts (1200 AP, 1821 CE).
pub const MIN_YEAR: i32 = 1200;

/// The last Jalali year this module accepts (1600 AP, 2222 CE).
pub const MAX_YEAR: i32 = 1600;

/// Why a Jalali date or period could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// The text is not `year/month/day` (or `year-month` for a period): wrong shape, a
    /// character that is not a digit or separator, mixed separators, or a year that is not
    /// four digits.
    #[error(
        "not a Jalali date: expected year/month/day such as 1404/02/23 (or year-month such as 1404-02 for a month)"
    )]
    Syntax,
    /// The year is outside [`MIN_YEAR`]`..=`[`MAX_YEAR`].
    #[error("year {year} is outside the supported years {MIN_YEAR}..={MAX_YEAR}")]
    YearOutOfRange {
        /// The rejected year.
        year: i32,
    },
    /// The month is not 1 to 12.
    #[error("month {month} is not between 1 and 12")]
    MonthOutOfRange {
        /// The rejected month.
        month: u8,
    },
    /// The day does not exist in that month (0, or past the month's length).
    #[error("day {day} does not exist in {year}/{month:02}, which has {len} days")]
    DayOutOfRange {
        /// The year of the rejected date.
        year: i32,
        /// The month of the rejected date.
        month: u8,
        /// The rejected day.
        day: u8,
        /// How many days that month has.
        len: u8,
    },
    /// Date arithmetic or a Gregorian date led outside the supported years.
    #[error("the date falls outside the supported years {MIN_YEAR}..={MAX_YEAR}")]
    OutOfRange,
    /// A stored period code is not `yyyymm` for a supported year and a month 1 to 12.
    #[error("{code} is not a period code (yyyymm, e.g. 140402)")]
    InvalidCode {
        /// The rejected code.
        code: i32,
    },
}

const MONTHS_FA: [&str; 12] = [
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
];

const MONTHS_EN: [&str; 12] = [
    "Farvardin",
    "Ordibehesht",
    "Khordad",
    "Tir",
    "Mordad",
    "Shahrivar",
    "Mehr",
    "Aban",
    "Azar",
    "Dey",
    "Bahman",
    "Esfand",
];

/// Whether the Jalali `year` is a leap year (Esfand has 30 days), per `icu_calendar`.
///
/// Years outside what `icu_calendar` can represent (about ±9999) answer `false`.
pub fn is_leap_year(year: i32) -> bool {
    Date::try_new_persian(year, 1, 1).is_ok_and(|d| d.is_in_leap_year())
}

/// The number of days in a Jalali month: 31 for months 1–6, 30 for 7–11, and 29 or 30 for
/// Esfand (30 in leap years).
///
/// Returns 0 when `month` is not 1 to 12 (or the year is beyond what `icu_calendar` can
/// represent, about ±9999).
pub fn month_len(year: i32, month: u8) -> u8 {
    Date::try_new_persian(year, month, 1).map_or(0, |d| d.days_in_month())
}

/// The name of a Jalali month (1 = Farvardin … 12 = Esfand) in `lang`; Persian names are in
/// Persian script (`اردیبهشت`), English ones transliterated (`Ordibehesht`).
///
/// Returns `""` when `month` is not 1 to 12.
pub fn month_name(month: u8, lang: Lang) -> &'static str {
    let names = match lang {
        Lang::Fa => &MONTHS_FA,
        Lang::En => &MONTHS_EN,
    };
    match month {
        1..=12 => names[usize::from(month - 1)],
        _ => "",
    }
}

fn check_year(year: i32) -> Result<(), DateError> {
    if (MIN_YEAR..=MAX_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(DateError::YearOutOfRange { year })
    }
}

fn check_month(month: u8) -> Result<(), DateError> {
    if (1..=12).contains(&month) {
        Ok(())
    } else {
        Err(DateError::MonthOutOfRange { month })
    }
}

/// Characters ignored anywhere in typed dates: bidirectional marks, embeddings, overrides and
/// isolates (which RTL keyboards and pasted text sprinkle around digits), and the BOM.
fn is_invisible_mark(c: char) -> bool {
    matches!(
        c,
        '\u{200E}'
            | '\u{200F}'
            | '\u{061C}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// Normalises typed text and splits it on one separator kind (`/`, `-` or `.`) into exactly
/// `N` fields of ASCII digits. Returns `None` on any other shape.
pub(crate) fn split_fields<const N: usize>(input: &str) -> Option<[String; N]> {
    let cleaned: String = input.chars().filter(|&c| !is_invisible_mark(c)).collect();
    let ascii = to_ascii_digits(cleaned.trim());
    let sep = ascii.chars().find(|c| matches!(c, '/' | '-' | '.'))?;
    let mut fields = ascii.split(sep);
    let out: [String; N] = std::array::from_fn(|_| fields.next().unwrap_or_default().to_owned());
    if fields.next().is_some() {
        return None;
    }
    // Every field must be non-empty ASCII digits (this also rejects a second kind of separator,
    // signs, and digits of other scripts).
    if out
        .iter()
        .all(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
    {
        Some(out)
    } else {
        None
    }
}

/// Parses a field of ASCII digits whose length is in `min..=max` (at most 4, so no overflow).
pub(crate) fn number(field: &str, min: usize, max: usize) -> Result<u16, DateError> {
    if !(min..=max).contains(&field.len()) {
        return Err(DateError::Syntax);
    }
    field.parse().map_err(|_| DateError::Syntax)
}

/// Converts a Gregorian date to Jalali `(year, month, day)` with `icu_calendar`, or `None` past
/// the years it can represent.
fn icu_from_gregorian(date: NaiveDate) -> Option<(i32, u8, u8)> {
    let month = u8::try_from(date.month()).ok()?;
    let day = u8::try_from(date.day()).ok()?;
    let persian = Date::try_new_iso(date.year(), month, day)
        .ok()?
        .to_calendar(Persian);
    Some((
        persian.year().extended_year(),
        persian.month().ordinal,
        persian.day_of_month().0,
    ))
}

/// A day in the Jalali calendar, always valid and within [`MIN_YEAR`]`..=`[`MAX_YEAR`].
///
/// Orders chronologically. Displays as `1404/02/23` (ASCII digits); see [`JalaliDate::format`]
/// and [`JalaliDate::format_long`] for readers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct JalaliDate {
    year: i32,
    month: u8,
    day: u8,
}

impl JalaliDate {
    /// The first supported day, 1200/01/01.
    pub const MIN: JalaliDate = JalaliDate {
        year: MIN_YEAR,
        month: 1,
        day: 1,
    };

    /// The last supported day, 1600/12/29 (1600 is not a leap year).
    pub const MAX: JalaliDate = JalaliDate {
        year: MAX_YEAR,
        month: 12,
        day: 29,
    };

    /// Makes a date, checking the year is supported, the month is 1 to 12 and the day exists in
    /// that month (1403/12/30 exists; 1404/12/30 does not).
    pub fn new(year: i32, month: u8, day: u8) -> Result<Self, DateError> {
        check_year(year)?;
        check_month(month)?;
        let len = month_len(year, month);
        if day == 0 || day > len {
            return Err(DateError::DayOutOfRange {
                year,
                month,
                day,
                len,
            });
        }
        Ok(JalaliDate { year, month, day })
    }

    /// The Jalali date of a Gregorian day, or [`DateError::OutOfRange`] outside the supported
    /// years.
    pub fn try_from_gregorian(date: NaiveDate) -> Result<Self, DateError> {
        let (year, month, day) = icu_from_gregorian(date).ok_or(DateError::OutOfRange)?;
        if (MIN_YEAR..=MAX_YEAR).contains(&year) {
            Ok(JalaliDate { year, month, day })
        } else {
            Err(DateError::OutOfRange)
        }
    }

    /// The Jalali date of a Gregorian day (2025-03-21 is 1404/01/01).
    ///
    /// Gregorian days before 1200/01/01 (1821-03-21) or after 1600/12/29 (2222-03-20) saturate
    /// to [`JalaliDate::MIN`] or [`JalaliDate::MAX`]; use [`JalaliDate::try_from_gregorian`] to
    /// reject them instead.
    pub fn from_gregorian(date: NaiveDate) -> Self {
        Self::try_from_gregorian(date).unwrap_or(if date < Self::MIN.to_gregorian() {
            Self::MIN
        } else {
            Self::MAX
        })
    }

    /// The Gregorian day of this date (1404/01/01 is 2025-03-21).
    ///
    /// Does not panic: every `JalaliDate` is a valid Persian date in years that both
    /// `icu_calendar` and chrono represent.
    pub fn to_gregorian(self) -> NaiveDate {
        let iso = Date::try_new_persian(self.year, self.month, self.day)
            .expect("a JalaliDate is always a valid Persian date")
            .to_calendar(Iso);
        NaiveDate::from_ymd_opt(
            iso.year().extended_year(),
            u32::from(iso.month().ordinal),
            u32::from(iso.day_of_month().0),
        )
        .expect("a supported Jalali year maps to a Gregorian year chrono represents")
    }

    /// The year, e.g. 1404.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1 (Farvardin) to 12 (Esfand).
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, 1 to 31.
    pub fn day(self) -> u8 {
        self.day
    }

    /// The month this date falls in.
    pub fn period(self) -> Period {
        Period {
            year: self.year,
            month: self.month,
        }
    }

    /// The day of the week (the Iranian week starts on Saturday, `Weekday::Sat`).
    pub fn weekday(self) -> chrono::Weekday {
        self.to_gregorian().weekday()
    }

    /// The date `n` days later (earlier if `n` is negative), or [`DateError::OutOfRange`] if
    /// that leaves the supported years.
    pub fn checked_add_days(self, n: i64) -> Result<Self, DateError> {
        let delta = chrono::TimeDelta::try_days(n).ok_or(DateError::OutOfRange)?;
        let gregorian = self
            .to_gregorian()
            .checked_add_signed(delta)
            .ok_or(DateError::OutOfRange)?;
        Self::try_from_gregorian(gregorian)
    }

    /// The date `n` days later (earlier if `n` is negative), saturating at
    /// [`JalaliDate::MIN`] / [`JalaliDate::MAX`].
    pub fn add_days(self, n: i64) -> Self {
        self.checked_add_days(n)
            .unwrap_or(if n < 0 { Self::MIN } else { Self::MAX })
    }

    /// The same day of the month `n` months later (earlier if negative), clamped to that
    /// month's length, or [`DateError::OutOfRange`] if that leaves the supported years.
    pub fn checked_add_months(self, n: i32) -> Result<Self, DateError> {
        let period = self.period().checked_offset(n)?;
        Ok(JalaliDate {
            year: period.year,
            month: period.month,
            day: self.day.min(period.len()),
        })
    }

    /// The same day of the month `n` months later (earlier if negative), clamped to that
    /// month's length: one month after 1403/11/30 is 1403/12/30 (a leap year), after
    /// 1404/11/30 it is 1404/12/29. Saturates at [`JalaliDate::MIN`] / [`JalaliDate::MAX`].
    pub fn add_months(self, n: i32) -> Self {
        self.checked_add_months(n)
            .unwrap_or(if n < 0 { Self::MIN } else { Self::MAX })
    }

    /// Days from `self` to `other`: positive when `other` is later, 0 on the same day.
    pub fn days_until(self, other: JalaliDate) -> i64 {
        (other.to_gregorian() - self.to_gregorian()).num_days()
    }

    /// Parses what a person types: `year/month/day` with a four-digit year and a one- or
    /// two-digit month and day, in ASCII, Persian (`۰–۹`) or Arabic-Indic (`٠–٩`) digits, mixed
    /// freely; separated by `/`, `-` or `.` (one kind per date). Surrounding whitespace and
    /// Unicode direction marks anywhere are ignored. Any other input is an error, never a panic.
    pub fn parse(input: &str) -> Result<Self, DateError> {
        let [y, m, d] = split_fields::<3>(input).ok_or(DateError::Syntax)?;
        let year = number(&y, 4, 4)?;
        let month = number(&m, 1, 2)?;
        let day = number(&d, 1, 2)?;
        // Each field has at most two digits, so fits u8; the year at most four, so fits i32.
        Self::new(i32::from(year), month as u8, day as u8)
    }

    /// Today's date in `tz` (Asia/Tehran in production) at the instant `now`: the local date,
    /// not the UTC one (2025-03-20T20:30:00Z is already 1404/01/01 in Tehran).
    pub fn today(now: chrono::DateTime<chrono::Utc>, tz: chrono_tz::Tz) -> Self {
        Self::from_gregorian(now.with_timezone(&tz).date_naive())
    }

    /// `1404/02/23` or `۱۴۰۴/۰۲/۲۳`: zero-padded month and day, in the given digits.
    pub fn format(self, digits: Digits) -> String {
        localize_digits(&self.to_string(), digits)
    }

    /// The date in words: `۲۳ اردیبهشت ۱۴۰۴` in Persian, `23 Ordibehesht 1404` in English.
    pub fn format_long(self, lang: Lang) -> String {
        let text = format!(
            "{} {} {}",
            self.day,
            month_name(self.month, lang),
            self.year
        );
        localize_digits(&text, lang.digits())
    }
}

impl fmt::Display for JalaliDate {
    /// `1404/02/23`, ASCII digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}/{:02}/{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for JalaliDate {
    type Err = DateError;

    /// Same as [`JalaliDate::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// A Jalali month: the unit of "monthly".
///
/// Always a real month within [`MIN_YEAR`]`..=`[`MAX_YEAR`]; orders chronologically. Displays as
/// `1404-02`; stored in the database as its [`Period::code`] (`140402`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    year: i32,
    month: u8,
}

impl Period {
    /// The first supported month, 1200-01.
    pub const MIN: Period = Period {
        year: MIN_YEAR,
        month: 1,
    };

    /// The last supported month, 1600-12.
    pub const MAX: Period = Period {
        year: MAX_YEAR,
        month: 12,
    };

    /// Makes a period, checking the year is supported and the month is 1 to 12.
    pub fn new(year: i32, month: u8) -> Result<Self, DateError> {
        check_year(year)?;
        check_month(month)?;
        Ok(Period { year, month })
    }

    /// Parses `year-month` as people type it: `1404-02`, `1404/2`, `۱۴۰۴-۰۲`, `1404.02`; a
    /// four-digit year and a one- or two-digit month, with the same digit, separator, whitespace
    /// and direction-mark rules as [`JalaliDate::parse`]. Never panics.
    pub fn parse(input: &str) -> Result<Self, DateError> {
        let [y, m] = split_fields::<2>(input).ok_or(DateError::Syntax)?;
        let year = number(&y, 4, 4)?;
        let month = number(&m, 1, 2)?;
        Self::new(i32::from(year), month as u8)
    }

    /// The year, e.g. 1404.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1 (Farvardin) to 12 (Esfand).
    pub fn month(self) -> u8 {
        self.month
    }

    /// The first day of the month.
    pub fn first_day(self) -> JalaliDate {
        JalaliDate {
            year: self.year,
            month: self.month,
            day: 1,
        }
    }

    /// The last day of the month (1403/12/30, 1404/12/29, 1404/07/30, ...).
    pub fn last_day(self) -> JalaliDate {
        JalaliDate {
            year: self.year,
            month: self.month,
            day: self.len(),
        }
    }

    /// The number of days in the month (29 to 31).
    #[expect(
        clippy::len_without_is_empty,
        reason = "a month is never empty; len is its number of days"
    )]
    pub fn len(self) -> u8 {
        month_len(self.year, self.month)
    }

    /// The following month (1403-12 → 1404-01), saturating at [`Period::MAX`].
    pub fn next(self) -> Self {
        self.offset(1)
    }

    /// The previous month (1404-01 → 1403-12), saturating at [`Period::MIN`].
    pub fn prev(self) -> Self {
        self.offset(-1)
    }

    /// The month `months` later (earlier if negative), or [`DateError::OutOfRange`] if that
    /// leaves the supported years.
    pub fn checked_offset(self, months: i32) -> Result<Self, DateError> {
        let index = i64::from(self.year) * 12 + i64::from(self.month - 1) + i64::from(months);
        let year = i32::try_from(index.div_euclid(12)).map_err(|_| DateError::OutOfRange)?;
        // rem_euclid(12) is 0..=11.
        let month = index.rem_euclid(12) as u8 + 1;
        Self::new(year, month).map_err(|_| DateError::OutOfRange)
    }

    /// The month `months` later (earlier if negative), saturating at [`Period::MIN`] /
    /// [`Period::MAX`].
    pub fn offset(self, months: i32) -> Self {
        self.checked_offset(months)
            .unwrap_or(if months < 0 { Self::MIN } else { Self::MAX })
    }

    /// Whether `date` falls in this month.
    pub fn contains(self, date: JalaliDate) -> bool {
        date.period() == self
    }

    /// The database key: `year * 100 + month`, e.g. `140402`.
    pub fn code(self) -> i32 {
        self.year * 100 + i32::from(self.month)
    }

    /// The period of a database key made by [`Period::code`]; [`DateError::InvalidCode`] for
    /// anything that is not `yyyymm` with a supported year and a month 1 to 12.
    pub fn from_code(code: i32) -> Result<Self, DateError> {
        if code < 0 {
            return Err(DateError::InvalidCode { code });
        }
        // code % 100 is 0..=99 here.
        Self::new(code / 100, (code % 100) as u8).map_err(|_| DateError::InvalidCode { code })
    }

    /// `1404-02` or `۱۴۰۴-۰۲`, in the given digits.
    pub fn format(self, digits: Digits) -> String {
        localize_digits(&self.to_string(), digits)
    }

    /// The month in words: `اردیبهشت ۱۴۰۴` in Persian, `Ordibehesht 1404` in English.
    pub fn name(self, lang: Lang) -> String {
        let text = format!("{} {}", month_name(self.month, lang), self.year);
        localize_digits(&text, lang.digits())
    }
}

impl fmt::Display for Period {
    /// `1404-02`, ASCII digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Period {
    type Err = DateError;

    /// Same as [`Period::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc, Weekday};

    fn d(year: i32, month: u8, day: u8) -> JalaliDate {
        JalaliDate::new(year, month, day).unwrap()
    }

    fn g(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    fn p(year: i32, month: u8) -> Period {
        Period::new(year, month).unwrap()
    }

    #[test]
    fn leap_years() {
        for (year, leap) in [
            (1370, true),
            (1375, true),
            (1379, true),
            (1383, true),
            (1387, true),
            (1391, true),
            (1395, true),
            (1399, true),
            (1403, true),
            (1400, false),
            (1401, false),
            (1402, false),
            (1404, false),
            (1405, false),
            (1408, true),
        ] {
            assert_eq!(is_leap_year(year), leap, "{year}");
            assert_eq!(month_len(year, 12), if leap { 30 } else { 29 }, "{year}");
        }
        assert!(!is_leap_year(i32::MAX));
        assert!(!is_leap_year(i32::MIN));
    }

    #[test]
    fn month_lengths() {
        for month in 1..=6 {
            assert_eq!(month_len(1404, month), 31);
        }
        for month in 7..=11 {
            assert_eq!(month_len(1404, month), 30);
        }
        assert_eq!(month_len(1404, 0), 0);
        assert_eq!(month_len(1404, 13), 0);
        assert_eq!(month_len(i32::MAX, 1), 0);
    }

    #[test]
    fn new_validates() {
        assert!(JalaliDate::new(1403, 12, 30).is_ok());
        assert!(JalaliDate::new(1404, 7, 30).is_ok());
        assert!(JalaliDate::new(1404, 6, 31).is_ok());
        for (year, month, day, err) in [
            (
                1404,
                12,
                30,
                DateError::DayOutOfRange {
                    year: 1404,
                    month: 12,
                    day: 30,
                    len: 29,
                },
            ),
            (
                1404,
                7,
                31,
                DateError::DayOutOfRange {
                    year: 1404,
                    month: 7,
                    day: 31,
                    len: 30,
                },
            ),
            (
                1404,
                1,
                0,
                DateError::DayOutOfRange {
                    year: 1404,
                    month: 1,
                    day: 0,
                    len: 31,
                },
            ),
            (1404, 0, 1, DateError::MonthOutOfRange { month: 0 }),
            (1404, 13, 1, DateError::MonthOutOfRange { month: 13 }),
            (1199, 1, 1, DateError::YearOutOfRange { year: 1199 }),
            (1601, 1, 1, DateError::YearOutOfRange { year: 1601 }),
            (i32::MIN, 1, 1, DateError::YearOutOfRange { year: i32::MIN }),
            (
                i32::MAX,
                255,
                255,
                DateError::YearOutOfRange { year: i32::MAX },
            ),
        ] {
            assert_eq!(
                JalaliDate::new(year, month, day),
                Err(err),
                "{year}/{month}/{day}"
            );
        }
    }

    #[test]
    fn gregorian_conversion() {
        for (jalali, gregorian) in [
            (d(1404, 1, 1), g(2025, 3, 21)),
            (d(1403, 12, 30), g(2025, 3, 20)),
            (d(1403, 1, 1), g(2024, 3, 20)),
            (d(1404, 2, 23), g(2025, 5, 13)),
            (d(1357, 11, 22), g(1979, 2, 11)),
            (d(1348, 10, 11), g(1970, 1, 1)),
            (d(1378, 10, 11), g(2000, 1, 1)),
            (d(1200, 1, 1), g(1821, 3, 21)),
            (JalaliDate::MAX, g(2222, 3, 20)),
        ] {
            assert_eq!(JalaliDate::from_gregorian(gregorian), jalali, "{gregorian}");
            assert_eq!(jalali.to_gregorian(), gregorian, "{jalali}");
        }
    }

    #[test]
    fn supported_range_ends() {
        assert_eq!(JalaliDate::MIN, d(MIN_YEAR, 1, 1));
        assert_eq!(
            JalaliDate::MAX,
            d(MAX_YEAR, 12, month_len(MAX_YEAR, 12)),
            "MAX must be the last day of {MAX_YEAR}"
        );
        let before = JalaliDate::MIN.to_gregorian().pred_opt().unwrap();
        let after = JalaliDate::MAX.to_gregorian().succ_opt().unwrap();
        assert_eq!(
            JalaliDate::try_from_gregorian(before),
            Err(DateError::OutOfRange)
        );
        assert_eq!(
            JalaliDate::try_from_gregorian(after),
            Err(DateError::OutOfRange)
        );
        assert_eq!(JalaliDate::from_gregorian(before), JalaliDate::MIN);
        assert_eq!(JalaliDate::from_gregorian(after), JalaliDate::MAX);
        assert_eq!(JalaliDate::from_gregorian(NaiveDate::MIN), JalaliDate::MIN);
        assert_eq!(JalaliDate::from_gregorian(NaiveDate::MAX), JalaliDate::MAX);
        assert_eq!(Period::MIN, JalaliDate::MIN.period());
        assert_eq!(Period::MAX, JalaliDate::MAX.period());
    }

    #[test]
    fn every_day_of_the_supported_range_round_trips() {
        let mut date = JalaliDate::MIN;
        let mut gregorian = date.to_gregorian();
        let mut count = 1;
        while date < JalaliDate::MAX {
            let next = date.add_days(1);
            gregorian = gregorian.succ_opt().unwrap();
            assert_eq!(next.to_gregorian(), gregorian, "{next}");
            assert_eq!(JalaliDate::new(next.year, next.month, next.day), Ok(next));
            assert!(next > date);
            date = next;
            count += 1;
        }
        let days = (JalaliDate::MAX.to_gregorian() - JalaliDate::MIN.to_gregorian()).num_days();
        assert_eq!(count, days + 1);
    }

    #[test]
    fn weekdays() {
        for (date, weekday) in [
            (d(1404, 1, 1), Weekday::Fri),
            (d(1403, 12, 30), Weekday::Thu),
            (d(1404, 2, 23), Weekday::Tue),
        ] {
            assert_eq!(date.weekday(), weekday, "{date}");
        }
    }

    #[test]
    fn day_arithmetic() {
        for (from, n, to) in [
            (d(1403, 12, 30), 1, d(1404, 1, 1)),
            (d(1404, 1, 1), -1, d(1403, 12, 30)),
            (d(1404, 12, 29), 1, d(1405, 1, 1)),
            (d(1404, 6, 31), 1, d(1404, 7, 1)),
            (d(1404, 1, 1), 365, d(1405, 1, 1)),
            (d(1403, 1, 1), 366, d(1404, 1, 1)),
            (d(1404, 2, 23), 0, d(1404, 2, 23)),
        ] {
            assert_eq!(from.add_days(n), to, "{from} + {n}");
            assert_eq!(from.days_until(to), n, "{from} .. {to}");
        }
        assert_eq!(JalaliDate::MAX.add_days(1), JalaliDate::MAX);
        assert_eq!(JalaliDate::MIN.add_days(-1), JalaliDate::MIN);
        assert_eq!(d(1404, 1, 1).add_days(i64::MAX), JalaliDate::MAX);
        assert_eq!(d(1404, 1, 1).add_days(i64::MIN), JalaliDate::MIN);
        assert_eq!(
            JalaliDate::MAX.checked_add_days(1),
            Err(DateError::OutOfRange)
        );
        assert_eq!(
            d(1404, 1, 1).checked_add_days(i64::MIN),
            Err(DateError::OutOfRange)
        );
    }

    #[test]
    fn month_arithmetic() {
        for (from, n, to) in [
            (d(1403, 11, 30), 1, d(1403, 12, 30)),
            (d(1404, 11, 30), 1, d(1404, 12, 29)),
            (d(1404, 6, 31), 1, d(1404, 7, 30)),
            (d(1404, 1, 31), 12, d(1405, 1, 31)),
            (d(1404, 1, 15), -1, d(1403, 12, 15)),
            (d(1403, 12, 30), 12, d(1404, 12, 29)),
            (d(1404, 2, 23), 0, d(1404, 2, 23)),
            (d(1404, 2, 23), -14, d(1402, 12, 23)),
        ] {
            assert_eq!(from.add_months(n), to, "{from} + {n} months");
        }
        assert_eq!(d(1600, 12, 1).add_months(1), JalaliDate::MAX);
        assert_eq!(d(1200, 1, 5).add_months(-1), JalaliDate::MIN);
        assert_eq!(d(1404, 1, 1).add_months(i32::MAX), JalaliDate::MAX);
        assert_eq!(d(1404, 1, 1).add_months(i32::MIN), JalaliDate::MIN);
        assert_eq!(
            d(1600, 12, 1).checked_add_months(1),
            Err(DateError::OutOfRange)
        );
    }

    #[test]
    fn parse_accepts_every_digit_system_and_separator() {
        let want = d(1404, 2, 23);
        for input in [
            "1404/02/23",
            "1404-02-23",
            "1404.02.23",
            "1404/2/23",
            "۱۴۰۴/۰۲/۲۳",
            "۱۴۰۴-۲-۲۳",
            "۱۴۰۴.۰۲.۲۳",
            "١٤٠٤/٠٢/٢٣",
            "١٤٠٤-٠٢-٢٣",
            "١٤٠٤.٢.٢٣",
            "۱۴04/٠2/۲٣",
            "  1404/02/23\n",
            "\u{200F}۱۴۰۴/۰۲/۲۳\u{200F}",
            "\u{200E}1404/02/23",
            "\u{061C}1404\u{061C}/02/23",
            "\u{202B}1404/02/23\u{202C}",
            "\u{2067}۱۴۰۴/۰۲/۲۳\u{2069}",
            "\u{2066}\u{2068} 1404/02/23 \u{202A}\u{202D}\u{202E}",
            "\u{00A0}1404/02/23\u{00A0}",
        ] {
            assert_eq!(JalaliDate::parse(input), Ok(want), "{input:?}");
            assert_eq!(input.parse::<JalaliDate>(), Ok(want), "{input:?}");
        }
        assert_eq!(JalaliDate::parse("1404/1/1"), Ok(d(1404, 1, 1)));
        assert_eq!(JalaliDate::parse("1403/12/30"), Ok(d(1403, 12, 30)));
    }

    #[test]
    fn parse_rejects_bad_input() {
        for (input, err) in [
            ("", DateError::Syntax),
            ("   ", DateError::Syntax),
            ("\u{200F}", DateError::Syntax),
            ("1404", DateError::Syntax),
            ("1404/02", DateError::Syntax),
            ("1404/02/23/01", DateError::Syntax),
            ("1404/02-23", DateError::Syntax),
            ("1404//23", DateError::Syntax),
            ("/02/23", DateError::Syntax),
            ("1404/02/", DateError::Syntax),
            ("04/02/23", DateError::Syntax),
            ("01404/02/23", DateError::Syntax),
            ("1404/002/23", DateError::Syntax),
            ("1404/02/023", DateError::Syntax),
            ("+1404/02/23", DateError::Syntax),
            ("1404/+2/23", DateError::Syntax),
            ("1404/-2/23", DateError::Syntax),
            ("1404 /02/23", DateError::Syntax),
            ("1404/02/23 x", DateError::Syntax),
            ("1404\u{200C}/02/23", DateError::Syntax),
            ("¹٤٠٤/02/23", DateError::Syntax),
            ("abcd/ef/gh", DateError::Syntax),
            ("23/02/1404", DateError::Syntax),
            ("99999999999999999999/02/23", DateError::Syntax),
            ("1404/99999999999999999999/23", DateError::Syntax),
            ("1404/02/99999999999999999999", DateError::Syntax),
            ("1404 02 23", DateError::Syntax),
            ("1404/13/01", DateError::MonthOutOfRange { month: 13 }),
            ("1404/00/01", DateError::MonthOutOfRange { month: 0 }),
            (
                "1404/12/30",
                DateError::DayOutOfRange {
                    year: 1404,
                    month: 12,
                    day: 30,
                    len: 29,
                },
            ),
            (
                "1404/07/31",
                DateError::DayOutOfRange {
                    year: 1404,
                    month: 7,
                    day: 31,
                    len: 30,
                },
            ),
            (
                "1404/01/00",
                DateError::DayOutOfRange {
                    year: 1404,
                    month: 1,
                    day: 0,
                    len: 31,
                },
            ),
            ("0000/01/01", DateError::YearOutOfRange { year: 0 }),
            ("9999/99/99", DateError::YearOutOfRange { year: 9999 }),
            ("1199/12/29", DateError::YearOutOfRange { year: 1199 }),
        ] {
            assert_eq!(JalaliDate::parse(input), Err(err), "{input:?}");
        }
    }

    #[test]
    fn parse_never_panics() {
        let long = "1".repeat(100_000);
        let inputs = [
            long.as_str(),
            "/".repeat(1000).as_str(),
            "۱۴۰۴/۰۲/۲۳".repeat(1000).as_str(),
            "\u{0}\u{FFFF}\u{10FFFF}",
            "١/٢/٣",
            "🙂/🙂/🙂",
            "...",
            "--",
        ]
        .map(String::from);
        for input in &inputs {
            assert!(JalaliDate::parse(input).is_err());
            assert!(Period::parse(input).is_err());
        }
        // Every short string over a small alphabet of interesting characters.
        let alphabet = ['1', '۴', '٠', '/', '-', '.', ' ', '\u{200F}', 'x', '+'];
        let mut buf = String::new();
        for n in 0..10_000_u32 {
            buf.clear();
            let mut k = n;
            for _ in 0..4 {
                buf.push(alphabet[(k % 10) as usize]);
                k /= 10;
            }
            let _ = JalaliDate::parse(&buf);
            let _ = Period::parse(&buf);
        }
    }

    #[test]
    fn today_uses_the_local_date() {
        let tehran = chrono_tz::Asia::Tehran;
        for ((y, mo, da, h, mi, s), want) in [
            ((2025, 3, 20, 20, 29, 59), d(1403, 12, 30)),
            ((2025, 3, 20, 20, 30, 0), d(1404, 1, 1)),
            ((2025, 3, 20, 0, 0, 0), d(1403, 12, 30)),
            ((2025, 3, 20, 23, 59, 59), d(1404, 1, 1)),
            ((2025, 3, 21, 12, 0, 0), d(1404, 1, 1)),
        ] {
            let now = Utc.with_ymd_and_hms(y, mo, da, h, mi, s).unwrap();
            assert_eq!(JalaliDate::today(now, tehran), want, "{now}");
        }
        let now = Utc.with_ymd_and_hms(2025, 3, 20, 20, 30, 0).unwrap();
        assert_eq!(JalaliDate::today(now, chrono_tz::UTC), d(1403, 12, 30));
    }

    #[test]
    fn formatting() {
        let date = d(1404, 2, 23);
        assert_eq!(date.to_string(), "1404/02/23");
        assert_eq!(date.format(Digits::Ascii), "1404/02/23");
        assert_eq!(date.format(Digits::Persian), "۱۴۰۴/۰۲/۲۳");
        assert_eq!(date.format_long(Lang::Fa), "۲۳ اردیبهشت ۱۴۰۴");
        assert_eq!(date.format_long(Lang::En), "23 Ordibehesht 1404");
        assert_eq!(d(1404, 1, 1).format(Digits::Ascii), "1404/01/01");
        assert_eq!(d(1404, 1, 1).format_long(Lang::Fa), "۱ فروردین ۱۴۰۴");
        assert_eq!(d(1403, 12, 30).format_long(Lang::En), "30 Esfand 1403");
        for date in [date, d(1403, 12, 30), d(1200, 1, 1), JalaliDate::MAX] {
            assert_eq!(JalaliDate::parse(&date.to_string()), Ok(date));
            assert_eq!(JalaliDate::parse(&date.format(Digits::Persian)), Ok(date));
        }
    }

    #[test]
    fn month_names() {
        let fa = [
            "فروردین",
            "اردیبهشت",
            "خرداد",
            "تیر",
            "مرداد",
            "شهریور",
            "مهر",
            "آبان",
            "آذر",
            "دی",
            "بهمن",
            "اسفند",
        ];
        let en = [
            "Farvardin",
            "Ordibehesht",
            "Khordad",
            "Tir",
            "Mordad",
            "Shahrivar",
            "Mehr",
            "Aban",
            "Azar",
            "Dey",
            "Bahman",
            "Esfand",
        ];
        for month in 1..=12_u8 {
            let i = usize::from(month - 1);
            assert_eq!(month_name(month, Lang::Fa), fa[i]);
            assert_eq!(month_name(month, Lang::En), en[i]);
            // Persian yeh and keheh, never their Arabic look-alikes.
            assert!(!month_name(month, Lang::Fa).contains(['\u{064A}', '\u{0643}']));
        }
        assert_eq!(month_name(0, Lang::Fa), "");
        assert_eq!(month_name(13, Lang::En), "");
    }

    #[test]
    fn period_basics() {
        let period = p(1404, 2);
        assert_eq!((period.year(), period.month()), (1404, 2));
        assert_eq!(period.first_day(), d(1404, 2, 1));
        assert_eq!(period.last_day(), d(1404, 2, 31));
        assert_eq!(period.len(), 31);
        assert_eq!(p(1403, 12).last_day(), d(1403, 12, 30));
        assert_eq!(p(1404, 12).last_day(), d(1404, 12, 29));
        assert_eq!(p(1404, 7).len(), 30);
        assert!(period.contains(d(1404, 2, 1)));
        assert!(period.contains(d(1404, 2, 31)));
        assert!(!period.contains(d(1404, 3, 1)));
        assert!(!period.contains(d(1403, 2, 15)));
        assert_eq!(d(1404, 2, 23).period(), period);
        assert!(p(1403, 12) < p(1404, 1));
        assert_eq!(
            Period::new(1404, 13),
            Err(DateError::MonthOutOfRange { month: 13 })
        );
        assert_eq!(
            Period::new(1404, 0),
            Err(DateError::MonthOutOfRange { month: 0 })
        );
        assert_eq!(
            Period::new(1601, 1),
            Err(DateError::YearOutOfRange { year: 1601 })
        );
    }

    #[test]
    fn period_stepping() {
        for (from, n, to) in [
            (p(1403, 12), 1, p(1404, 1)),
            (p(1404, 1), -1, p(1403, 12)),
            (p(1404, 2), 0, p(1404, 2)),
            (p(1404, 2), 12, p(1405, 2)),
            (p(1404, 2), -26, p(1401, 12)),
            (p(1404, 11), 3, p(1405, 2)),
        ] {
            assert_eq!(from.offset(n), to, "{from} + {n}");
            assert_eq!(from.checked_offset(n), Ok(to), "{from} + {n}");
        }
        assert_eq!(p(1403, 12).next(), p(1404, 1));
        assert_eq!(p(1404, 1).prev(), p(1403, 12));
        assert_eq!(p(1404, 5).next().prev(), p(1404, 5));
        assert_eq!(Period::MAX.next(), Period::MAX);
        assert_eq!(Period::MIN.prev(), Period::MIN);
        assert_eq!(p(1404, 1).offset(i32::MAX), Period::MAX);
        assert_eq!(p(1404, 1).offset(i32::MIN), Period::MIN);
        assert_eq!(Period::MAX.checked_offset(1), Err(DateError::OutOfRange));
        assert_eq!(Period::MIN.checked_offset(-1), Err(DateError::OutOfRange));
    }

    #[test]
    fn period_codes() {
        for (period, code) in [
            (p(1404, 2), 140402),
            (p(1403, 12), 140312),
            (p(1200, 1), 120001),
            (p(1600, 12), 160012),
        ] {
            assert_eq!(period.code(), code);
            assert_eq!(Period::from_code(code), Ok(period));
        }
        for code in [
            0,
            -140402,
            140400,
            140413,
            1404,
            14040201,
            119912,
            160101,
            i32::MIN,
            i32::MAX,
        ] {
            assert_eq!(
                Period::from_code(code),
                Err(DateError::InvalidCode { code }),
                "{code}"
            );
        }
    }

    #[test]
    fn period_parse_and_format() {
        let want = p(1404, 2);
        for input in [
            "1404-02",
            "1404/2",
            "1404/02",
            "1404.02",
            "1404.2",
            "۱۴۰۴-۰۲",
            "١٤٠٤/٠٢",
            "۱۴04-٠2",
            " \u{200F}۱۴۰۴-۰۲\u{200F} ",
            "\u{2067}1404-02\u{2069}",
        ] {
            assert_eq!(Period::parse(input), Ok(want), "{input:?}");
            assert_eq!(input.parse::<Period>(), Ok(want), "{input:?}");
        }
        for (input, err) in [
            ("", DateError::Syntax),
            ("1404", DateError::Syntax),
            ("1404-", DateError::Syntax),
            ("-02", DateError::Syntax),
            ("1404-02-01", DateError::Syntax),
            ("1404-002", DateError::Syntax),
            ("404-02", DateError::Syntax),
            ("140402", DateError::Syntax),
            ("1404-+2", DateError::Syntax),
            ("1404--2", DateError::Syntax),
            ("1404/02.", DateError::Syntax),
            ("99999999999-02", DateError::Syntax),
            ("1404-13", DateError::MonthOutOfRange { month: 13 }),
            ("1404-0", DateError::MonthOutOfRange { month: 0 }),
            ("1700-01", DateError::YearOutOfRange { year: 1700 }),
        ] {
            assert_eq!(Period::parse(input), Err(err), "{input:?}");
        }
        assert_eq!(want.to_string(), "1404-02");
        assert_eq!(want.format(Digits::Ascii), "1404-02");
        assert_eq!(want.format(Digits::Persian), "۱۴۰۴-۰۲");
        assert_eq!(want.name(Lang::Fa), "اردیبهشت ۱۴۰۴");
        assert_eq!(want.name(Lang::En), "Ordibehesht 1404");
        assert_eq!(Period::parse(&want.format(Digits::Persian)), Ok(want));
    }

    #[test]
    fn errors_read_well() {
        assert_eq!(
            DateError::DayOutOfRange {
                year: 1404,
                month: 12,
                day: 30,
                len: 29
            }
            .to_string(),
            "day 30 does not exist in 1404/12, which has 29 days"
        );
        assert_eq!(
            DateError::YearOutOfRange { year: 1700 }.to_string(),
            "year 1700 is outside the supported years 1200..=1600"
        );
    }
}
