//! What the words around a number or a date say it is: one end of a range, a total since the
//! start of the year, a plan or quota, a letter's own date, a date quoted back, a planned or
//! next date. The reader keeps only what reports a result of the month.
//!
//! Pure code: it must not import `sqlx`, `teloxide` or `tokio`, nor read a clock.

use super::reader::{CountKind, Reader};
use super::tokens::Tok;

/// Words before a number that make it a total since the start of the year.
const CUMULATIVE_BEFORE: &[&[&str]] = &[
    &["تاکنون"],
    &["تا", "کنون"],
    &["تا", "الان"],
    &["تا", "به", "حال"],
    &["تجمعی"],
    &["ابتدای", "سال"],
    &["اول", "سال"],
    &["تا", "پایان"],
    &["محقق", "شده"],
    &["در", "مجموع", "سال"],
    &["so", "far"],
];

/// Words after a number that make it a total since the start of the year.
const CUMULATIVE_AFTER: &[&str] = &["تجمعی", "تاکنون", "رسید", "رسیده"];

/// Words near a number that make it a plan, a quota or a target.
const PLAN_BEFORE: &[&str] = &[
    "مقرر",
    "قرار",
    "هدف",
    "سهمیه",
    "برنامه",
    "پیشبینی",
    "باید",
    "حداقل",
    "ابلاغ",
    "ابلاغی",
    "تعهد",
    "target",
    "quota",
    "planned",
];

/// Words after a number that make it a plan, a quota or a target.
const PLAN_AFTER: &[&str] = &[
    "شوند",
    "شود",
    "کند",
    "کنند",
    "نفری",
    "تعیین",
    "ابلاغ",
    "ابلاغی",
    "هدفگذاری",
];

/// Words that say "this month", which keep a number the month's even after "so far".
const MONTHLY: &[&[&str]] = &[
    &["این", "ماه"],
    &["همین", "ماه"],
    &["ماه", "جاری"],
    &["جدید"],
];

impl Reader<'_> {
    /// The first token of the clause of token `i`.
    pub(super) fn clause_start(&self, i: usize) -> usize {
        (0..i.min(self.toks.len()))
            .rev()
            .find(|&j| self.toks[j] == Tok::Break)
            .map_or(0, |j| j + 1)
    }

    /// The index after the last token of the clause of token `i`.
    pub(super) fn clause_end(&self, i: usize) -> usize {
        (i..self.toks.len())
            .find(|&j| self.toks[j] == Tok::Break)
            .unwrap_or(self.toks.len())
    }

    /// Whether one of `phrases` starts at a token in `from..to`.
    pub(super) fn any_phrase(&self, from: usize, to: usize, phrases: &[&[&str]]) -> bool {
        (from..to).any(|j| phrases.iter().any(|p| self.phrase_at(j, p)))
    }

    /// Whether one of `words` is a token in `from..to`.
    pub(super) fn any_word(&self, from: usize, to: usize, words: &[&str]) -> bool {
        (from..to).any(|j| self.word_in(j, words))
    }

    /// What the number in tokens `start..end` (its unit word included) is, by its context.
    pub(super) fn count_kind(&self, start: usize, end: usize) -> CountKind {
        let (c0, c1) = (self.clause_start(start), self.clause_end(start));
        let before = start.saturating_sub(6).max(c0);
        let after = (end + 3).min(c1);
        // A range: `۱۵ تا ۲۰`, `بین ۲۰ و ۲۵`, `۲۰ الی ۲۵`.
        let joins = |j: usize| self.word_in(j, &["تا", "الی", "to", "or", "یا"]);
        let number =
            |j: usize| matches!(self.toks.get(j), Some(Tok::Num(_))) || self.number_at(j).is_some();
        if (joins(end) && number(end + 1))
            || (start >= 2 && joins(start - 1) && number(start - 2))
            || (start >= 3
                && joins(start - 1)
                && self.word_in(start - 2, &["نفر", "تن"])
                && number(start - 3))
            || (start >= 1 && self.word_in(start - 1, &["بین", "between"]))
        {
            return CountKind::Range;
        }
        let until = self.any_phrase(before, start, &[&["تا", "پایان"], &["تا", "اخر"]]);
        let monthly = self.any_phrase(before, after, MONTHLY)
            || (!until
                && (before..after).any(|j| {
                    self.word(j).and_then(super::lexicon::month_of) == Some(self.period.month())
                }));
        if !monthly
            && (self.any_phrase(before, start, CUMULATIVE_BEFORE)
                || self.any_word(end, after, CUMULATIVE_AFTER))
        {
            return CountKind::Cumulative;
        }
        // `قرار شد`, `قرار است`: a plan; `تحت پوشش قرار گرفتند`: done.
        let plan_word = |j: usize| {
            self.word_in(j, PLAN_BEFORE)
                && !(self.word(j) == Some("قرار")
                    && self.word(j + 1).is_some_and(|w| w.starts_with("گرفت")))
        };
        if (before.max(c0)..start).any(plan_word) || self.any_word(end, after, PLAN_AFTER) {
            return CountKind::Plan;
        }
        CountKind::Plain
    }
}
