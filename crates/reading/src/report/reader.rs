//! The reader of a report's tokens: [`Reader`] with its small token helpers, and one pass over
//! the tokens ([`Reader::scan`]) that finds the dates, the numbers that may be counts and the
//! keywords of counts ([`Scan`]); then the pairing of keywords with numbers into attendees and
//! insured ([`Scan::pair`]). Numbers, dates and the held verdict are read in their own modules,
//! as more `impl Reader` blocks.
//!
//! Pure code: it must not import `sqlx`, `teloxide` or `tokio`, nor read a clock.

use super::dates::DateKind;
use super::lexicon::{
    FILLERS, Field, KEYWORD_BLOCKERS, KEYWORDS, NON_COUNT_AFTER, NON_COUNT_BEFORE, UNIT_WORDS,
};
use super::numbers::NumPhrase;
use super::tokens::Tok;
use crate::calendar::{JalaliDate, Period};

/// Reads tokens.
pub(super) struct Reader<'a> {
    /// The tokens of the whole text.
    pub(super) toks: &'a [Tok],
    /// The reporting period, for dates without a year.
    pub(super) period: Period,
    /// The day the report was written, for `دیروز` and `ماه جاری`.
    pub(super) today: JalaliDate,
}

/// What a scan of the tokens found.
#[derive(Debug, Default)]
pub(super) struct Scan {
    /// Valid dates, in text order.
    pub(super) dates: Vec<DateItem>,
    /// Numbers that may be counts.
    pub(super) counts: Vec<CountItem>,
    /// Keywords of counts.
    pub(super) keywords: Vec<KeywordItem>,
    /// Count numbers introduced by `با` with a unit and no keyword (`با ۱۲ نفر`).
    pub(super) with_people: Vec<usize>,
}

/// A date found in the text.
#[derive(Debug, Clone, Copy)]
pub(super) struct DateItem {
    /// The day.
    pub(super) date: JalaliDate,
    /// How it was written.
    pub(super) kind: DateKind,
    /// Its first token.
    pub(super) start: usize,
}

/// A count candidate: a number that may be attendees or insured.
#[derive(Debug, Clone, Copy)]
pub(super) struct CountItem {
    /// Its value (`None`: too large).
    pub(super) value: Option<u32>,
    /// Its first token.
    pub(super) start: usize,
    /// The index after its last token.
    pub(super) end: usize,
    /// Whether a unit word (`نفر`) follows it; `end` is then after the unit word.
    pub(super) unit: bool,
    /// Whether it is written in words (not used to tell the clause's order).
    pub(super) words: bool,
    /// The clause it is in.
    pub(super) clause: usize,
    /// What kind of number it is, by its context.
    pub(super) kind: CountKind,
}

/// What a count candidate is, by its context: only a plain one is a count of the month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CountKind {
    /// A count.
    Plain,
    /// One end of a range (`بین ۲۰ تا ۲۵ نفر`): the fact it belongs to is unknown.
    Range,
    /// A total since the start of the year (`تاکنون ۱۴۰ نفر`): not the month's.
    Cumulative,
    /// A plan, quota or target (`مقرر شد ۵۰ نفر بیمه شوند`): not a result.
    Plan,
    /// Written below zero: refused.
    Negative,
}

/// The counts [`Scan::pair`] chose, by index in [`Scan::counts`].
#[derive(Debug)]
pub(super) struct Paired {
    /// The count of attendees.
    pub(super) attendees: Option<usize>,
    /// The count of people insured.
    pub(super) insured: Option<usize>,
    /// Which counts were paired with a keyword.
    pub(super) used: Vec<bool>,
    /// Per field (attendees, insured), a second statement of it: another keyword of the field
    /// with a count of its own right beside it (`حاضرین: ۱۵ نفر ... ۱۸ نفر حضور داشتند`).
    pub(super) second: [Option<usize>; 2],
}

/// A keyword found in the text.
#[derive(Debug, Clone, Copy)]
pub(super) struct KeywordItem {
    /// What it counts.
    pub(super) field: Field,
    /// Its first token.
    pub(super) start: usize,
    /// The index after its last token.
    pub(super) end: usize,
    /// The clause it is in.
    pub(super) clause: usize,
}

impl Reader<'_> {
    /// The word at `i`, if that token is a word.
    pub(super) fn word(&self, i: usize) -> Option<&str> {
        match self.toks.get(i) {
            Some(Tok::Word(w)) => Some(w),
            _ => None,
        }
    }

    /// Whether the word at `i` is one of `words`.
    pub(super) fn word_in(&self, i: usize, words: &[&str]) -> bool {
        self.word(i).is_some_and(|w| words.contains(&w))
    }

    /// The index of the previous token that is not a symbol, if any.
    pub(super) fn prev_index(&self, i: usize) -> Option<usize> {
        (0..i).rev().find(|&j| !matches!(self.toks[j], Tok::Sym(_)))
    }

    /// The index of the next token at or after `i` that is not a symbol (may be `len`).
    pub(super) fn next_index(&self, i: usize) -> usize {
        (i..self.toks.len())
            .find(|&j| !matches!(self.toks[j], Tok::Sym(_)))
            .unwrap_or(self.toks.len())
    }

    /// Whether the words starting at `i` are `phrase`.
    pub(super) fn phrase_at(&self, i: usize, phrase: &[&str]) -> bool {
        phrase
            .iter()
            .enumerate()
            .all(|(k, w)| self.word(i + k) == Some(w))
    }

    /// The keyword starting at `i`, longest first, unless a blocker word precedes it.
    fn keyword_at(&self, i: usize) -> Option<(Field, usize)> {
        let (phrase, field) = KEYWORDS
            .iter()
            .filter(|(phrase, _)| self.phrase_at(i, phrase))
            .max_by_key(|(phrase, _)| phrase.len())?;
        let blocked = i > 0
            && (self.word_in(i - 1, &["عدم"])
                || (*field == Field::Insured && self.word_in(i - 1, KEYWORD_BLOCKERS)));
        (!blocked).then_some((*field, i + phrase.len()))
    }

    /// Whether the number `num` is clearly not a count of people.
    fn is_non_count(&self, num: &NumPhrase) -> bool {
        if num.ordinal {
            return true;
        }
        let before = num.start.checked_sub(1);
        let before_word = before.is_some_and(|b| self.word_in(b, NON_COUNT_BEFORE));
        let before_hash = before.is_some_and(|b| matches!(self.toks[b], Tok::Sym('#')));
        let after_word = self.word_in(num.end, NON_COUNT_AFTER);
        let after_percent = matches!(self.toks.get(num.end), Some(Tok::Sym('%' | '٪')));
        // A year: after a month's name (`شهریورماه ۱۴۰۴`), or a Jalali year with no unit.
        let year_like = num.value.is_some_and(|v| (1300..=1500).contains(&v));
        let year = year_like
            && (before.is_some_and(|b| {
                self.word(b).and_then(super::lexicon::month_of).is_some()
                    || self.word_in(b, &["ماه"])
            }) || !self.word_in(num.end, UNIT_WORDS));
        before_word || before_hash || after_word || after_percent || year
    }

    /// One pass over the tokens: dates, count numbers and keywords, each token read once.
    pub(super) fn scan(&self) -> Scan {
        let mut scan = Scan::default();
        let mut clause = 0;
        let mut i = 0;
        while i < self.toks.len() {
            match &self.toks[i] {
                Tok::Break => {
                    clause += 1;
                    i += 1;
                    continue;
                }
                Tok::Compound { parts, seps } => {
                    if let Some(date) = self.compound_date(i, parts, seps) {
                        scan.date(date, DateKind::Explicit, i);
                    }
                    i += 1;
                    continue;
                }
                _ => {}
            }
            if let Some((date, end)) = self.month_name_date(i) {
                if let Some(d) = date {
                    scan.date(d, DateKind::Explicit, i);
                }
                i = end;
                continue;
            }
            if let Some((date, end)) = self.relative_day(i) {
                scan.date(date, DateKind::Explicit, i);
                i = end;
                continue;
            }
            if let Some((date, end)) = self.bare_day(i) {
                // `روز`/`تاریخ`/`on` is read again as a word only if no day follows it.
                if let Some(d) = date {
                    scan.date(d, DateKind::BareDay, i);
                }
                i = end;
                continue;
            }
            if let Some(num) = self.number_at(i) {
                if !self.is_non_count(&num) {
                    let unit = self.word_in(num.end, UNIT_WORDS);
                    // `۳۰ عضو جدید`: the unit is also the start of a keyword, left to it.
                    let keyword_next = unit && self.keyword_at(num.end).is_some();
                    let end = if unit && !keyword_next {
                        num.end + 1
                    } else {
                        num.end
                    };
                    let with = num
                        .start
                        .checked_sub(1)
                        .is_some_and(|b| self.word_in(b, &["با", "with"]));
                    if unit && with {
                        scan.with_people.push(scan.counts.len());
                    }
                    scan.counts.push(CountItem {
                        value: num.value,
                        start: num.start,
                        end,
                        unit,
                        words: num.words,
                        clause,
                        kind: self.count_kind(num.start, end),
                    });
                    i = end;
                } else {
                    i = num.end;
                }
                continue;
            }
            if let Tok::Negative(digits) = &self.toks[i] {
                let unit = self.word_in(i + 1, UNIT_WORDS);
                let end = if unit { i + 2 } else { i + 1 };
                scan.counts.push(CountItem {
                    value: super::numbers::digits_value(digits),
                    start: i,
                    end,
                    unit,
                    words: false,
                    clause,
                    kind: CountKind::Negative,
                });
                i = end;
                continue;
            }
            if let Some((field, end)) = self.keyword_at(i) {
                scan.keywords.push(KeywordItem {
                    field,
                    start: i,
                    end,
                    clause,
                });
                i = end;
                continue;
            }
            i += 1;
        }
        scan
    }
}

impl Scan {
    fn date(&mut self, date: JalaliDate, kind: DateKind, start: usize) {
        self.dates.push(DateItem { date, kind, start });
    }

    /// Pairs the keywords of counts with the numbers near them, the cheapest pairs first (a
    /// number right after or before its keyword, in the clause's own order), each keyword and
    /// each number used once: the counts chosen for attendees and insured, by index.
    pub(super) fn pair(&self, toks: &[Tok]) -> Paired {
        /// Pairs farther apart than this many counted tokens are not made.
        const WINDOW: usize = 6;
        let filler = |j: usize| match &toks[j] {
            Tok::Word(w) => FILLERS.contains(&w.as_str()),
            Tok::Sym(_) => true,
            _ => false,
        };
        let gap = |from: usize, to: usize| (from..to).filter(|&j| !filler(j)).count();

        /// Pairs farther apart than this many tokens of any kind are not made.
        const REACH: usize = 3 * WINDOW;

        // Each clause's order: does it start with a keyword or with a number (in digits)?
        let clauses = self
            .keywords
            .iter()
            .map(|k| k.clause + 1)
            .chain(self.counts.iter().map(|n| n.clause + 1))
            .max()
            .unwrap_or(0);
        let mut first_keyword: Vec<Option<usize>> = vec![None; clauses];
        let mut first_number: Vec<Option<usize>> = vec![None; clauses];
        for k in &self.keywords {
            first_keyword[k.clause].get_or_insert(k.start);
        }
        for n in self.counts.iter().filter(|n| !n.words) {
            first_number[n.clause].get_or_insert(n.start);
        }
        let keyword_first = |clause: usize| match (first_keyword[clause], first_number[clause]) {
            (Some(k), Some(n)) => k < n,
            (Some(_), None) => true,
            _ => false,
        };

        // (cost in half steps, keyword index, count index). Counts are in text order, so only
        // those within reach of each keyword are looked at: linear in the length of the text.
        let mut pairs: Vec<(usize, usize, usize)> = Vec::new();
        for (ki, k) in self.keywords.iter().enumerate() {
            let kn = keyword_first(k.clause);
            let from = self.counts.partition_point(|n| n.end + REACH < k.start);
            for (ni, n) in self.counts.iter().enumerate().skip(from) {
                if n.start > k.end + REACH {
                    break;
                }
                if n.clause != k.clause {
                    continue;
                }
                let cost = if n.end <= k.start {
                    // number, then keyword: `۱۲ نفر حاضر`, `12 attendees`
                    if k.start - n.end > REACH {
                        continue;
                    }
                    let between = gap(n.end, k.start);
                    if between > WINDOW {
                        continue;
                    }
                    // `۱۷ نفر بیمه ۲۰ نفر`: a number right after the keyword is its own.
                    let own_after = self.counts.iter().any(|o| o.start == k.end);
                    match (between, n.unit, kn) {
                        (0, _, _) if own_after => 5,
                        (0, true, false) => 0,
                        (0, false, false) => 2,
                        (0, true, true) => 3,
                        (0, false, true) => 4,
                        (g, ..) => 6 + 2 * g + usize::from(kn),
                    }
                } else if k.end <= n.start {
                    // keyword, then number: `حاضرین: ۱۲`, `با حضور ۱۲ نفر`
                    if n.start - k.end > REACH {
                        continue;
                    }
                    let between = gap(k.end, n.start);
                    if between > WINDOW {
                        continue;
                    }
                    match between {
                        0 if kn => 2,
                        0 => 4,
                        g => 6 + 2 * g + usize::from(!kn),
                    }
                } else {
                    continue;
                };
                // A plan's number far from the keyword gives way to a result's (`۲۹ نفر ...
                // عضو صندوق شدند و مقرر شد ماه آینده ۵۰ نفر ...`); next to it, it still wins.
                let cost = if n.kind == CountKind::Plan && cost >= 6 {
                    cost + 4
                } else {
                    cost
                };
                pairs.push((cost, ki, ni));
            }
        }
        pairs.sort_by_key(|&(cost, ki, ni)| (cost, self.keywords[ki].start, self.counts[ni].start));

        let mut attendees = None;
        let mut insured = None;
        let mut keyword_used = vec![false; self.keywords.len()];
        let mut count_used = vec![false; self.counts.len()];
        for &(_, ki, ni) in &pairs {
            if keyword_used[ki] || count_used[ni] {
                continue;
            }
            let slot = match self.keywords[ki].field {
                Field::Attendees => &mut attendees,
                Field::Insured => &mut insured,
            };
            if slot.is_some() {
                continue;
            }
            keyword_used[ki] = true;
            count_used[ni] = true;
            // A plan's number takes its keyword, but another keyword may still give the fact.
            if self.counts[ni].kind == CountKind::Plan {
                continue;
            }
            *slot = Some(ni);
            keyword_used[ki] = true;
            count_used[ni] = true;
        }
        // A keyword of a field already given, with a count of its own right beside it.
        let mut second = [None; 2];
        for &(cost, ki, ni) in &pairs {
            let field = self.keywords[ki].field;
            let f = field as usize;
            if cost <= 4
                && !keyword_used[ki]
                && !count_used[ni]
                && self.counts[ni].kind == CountKind::Plain
                && [attendees, insured][f].is_some()
            {
                second[f].get_or_insert(ni);
            }
        }
        if attendees.is_none()
            && let Some(&ni) = self.with_people.iter().find(|&&ni| !count_used[ni])
        {
            attendees = Some(ni);
            count_used[ni] = true;
        }
        Paired {
            attendees,
            insured,
            used: count_used,
            second,
        }
    }
}
