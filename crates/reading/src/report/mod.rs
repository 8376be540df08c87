//! Reading a short report: what a unit wrote back about an obligation, in a line or two of
//! Persian or English typed on a phone, turned into [`ReportFacts`] (held or not, on which day,
//! how many attended, how many people were newly insured).
//!
//! The reader is deliberately forgiving and never fails: whatever it cannot read stays `None`,
//! and the bot shows what it understood with buttons to correct it. It reads Persian, Arabic-Indic
//! and ASCII digits (and every other Unicode digit system), Arabic ي/ك for Persian ی/ک, small
//! Persian number words, Jalali dates written `1404/02/15` or `۱۵ اردیبهشت`, and ISO Gregorian
//! dates. [`check_report_text`] cleans and bounds the text before it is stored.
//!
//! Pure code: no I/O, no clock (the reporting [`Period`] is passed in); it must not import `sqlx`,
//! `teloxide` or `tokio`.
//!
//! # Layout
//!
//! - this file: the public API, [`check_report_text`], [`read_report`] and [`ReportFacts`];
//! - `tokens`: the text cut into tokens;
//! - `lexicon`: the vocabulary, every word list the reader compares tokens to;
//! - `numbers`: digits and number words read as numbers;
//! - `dates`: the dates a report may give, and which one is the day it was held;
//! - `held`: whether the session was held;
//! - `reader`: the one pass over the tokens, and the pairing of counts with their keywords.
//!
//! Everything but the public API is private to this module.

mod amend;
mod context;
mod dates;
mod held;
mod lexicon;
mod months;
mod numbers;
mod reader;
mod reading;
mod tokens;
mod verdict;

pub use reading::{Count, Fact, Reading, Refused};

use crate::calendar::{JalaliDate, Period};
use crate::text::{normalize_text, sanitize_input};
use reader::Reader;
use tokens::tokenize;

/// The longest report text accepted, in characters (after cleaning).
pub const MAX_REPORT_CHARS: usize = 2000;

/// Why a report text was refused by [`check_report_text`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportTextError {
    /// Nothing is left once control characters, whitespace and invisible marks are removed.
    #[error("the report is empty")]
    Empty,
    /// The cleaned text is longer than [`MAX_REPORT_CHARS`].
    #[error("the report is {len} characters long; at most {max} are accepted")]
    TooLong {
        /// The length of the cleaned text, in characters.
        len: usize,
        /// The most accepted, [`MAX_REPORT_CHARS`].
        max: usize,
    },
}

/// Cleans a report text for storing ([`sanitize_input`]: control characters removed, line ends
/// normalised, trimmed) and checks it: [`ReportTextError::Empty`] when nothing visible is left
/// (only whitespace, zero-width or direction marks), [`ReportTextError::TooLong`] when it has more
/// than [`MAX_REPORT_CHARS`] characters. Returns the cleaned text otherwise.
pub fn check_report_text(text: &str) -> Result<String, ReportTextError> {
    let clean = sanitize_input(text);
    if normalize_text(&clean).is_empty() {
        return Err(ReportTextError::Empty);
    }
    let len = clean.chars().count();
    if len > MAX_REPORT_CHARS {
        return Err(ReportTextError::TooLong {
            len,
            max: MAX_REPORT_CHARS,
        });
    }
    Ok(clean)
}

/// What could be read from a report; each field is `None` when the text does not say it (or
/// says it in a way the reader does not understand).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportFacts {
    /// Whether the session was held: `Some(true)` for برگزار شد / تشکیل شد / انجام شد / held,
    /// `Some(false)` for برگزار نشد / تشکیل نشد / نشد / لغو / not held / cancelled. When the
    /// text has no such word but gives the day or a number of attendees, the session is taken
    /// as held.
    pub held: Option<bool>,
    /// The day the session was held; always `None` when `held` is `Some(false)` (a date in such
    /// a report is a plan, not a fact).
    pub held_on: Option<JalaliDate>,
    /// The number of people who attended (حضور، حاضرین، نفر حاضر، شرکت‌کننده، attendees).
    pub attendees: Option<u32>,
    /// The number of people newly insured (بیمه، بیمه شده، عضو جدید، newly insured).
    pub insured: Option<u32>,
}

impl ReportFacts {
    /// Whether nothing at all could be read.
    pub fn is_empty(&self) -> bool {
        *self == ReportFacts::default()
    }
}

/// Reads a report written for `period` (the month the obligation is due in) on the day
/// `today`: each fact known, asked between two values, or unknown, and what was refused as
/// impossible (a day after `today`, a negative count). It weighs the whole report: the last
/// explicit statement of whether the session was held wins (`برگزار نشد ... نهایتاً برگزار شد`);
/// a letter's own date, a reminder quoted back, a planned or next date and a deadline are never
/// the session's day; list markers, ranges, totals since the start of the year, plans and
/// quotas are never the month's counts; groups of attendees are added up; a session not held
/// has no day and no attendance. A fact no careful reader could decide is left unknown.
///
/// Understood, on text folded with [`normalize_text`] (so ي/ك, ZWNJ, diacritics, direction
/// marks and digit systems do not matter):
///
/// - **held**: برگزار / تشکیل / منعقد / انجام followed by شد, شده, گردید, کردیم, … (or glued,
///   `برگزارشد`) → held; by نشد, نگردید, نکردیم, نخواهد, … → not held; عدم برگزاری / عدم
///   تشکیل, لغو, کنسل, تعویق, موکول, a bare نشد, خیر or نه → not held; بله → held; a future or
///   subjunctive form (برگزار خواهد شد, برگزار شود) says nothing. English: held, convened,
///   took place (negated by not, wasn't, didn't, never, …; `will be held` says nothing), not
///   held, cancelled, postponed, no session, a lone no. `انجام شد` counts only next to a meeting word
///   (جلسه, ستاد, نشست, session, meeting). The most explicit statement wins, and among equally
///   explicit ones the first.
/// - **held_on**: `1404/02/15` with `/`, `-`, `.`, `\` or `٫` separators (also day first,
///   `15/02/1404`, and a two-digit year `04/02/15` when it is the period's year or next to it);
///   an ISO Gregorian date `2025-05-05`, converted; a day and a month name, `۱۵ اردیبهشت`,
///   `۱۵ام اردیبهشت ماه ۱۴۰۴`, `پانزدهم اردیبهشت`, `15 Ordibehesht`, `Ordibehesht 15, 1404`,
///   with the year, when not written, the one that puts the month nearest to `period`; a bare
///   day, `روز ۱۵`, `تاریخ ۱۵ام`, `on the 15th`, in the period's month, only when it is the only
///   date. A short `۲/۱۵` or `۱۵/۲` (month and day in the order that puts the month nearer
///   the period) is read after تاریخ / مورخ / date / on, in the nearest year, and elsewhere
///   only when it falls in the period's month. A date that does not exist (`1404/12/30`) is
///   not taken. Of several dates, the one in the clause that says the session was held, else the
///   only one, else the only one in `period`; between two, the member is asked.
/// - **attendees** and **insured**: a number (any digits, `1,200`, `۳ هزار`, or Persian number
///   words up to the hundreds, `بیست و پنج`, and English ones up to ninety-nine) next to a
///   keyword, before or after it, in the same clause (clauses end at `. , ، ; ؛ ! ? ؟ |` and
///   line ends; parentheses do not end one: `با حضور بخشداران (۱۷ نفر)`): `با حضور ۱۲ نفر`,
///   `حاضرین: ١٢`, `۱۲ نفر حاضر`, `۱۲ شرکت‌کننده`, `12 attendees`, `۳۵ نفر بیمه شدند`,
///   `بیمه شده جدید: 35`, `۳۵ عضو جدید`, `عضو صندوق شدند`, `35 newly insured`.
///   When a clause holds several, each number goes to the nearest keyword, following the
///   clause's own order (keyword first or number first); `N نفر` followed by a keyword binds to
///   it. Numbers that are clearly something else are skipped: times (`ساعت ۱۰`, `10:30`),
///   durations and ages (`۲ ساعت`, `۳ روز`), percentages, money, ordinals, weekdays (`سه شنبه`),
///   resolution or letter numbers (`بند ۳`, `مصوبه ۵`), ranges and decimals. `با ۱۲ نفر` with
///   no keyword reads as attendees. A number too large for a `u32` leaves its field `None`.
///
/// Never panics, whatever the input (fuzzed); a report of a few hundred bytes reads in tens of
/// microseconds, a 2 KB one in about 2 ms (some checks look at every count of a clause).
pub fn read_report(text: &str, period: Period, today: JalaliDate) -> Reading {
    match months::own_month(text, period, today) {
        Some(own) => read_text(&own, period, today),
        None => read_text(text, period, today),
    }
}

/// [`read_report`] of a text about one month.
fn read_text(text: &str, period: Period, today: JalaliDate) -> Reading {
    let tokens = tokenize(text);
    let reader = Reader {
        toks: &tokens,
        period,
        today,
    };
    reader.read()
}

#[cfg(test)]
mod tests;
