//! Dates in a report: full dates (`1404/02/15`, `15/02/1404`, `04/02/15`, ISO Gregorian), a day
//! with a month name (`۱۵ اردیبهشت ۱۴۰۴`, `Ordibehesht 15, 1404`), short `mm/dd` and bare days
//! (`روز ۱۵`), each read at a token by the [`Reader`], and the choice of the day the session
//! was held among those found ([`Scan::held_on`]). The reporting period is passed in; a date
//! without a year is placed nearest to it.
//!
//! Pure code: it must not import `sqlx`, `teloxide` or `tokio`, nor read a clock.

use chrono::NaiveDate;

use super::held::Held;
use super::lexicon::{DATE_WORDS, NON_COUNT_AFTER, THIS_MONTH, UNIT_WORDS, month_of};
use super::numbers::digits_value;
use super::reader::{Reader, Scan};
use super::reading::Fact;
use super::tokens::Tok;
use crate::calendar::{JalaliDate, MAX_YEAR, MIN_YEAR};

/// How sure the reader is of a date candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DateKind {
    /// A full date or a day with a month name.
    Explicit,
    /// A bare day of the period's month.
    BareDay,
}

impl Reader<'_> {
    /// The year that puts `month` nearest to the period (the period's year on a tie).
    fn nearest_year(&self, month: u8) -> i32 {
        let (py, pm) = (self.period.year(), i32::from(self.period.month()));
        [py, py - 1, py + 1]
            .into_iter()
            .min_by_key(|&y| ((y - py) * 12 + i32::from(month) - pm).abs())
            .unwrap_or(py)
    }

    /// A two-digit year read in the period's century, if it is the period's year or one next
    /// to it.
    fn two_digit_year(&self, yy: u32) -> Option<i32> {
        let py = self.period.year();
        let yy = i32::try_from(yy).ok()?;
        let base = py - py.rem_euclid(100);
        [base + yy, base + yy - 100, base + yy + 100]
            .into_iter()
            .find(|y| (y - py).abs() <= 1)
    }

    /// A Jalali date, or the Jalali day of a Gregorian date when `year` is 1900 or later.
    fn make_date(year: i32, month: u32, day: u32) -> Option<JalaliDate> {
        if year >= 1900 {
            let date = NaiveDate::from_ymd_opt(year, month, day)?;
            return JalaliDate::try_from_gregorian(date).ok();
        }
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return None;
        }
        JalaliDate::new(year, u8::try_from(month).ok()?, u8::try_from(day).ok()?).ok()
    }

    /// Reads a compound token at `i`: a date (pushed to `dates` when valid), or nothing.
    pub(super) fn compound_date(
        &self,
        i: usize,
        parts: &[String],
        seps: &[char],
    ) -> Option<JalaliDate> {
        if seps.contains(&':') {
            return None; // a time
        }
        let lens: Vec<usize> = parts.iter().map(String::len).collect();
        let vals: Vec<u32> = parts
            .iter()
            .map(|p| digits_value(p))
            .collect::<Option<_>>()?;
        match (lens.as_slice(), vals.as_slice()) {
            ([4, 1..=2, 1..=2], &[y, m, d]) => Self::make_date(i32::try_from(y).ok()?, m, d),
            ([1..=2, 1..=2, 4], &[d, m, y]) if y < 1900 => {
                Self::make_date(i32::try_from(y).ok()?, m, d)
            }
            ([2, 1..=2, 1..=2], &[yy, m, d]) => Self::make_date(self.two_digit_year(yy)?, m, d),
            ([1..=2, 1..=2], &[a, b]) if matches!(seps, ['/' | '\\']) => {
                // `mm/dd` or `dd/mm`, whichever puts the month nearer to the period (`mm/dd`
                // on a tie); after a date word (تاریخ, مورخ, on) in any month, elsewhere only
                // in the period's own month (a bare `3/4` may be anything).
                let after_date_word = self
                    .prev_index(i)
                    .is_some_and(|p| self.word_in(p, DATE_WORDS));
                let pm = i32::from(self.period.month());
                let distance = |m: u32| {
                    let m = i32::try_from(m).unwrap_or(i32::MAX / 2);
                    (m - pm).rem_euclid(12).min((pm - m).rem_euclid(12))
                };
                let (m, d) = match (a <= 12, b <= 12) {
                    (true, true) if distance(b) < distance(a) => (b, a),
                    (true, _) => (a, b),
                    (false, true) => (b, a),
                    (false, false) => return None,
                };
                if !after_date_word && distance(m) != 0 {
                    return None;
                }
                let month = u8::try_from(m).ok()?;
                Self::make_date(self.nearest_year(month), m, d)
            }
            _ => None,
        }
    }

    /// A day and a month name starting at `i` (`۱۵ اردیبهشت [ماه] [سال] [۱۴۰۴]`, `پانزدهم
    /// اردیبهشت`, `Ordibehesht 15, 1404`): the date (if it exists) and the index after it.
    pub(super) fn month_name_date(&self, i: usize) -> Option<(Option<JalaliDate>, usize)> {
        let mut month_first = false;
        let (day, month, mut end) = if let Some(num) = self.number_at(i) {
            let month = self.word(num.end).and_then(month_of)?;
            (num.value?, month, num.end + 1)
        } else {
            month_first = true;
            // Month first, only for transliterated names: `Ordibehesht 15`.
            // In Persian only with an ordinal day: `مرداد ۲۲ام`.
            let word = self.word(i)?;
            let month = month_of(word)?;
            let num = self.number_at(self.next_index(i + 1))?;
            if !word.is_ascii() && !num.ordinal {
                return None;
            }
            let day = num.value.filter(|d| (1..=31).contains(d))?;
            (day, month, num.end)
        };
        if !(1..=31).contains(&day) {
            return None;
        }
        // `هفته اول مهر`, `دهه دوم آبان`: a week or a third of the month, not a day.
        if !month_first && i >= 1 && self.word_in(i - 1, &["هفته", "دهه", "نیمه", "week"])
        {
            return Some((None, end));
        }
        // An optional `ماه`, `سال`, then a year.
        let mut j = end;
        while self.word_in(j, &["ماه", "سال"]) {
            j += 1;
        }
        let mut j = self.next_index(j);
        // `Ordibehesht 15, 1404`: a comma may come before the year when the month comes first.
        if month_first
            && self.toks.get(j) == Some(&Tok::Break)
            && matches!(self.toks.get(j + 1), Some(Tok::Num(y)) if y.len() == 4)
        {
            j += 1;
        }
        let mut year = self.nearest_year(month);
        if let Some(Tok::Num(digits)) = self.toks.get(j) {
            let written = digits_value(digits).and_then(|v| match digits.len() {
                4 => i32::try_from(v)
                    .ok()
                    .filter(|y| (MIN_YEAR..=MAX_YEAR).contains(y)),
                2 => self.two_digit_year(v),
                _ => None,
            });
            if let Some(y) = written {
                year = y;
                end = j + 1;
            }
        }
        let date = JalaliDate::new(year, month, u8::try_from(day).ok()?).ok();
        Some((date, end))
    }

    /// A bare day at `i`: `روز ۱۵`, `تاریخ ۱۵ام`, `on the 15th`, `۱۵ همین ماه`. Returns the
    /// date in the period's month (if it exists) and the index after the day.
    pub(super) fn bare_day(&self, i: usize) -> Option<(Option<JalaliDate>, usize)> {
        let (num, end) = if self.word_in(i, &["روز", "تاریخ"]) {
            let num = self.number_at(self.next_index(i + 1))?;
            (num, num.end)
        } else if self.word(i) == Some("on") {
            let j = if self.word(i + 1) == Some("the") {
                i + 2
            } else {
                i + 1
            };
            let num = self.number_at(j).filter(|n| n.ordinal)?;
            (num, num.end)
        } else {
            let num = self.number_at(i)?;
            let phrase = THIS_MONTH.iter().find(|p| self.phrase_at(num.end, p))?;
            // `پنجم ماه جاری`: the month the report is written in.
            let day = num.value.filter(|d| (1..=31).contains(d))?;
            let month = self.today.period();
            let date = JalaliDate::new(month.year(), month.month(), u8::try_from(day).ok()?).ok();
            return Some((date, num.end + phrase.len()));
        };
        // `روز ۱۲ نفر`, `روز سه شنبه`: not a day; `تاریخ ۱۵ اردیبهشت`: a day with its month.
        if self.word_in(num.end, UNIT_WORDS)
            || self.word_in(num.end, NON_COUNT_AFTER)
            || self.word(num.end).and_then(month_of).is_some()
        {
            return None;
        }
        let day = num.value.filter(|d| (1..=31).contains(d))?;
        let date = JalaliDate::new(
            self.period.year(),
            self.period.month(),
            u8::try_from(day).ok()?,
        )
        .ok();
        Some((date, end))
    }
}

/// Words before a date, in its clause, that make it the date of a letter or reminder quoted
/// back, a deadline, a plan or the next session rather than the day a session was held.
const NOT_HELD_BEFORE: &[&str] = &[
    "یاداوری",
    "نامه",
    "بخشنامه",
    "پیرو",
    "ابلاغیه",
    "مهلت",
    "قرار",
    "مقرر",
    "ابتدا",
    "قبلا",
    "برنامه",
    "بعد",
    "بعدی",
    "اینده",
    "اتی",
    "deadline",
    "next",
];

/// Words after a date, in its clause, that make it a plan or a postponement.
const NOT_HELD_AFTER: &[&str] = &[
    "تعیین",
    "هماهنگ",
    "برنامهریزی",
    "موکول",
    "خواهد",
    "باشه",
    "بشه",
    "شود",
    "میشود",
    "میشه",
    "بود",
    "بودیم",
    "هست",
];

impl Reader<'_> {
    /// `دیروز`, `امروز`, `روز گذشته`: a day counted from the day the report was written.
    pub(super) fn relative_day(&self, i: usize) -> Option<(JalaliDate, usize)> {
        let (back, len) = match self.word(i)? {
            "امروز" | "today" => (0, 1),
            "دیروز" | "yesterday" => (1, 1),
            "پریروز" => (2, 1),
            "روز" if self.word(i + 1) == Some("گذشته") => (1, 2),
            _ => return self.weekday_day(i),
        };
        Some((self.today.checked_add_days(-back).ok()?, i + len))
    }

    /// A weekday against the day the report was written: `سه‌شنبه همین هفته` (of this
    /// week), `شنبه گذشته` (the last Saturday before today). A weekday alone (`روز سه شنبه`)
    /// or `شنبه هفته گذشته` is not read: which week is meant is not plain enough to state it.
    fn weekday_day(&self, i: usize) -> Option<(JalaliDate, usize)> {
        let (from_saturday, len) = self.weekday_at(i)?;
        let q = i + len;
        let today = i64::from((self.today.weekday().num_days_from_monday() + 2) % 7);
        let back = if self.word_in(q, &["همین", "این"]) && self.word(q + 1) == Some("هفته")
        {
            today - i64::from(from_saturday)
        } else if self.word_in(q, &["گذشته", "قبل"]) {
            (today - i64::from(from_saturday) - 1).rem_euclid(7) + 1
        } else {
            return None;
        };
        if back < 0 {
            return None;
        }
        let end = if self.word(q) == Some("گذشته") || self.word(q) == Some("قبل") {
            q + 1
        } else {
            q + 2
        };
        Some((self.today.checked_add_days(-back).ok()?, end))
    }

    /// The weekday named at token `i`, as days from Saturday, and its length in tokens.
    fn weekday_at(&self, i: usize) -> Option<(u8, usize)> {
        let joined = match self.word(i)? {
            "شنبه" => Some(0),
            "یکشنبه" => Some(1),
            "دوشنبه" => Some(2),
            "سهشنبه" => Some(3),
            "چهارشنبه" => Some(4),
            "پنجشنبه" => Some(5),
            "جمعه" => Some(6),
            _ => None,
        };
        if let Some(d) = joined {
            return Some((d, 1));
        }
        let first = match self.word(i)? {
            "یک" => 1,
            "دو" => 2,
            "سه" => 3,
            "چهار" => 4,
            "پنج" => 5,
            _ => return None,
        };
        (self.word(i + 1) == Some("شنبه")).then_some((first, 2))
    }

    /// Whether the date at token `start` is a letter's own date: `تاریخ:` alone on its line in
    /// a letter's header (a `شماره` before it, or a `پیوست` after it).
    fn header_date(&self, start: usize, other_dates: bool) -> bool {
        let c0 = self.clause_start(start);
        let c1 = self.clause_end(start);
        let label_only = (c0..start)
            .all(|j| self.word_in(j, &["تاریخ", "مورخ"]) || matches!(self.toks[j], Tok::Sym(_)))
            && start > c0;
        let rest_empty = (start + 1..c1).all(|j| matches!(self.toks[j], Tok::Sym(_)));
        let letter = other_dates
            // A letter's number, not a session's (`جلسه شماره ۷`, `صورتجلسه شماره ۳`).
            || (0..c0).any(|j| {
                self.word_in(j, &["شماره"])
                    && !self.word_in(j.wrapping_sub(1), &["جلسه", "نشست", "صورتجلسه"])
            })
            || (c1..self.toks.len().min(c1 + 8)).any(|j| self.word_in(j, &["پیوست"]));
        label_only && rest_empty && letter
    }

    /// Whether the date at token `start` is anything but the day a session was held.
    fn not_held_date(&self, start: usize, other_dates: bool) -> bool {
        let c0 = self.clause_start(start);
        let c1 = self.clause_end(start);
        let before = start.saturating_sub(8).max(c0);
        let after = (start + 5).min(c1);
        // Back from the date to the first word that starts another statement.
        let reach = (before..start)
            .rev()
            .find(|&j| {
                self.word_in(
                    j,
                    &["ولی", "اما", "لیکن", "نهایتا", "بالاخره", "سپس", "و", "but"],
                ) || self
                    .word(j)
                    .is_some_and(|w| w.starts_with("برگزار") || w.starts_with("تشکیل"))
            })
            .map_or(before, |j| j + 1);
        self.header_date(start, other_dates)
            || self.any_word(reach, start, NOT_HELD_BEFORE)
            || (start + 1..after).any(|j| {
                // `برگزار شده بود`: it had been held, not `قرار بود`.
                // `۱۷ آذر بود نه ۱۶`: a correction, not a plan.
                self.word_in(j, NOT_HELD_AFTER)
                    && !(self.word_in(j, &["بود", "بودیم"])
                        && (self.word_in(j.wrapping_sub(1), &["شده", "گردیده", "شد"])
                            || self.word(j + 1) == Some("نه")))
            })
            || (start >= 1 && self.word_in(start - 1, &["تا", "until", "by"]))
            // `گزارش مورخ ...`: the report's own date.
            || (start >= 2
                && self.word_in(start - 1, &["مورخ", "مورخه", "تاریخ"])
                && self.word(start - 2) == Some("گزارش"))
            // `۱۴ آبان برگزار شد نه ۱۱ آبان`: the day written wrong before.
            || (start >= 1 && self.word_in(start - 1, &["نه", "not"]))
    }

    /// The day the session was held, given the token of the statement that it was held (the
    /// verdict's), and the dates after `today`, refused. A date that is a letter's, a
    /// reminder's, a plan's or a deadline is never taken; of the rest, the one in the clause
    /// of the statement, else the only one written.
    pub(super) fn held_on(&self, scan: &Scan, held: &Held) -> (Fact<JalaliDate>, Vec<JalaliDate>) {
        let (held_at, not_held_at) = (held.at, &held.against[..]);
        // `تاریخ جلسه ۱۷ آذر بود نه ۱۶`: the day after نه was written wrong before.
        let wrong_days: Vec<u8> = (1..self.toks.len())
            .filter(|&j| {
                self.word(j) == Some("نه")
                    && scan.dates.iter().any(|d| d.start < j && j - d.start <= 4)
            })
            .filter_map(|j| self.number_at(j + 1).and_then(|n| n.value))
            .filter_map(|v| u8::try_from(v).ok())
            .collect();
        let clause_of = |i: usize| self.clause_start(i);
        let mut future = Vec::new();
        let mut candidates = Vec::new();
        for d in &scan.dates {
            let other_dates = scan
                .dates
                .iter()
                .any(|o| clause_of(o.start) != clause_of(d.start));
            if self.not_held_date(d.start, other_dates) || held.is_elsewhere(d.start) {
                continue;
            }
            // A date in the clause of a statement that a session was not held.
            if not_held_at
                .iter()
                .any(|&n| clause_of(n) == clause_of(d.start))
                && held_at.is_none_or(|h| clause_of(h) != clause_of(d.start))
            {
                continue;
            }
            if d.date > self.today {
                future.push(d.date);
                continue;
            }
            if wrong_days.contains(&d.date.day()) {
                continue;
            }
            candidates.push(*d);
        }
        // `به ۱۹ آذر موکول شد و در همان روز ... تشکیل گردید`: held on the day it was put off to.
        if let Some(h) = held_at
            && candidates.is_empty()
            && let Some(same_day) = (self.clause_start(h)..h)
                .find(|&j| self.word(j) == Some("همان") && self.word_in(j + 1, &["روز", "تاریخ"]))
            && let Some(d) = scan.dates.iter().rev().find(|d| {
                d.start < same_day
                    && d.date <= self.today
                    && !self.header_date(d.start, true)
                    && clause_of(d.start) == clause_of(h)
            })
        {
            return (Fact::Known(d.date), future);
        }
        if let Some(h) = held_at {
            let mut same: Vec<JalaliDate> = candidates
                .iter()
                .filter(|d| clause_of(d.start) == clause_of(h))
                .map(|d| d.date)
                .collect();
            // After the last statement, before this one, that a session was not held.
            let since = against_before(not_held_at, h);
            let later: Vec<JalaliDate> = candidates
                .iter()
                .filter(|d| clause_of(d.start) == clause_of(h) && since.is_none_or(|a| d.start > a))
                .map(|d| d.date)
                .collect();
            if since.is_some()
                && let [only] = later[..]
            {
                return (Fact::Known(only), future);
            }
            same.dedup();
            if let [only] = same[..] {
                return (Fact::Known(only), future);
            }
            if same.len() > 1 {
                let in_period: Vec<JalaliDate> = same
                    .iter()
                    .copied()
                    .filter(|&d| self.period.contains(d))
                    .collect();
                return (two_or_one(&in_period, &same), future);
            }
        }
        let explicit: Vec<JalaliDate> = candidates
            .iter()
            .filter(|d| d.kind == DateKind::Explicit)
            .map(|d| d.date)
            .collect();
        let pool = if explicit.is_empty() {
            candidates.iter().map(|d| d.date).collect()
        } else {
            explicit
        };
        let mut distinct: Vec<JalaliDate> = Vec::new();
        for d in pool {
            if !distinct.contains(&d) {
                distinct.push(d);
            }
        }
        let in_period: Vec<JalaliDate> = distinct
            .iter()
            .copied()
            .filter(|&d| self.period.contains(d))
            .collect();
        (two_or_one(&in_period, &distinct), future)
    }
}

/// The last of `against` before token `h`.
fn against_before(against: &[usize], h: usize) -> Option<usize> {
    against.iter().copied().filter(|&a| a < h).max()
}

/// The day among `dates` (distinct, in text order): the only one, else the only one in the
/// period; between two, a question (the later first: what finally happened); else unknown.
fn two_or_one(in_period: &[JalaliDate], dates: &[JalaliDate]) -> Fact<JalaliDate> {
    match (dates, in_period) {
        ([only], _) | (_, [only]) => Fact::Known(*only),
        ([first, second], _) => Fact::Asked(*second, *first),
        _ => Fact::Unknown,
    }
}
