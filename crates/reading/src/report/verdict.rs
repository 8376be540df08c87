//! The whole report weighed: the counts [`Scan::pair`] chose checked against their context
//! (a range, a year's total, a plan, a negative number), groups of attendees added up, a lone
//! `N نفر` taken for the attendance, `بیمه جدید نداشتیم` read as zero, and the day and the
//! verdict put together into a [`Reading`].
//!
//! Pure code: it must not import `sqlx`, `teloxide` or `tokio`, nor read a clock.

use super::reader::{CountItem, CountKind, Reader, Scan};
use super::reading::{Count, Fact, Reading, Refused};
use super::tokens::Tok;

/// Words that join two groups of attendees (`۱۵ نفر از اعضا به همراه ۵ نفر از مدعوین`).
const JOINERS: &[&str] = &["و", "همراه", "بهمراه", "با", "and", "plus"];

/// Words that say there was none (`بیمه جدید نداشتیم`).
const NONE_WORDS: &[&str] = &[
    "نداشتیم",
    "ندارد",
    "نداریم",
    "نداشت",
    "نداشته",
    "هیچ",
    "نشد",
    "nadashtim",
    "none",
];

/// Words after a lone `N نفر` that make it the attendance (`۱۵ نفر بودیم`).
const CAME: &[&str] = &["بودیم", "بودند", "اومدن", "امدند", "اومدند", "امده", "امدن"];

impl Reader<'_> {
    /// Reads the whole report.
    pub(super) fn read(&self) -> Reading {
        let scan = self.scan();
        let held = self.held();
        let paired = scan.pair(self.toks);
        let mut used = paired.used.clone();
        let mut refused = Vec::new();

        let (mut held_on, future) = self.held_on(&scan, &held);
        // Held, or not said but dated: a lone `N نفر` is the attendance.
        let done = match held.verdict {
            Some(v) => v,
            None => held_on.known().is_some(),
        };
        let mut attendees = match paired.attendees {
            Some(a) if held.is_elsewhere(scan.counts[a].start) => Fact::Unknown,
            Some(a) => self.counted(&scan, a, Count::Attendees, &mut used, &mut refused),
            None if done => {
                let lone = self.lone_attendance(&scan, &used);
                match (lone, held.at) {
                    (Fact::Unknown, Some(at)) => self.beside_verdict(&scan, &used, at),
                    (lone, _) => lone,
                }
            }
            None => Fact::Unknown,
        };
        if let (Fact::Known(_), Some(a)) = (&attendees, paired.attendees) {
            attendees = self.groups(&scan, a, &used).map_or(attendees, Fact::Known);
            // `اعضای حاضر: ۱۴ نفر` then a line `مدعوین: ۳ نفر`: the guests come too.
            if let (Fact::Known(n), Some(g)) = (&attendees, self.guests_line(&scan, &used))
                && let Some(sum) = n.checked_add(g)
            {
                attendees = Fact::Known(sum);
            }
        }
        let insured_paired = paired.insured;
        let mut insured = match paired.insured {
            Some(i) => self.counted(&scan, i, Count::Insured, &mut used, &mut refused),
            None => Fact::Unknown,
        };
        if insured.is_unknown()
            && !refused
                .iter()
                .any(|r| matches!(r, Refused::Negative(Count::Insured, _)))
        {
            insured = self.none_insured(&scan);
        }
        if insured.is_unknown() {
            insured = self.new_people(&scan, &used);
        }
        // `بیمه شدگان جدید: ۹ مرد و ۶ زن`: groups added up, as for attendees.
        if let (Fact::Known(_), Some(i)) = (&insured, insured_paired)
            && scan.counts[i].kind == CountKind::Plain
        {
            // Only the groups after it: those before are the attendees'.
            let mut after = used.clone();
            after[..i].fill(true);
            insured = self.groups(&scan, i, &after).map_or(insured, Fact::Known);
        }

        let mut verdict = held.verdict;
        if verdict.is_none()
            && (held_on.known().is_some() || attendees.known().is_some_and(|n| n > 0))
        {
            verdict = Some(true);
        }
        // A day yet to come, where nothing says the session was not held (a reply that gives
        // only a date has no verdict of its own), is refused out loud.
        if held_on.is_unknown() && verdict != Some(false) {
            refused.extend(future.first().map(|&d| Refused::FutureDate(d)));
        }
        let read = (attendees.clone(), insured.clone());
        self.amend(&scan, &mut attendees, &mut insured);
        // Said twice, differently, and not corrected: asked (the later first), not guessed.
        if attendees == read.0 && insured == read.1 {
            let facts = [
                (&mut attendees, paired.attendees, paired.second[0]),
                (&mut insured, paired.insured, paired.second[1]),
            ];
            for (fact, first, second) in facts {
                if let (Fact::Known(v), Some(f), Some(s)) = (fact.clone(), first, second)
                    && let Some(other) = scan.counts[s].value
                    && other != v
                {
                    *fact = if s > f {
                        Fact::Asked(other, v)
                    } else {
                        Fact::Asked(v, other)
                    };
                }
            }
        }
        // `دو جلسه`, `جلسه اول ... جلسه دوم`: two sessions, whose day and attendance are not
        // one (`دومین جلسه ستاد در سال` alone is one session, counted in the year).
        let nth = |nth: &[&str]| {
            (0..self.toks.len())
                .any(|j| self.word_in(j, &["جلسه", "نشست"]) && self.word_in(j + 1, nth))
        };
        let two_sessions = (0..self.toks.len())
            .any(|j| self.word(j) == Some("دو") && self.word_in(j + 1, &["جلسه", "نوبت", "بار"]))
            || (nth(&["اول", "نخست"]) && nth(&["دوم"]));
        if verdict == Some(false) || two_sessions {
            held_on = Fact::Unknown;
            attendees = Fact::Unknown;
        }
        Reading {
            held: verdict.into(),
            held_on,
            attendees,
            insured,
            refused,
        }
    }

    /// The fact count `i` gives for `field`, by its kind: a total since the start of the year
    /// gives way to the month's figure after it (`تاکنون ۲۶ نفر ... که ۷ نفر آن در تیرماه`).
    fn counted(
        &self,
        scan: &Scan,
        i: usize,
        field: Count,
        used: &mut [bool],
        refused: &mut Vec<Refused>,
    ) -> Fact<u32> {
        let c = scan.counts[i];
        match c.kind {
            CountKind::Plain => c.value.into(),
            CountKind::Cumulative if field == Count::Attendees => c.value.into(),
            CountKind::Cumulative => {
                let next = (i + 1..scan.counts.len()).find(|&j| {
                    let n = &scan.counts[j];
                    !used[j] && n.kind == CountKind::Plain && n.clause <= c.clause + 1
                });
                match next {
                    Some(j) => {
                        used[j] = true;
                        scan.counts[j].value.into()
                    }
                    None => Fact::Unknown,
                }
            }
            CountKind::Range | CountKind::Plan => Fact::Unknown,
            CountKind::Negative => {
                let value = c.value.map_or(i64::MIN, |v| -i64::from(v));
                refused.push(Refused::Negative(field, value));
                Fact::Unknown
            }
        }
    }

    /// Whether the tokens between two counts only join two groups of people.
    fn joins_groups(&self, a: &CountItem, b: &CountItem) -> bool {
        if a.clause != b.clause || b.start < a.end || b.start - a.end > 7 {
            return false;
        }
        let between = a.end..b.start;
        let joined = between
            .clone()
            .any(|j| self.word_in(j, JOINERS) || matches!(self.toks[j], Tok::Sym('+' | '،')));
        // `شهریور ۱۸ نفر و مرداد ۹ نفر`: two months' figures, not two groups.
        let keyword = between.clone().any(|j| {
            self.word(j).is_some_and(|w| {
                w.starts_with("بیمه")
                    || w.starts_with("حضور")
                    || w == "حاضر"
                    || super::lexicon::month_of(w).is_some()
            })
        });
        joined && !keyword && a.unit && (b.unit || self.word_in(b.end, GUESTS))
    }

    /// The sum of the groups of attendees count `a` is one of, if it is one of several.
    fn groups(&self, scan: &Scan, a: usize, used: &[bool]) -> Option<u32> {
        let plain = |j: usize| scan.counts[j].kind == CountKind::Plain;
        let mut first = a;
        while first > 0
            && !used[first - 1]
            && plain(first - 1)
            && self.joins_groups(&scan.counts[first - 1], &scan.counts[first])
        {
            first -= 1;
        }
        let mut last = a;
        while last + 1 < scan.counts.len()
            && !used[last + 1]
            && plain(last + 1)
            && self.joins_groups(&scan.counts[last], &scan.counts[last + 1])
        {
            last += 1;
        }
        if first == last {
            return None;
        }
        (first..=last).try_fold(0u32, |sum, j| sum.checked_add(scan.counts[j].value?))
    }

    /// The count of a line that is only a label of guests and its number (`مدعوین: ۳ نفر`).
    fn guests_line(&self, scan: &Scan, used: &[bool]) -> Option<u32> {
        const LABELS: &[&str] = &["مدعوین", "مهمانان", "میهمانان", "guests"];
        let lines: Vec<&CountItem> = scan
            .counts
            .iter()
            .enumerate()
            .filter(|&(j, c)| {
                let c0 = self.clause_start(c.start);
                let c1 = self.clause_end(c.start);
                let label = (c0..c.start).all(|t| {
                    self.word_in(t, LABELS)
                        || self.word_in(t, &["تعداد"])
                        || matches!(self.toks[t], Tok::Sym(_))
                }) && (c0..c.start).any(|t| self.word_in(t, LABELS));
                !used[j] && c.kind == CountKind::Plain && label && c.end == c1
            })
            .map(|(_, c)| c)
            .collect();
        match lines[..] {
            [only] => only.value,
            _ => None,
        }
    }

    /// A lone `N نفر` in a clause of its own (`برگزار شد، ۱۸ نفر، ۷ بیمه`), or followed by
    /// `بودیم`: the attendance, when nothing else claims it.
    fn lone_attendance(&self, scan: &Scan, used: &[bool]) -> Fact<u32> {
        let alone = |j: usize| {
            let c = &scan.counts[j];
            let others = scan.counts.iter().filter(|o| o.clause == c.clause).count();
            let keyword = scan.keywords.iter().any(|k| k.clause == c.clause);
            let (c0, c1) = (self.clause_start(c.start), self.clause_end(c.start));
            let insurance = (c0..c1).any(|t| self.word(t).is_some_and(|w| w.starts_with("بیمه")));
            let absent = self.any_word(c0, c1, &["عدم", "غایب", "غایبین", "غیبت", "absent"]);
            let new = self.word(c.end) == Some("جدید");
            c.unit && others == 1 && !keyword && !insurance && !absent && !new
        };
        let came = |j: usize| self.word_in(scan.counts[j].end, CAME);
        let free = |j: usize| !used[j] && scan.counts[j].kind == CountKind::Plain;
        if let Some(j) = (0..scan.counts.len()).find(|&j| free(j) && (alone(j) || came(j))) {
            return scan.counts[j].value.into();
        }
        // `11 members + 2 guests` in a clause of their own: the groups added up.
        let clause_free = |j: usize| {
            let c = &scan.counts[j];
            let (c0, c1) = (self.clause_start(c.start), self.clause_end(c.start));
            !scan.keywords.iter().any(|k| k.clause == c.clause)
                && !(c0..c1).any(|t| self.word(t).is_some_and(|w| w.starts_with("بیمه")))
        };
        (0..scan.counts.len())
            .find(|&j| free(j) && scan.counts[j].unit && clause_free(j))
            .and_then(|j| {
                let mut in_clause = scan
                    .counts
                    .iter()
                    .filter(|o| o.clause == scan.counts[j].clause);
                let sum = self.groups(scan, j, used)?;
                // Checked: a sum of huge numbers is no count (found by fuzzing).
                let all = in_clause.try_fold(0u32, |sum, o| sum.checked_add(o.value?));
                (all == Some(sum)).then_some(sum)
            })
            .map_or(Fact::Unknown, Fact::Known)
    }

    /// The one `N نفر` in the clause that says the session was held, claimed by no keyword
    /// (`جلسه برگزار شد ۹ دی ۱۲ نفر ۳ بیمه`): the attendance.
    fn beside_verdict(&self, scan: &Scan, used: &[bool], at: usize) -> Fact<u32> {
        let clause = self.clause_start(at);
        let free: Vec<&CountItem> = scan
            .counts
            .iter()
            .enumerate()
            .filter(|&(j, c)| !used[j] && c.unit && self.clause_start(c.start) == clause)
            .map(|(_, c)| c)
            .collect();
        match free[..] {
            [only] if only.kind == CountKind::Plain => only.value.into(),
            _ => Fact::Unknown,
        }
    }

    /// Zero insured when a clause about the newly insured says there were none and gives no
    /// number (`بیمه جدید نداشتیم`, `هیچ بیمه جدیدی ثبت نشد`).
    fn none_insured(&self, scan: &Scan) -> Fact<u32> {
        let none = scan.keywords.iter().any(|k| {
            let in_clause = |c: &&CountItem| c.clause == k.clause && c.kind == CountKind::Plain;
            k.field == super::lexicon::Field::Insured
                && (!scan.counts.iter().any(|c| in_clause(&c)) && {
                    let (c0, c1) = (self.clause_start(k.start), self.clause_end(k.start));
                    self.any_word(c0, c1, NONE_WORDS)
                } || {
                    // `حدود ۲۵ نفر حاضر بودن بیمه ندارد`: the word right after the keyword.
                    self.word_in(k.end, NONE_WORDS)
                        && !scan
                            .counts
                            .iter()
                            .any(|c| in_clause(&c) && c.start >= k.start)
                })
        });
        if none { Fact::Known(0) } else { Fact::Unknown }
    }

    /// `این ماه ۲ نفر جدید` in a report about insurance: the one `N نفر جدید` of the text,
    /// with no keyword in its clause, is the people newly insured.
    fn new_people(&self, scan: &Scan, used: &[bool]) -> Fact<u32> {
        let about_insurance = (0..self.toks.len()).any(|j| {
            self.word(j)
                .is_some_and(|w| ["بیمه", "سهمیه", "صندوق"].iter().any(|k| w.starts_with(k)))
        });
        let new: Vec<&CountItem> = scan
            .counts
            .iter()
            .enumerate()
            .filter(|&(j, c)| {
                !used[j]
                    && c.unit
                    && c.kind == CountKind::Plain
                    && self.word(c.end) == Some("جدید")
                    && !scan.keywords.iter().any(|k| k.clause == c.clause)
            })
            .map(|(_, c)| c)
            .collect();
        match new[..] {
            [only] if about_insurance => only.value.into(),
            _ => Fact::Unknown,
        }
    }
}

/// Words after a number that name a group of people present (`۴ مدعو`, `۲ مهمان`).
const GUESTS: &[&str] = &[
    "مدعو",
    "مدعوین",
    "مهمان",
    "مهمانان",
    "بخشدار",
    "دهیار",
    "کارشناس",
    "guests",
    "guest",
];
