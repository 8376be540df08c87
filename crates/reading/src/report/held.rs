//! Whether a report says the session was held: the held verbs with their auxiliaries, apart
//! or glued (`برگزار شد`, `برگزارشد`), their negative and future forms, the words that cancel or
//! postpone, a lone yes or no, and the English phrasings; the most explicit statement wins
//! ([`Reader::held`]). Its word lists are its own, local to the one function that weighs them.
//!
//! Pure code: it must not import `sqlx`, `teloxide` or `tokio`, nor read a clock.

use super::reader::Reader;
use super::tokens::Tok;

/// What the text says of whether the session was held.
#[derive(Debug, Default)]
pub(super) struct Held {
    /// Held (`true`), not held (`false`), or not said.
    pub(super) verdict: Option<bool>,
    /// The token of the statement that it was held, when that is the verdict.
    pub(super) at: Option<usize>,
    /// The tokens of explicit statements that a session was not held (cancelled, postponed).
    pub(super) against: Vec<usize>,
    /// The clauses (first and past-the-end tokens) that tell of something held that is not the
    /// session: a class, a workshop, a meeting with the village heads. Their dates and counts
    /// are not the session's.
    pub(super) elsewhere: Vec<(usize, usize)>,
}

impl Held {
    /// Whether token `i` tells of something held that is not the session.
    pub(super) fn is_elsewhere(&self, i: usize) -> bool {
        self.elsewhere.iter().any(|&(c0, c1)| (c0..c1).contains(&i))
    }
}

impl Reader<'_> {
    /// How many words the text has.
    fn words(&self) -> usize {
        self.toks
            .iter()
            .filter(|t| matches!(t, Tok::Word(_)))
            .count()
    }

    /// Whether the clause of token `i` speaks of insurance.
    fn clause_has_insured(&self, i: usize) -> bool {
        let (c0, c1) = (self.clause_start(i), self.clause_end(i));
        (c0..c1).any(|j| self.word(j).is_some_and(|w| w.starts_with("بیمه")))
    }

    /// Whether the text says the session was held.
    pub(super) fn held(&self) -> Held {
        /// The held verbs: strong ones, and `انجام` which needs a meeting word nearby.
        const STEMS: &[(&str, u8)] = &[
            ("برگزار", 3),
            ("برگذار", 3),
            ("تشکیل", 3),
            ("منعقد", 3),
            ("انجام", 2),
        ];
        const POSITIVE: &[&str] = &[
            "شد",
            "شده",
            "گردید",
            "گردیده",
            "کرد",
            "کردیم",
            "کردند",
            "کردید",
            "داد",
            "دادیم",
            "دادند",
            "داده",
            "یافت",
        ];
        const NEGATIVE: &[&str] = &[
            "نشد",
            "نشده",
            "نگردید",
            "نگردیده",
            "نکرد",
            "نکردیم",
            "نکردند",
            "نداد",
            "ندادیم",
            "ندادند",
            "نخواهد",
            "نمیشود",
            "نشود",
            "نگردد",
            "نیافت",
        ];
        const FUTURE: &[&str] = &[
            "خواهد",
            "خواهیم",
            "خواهند",
            "میشود",
            "می",
            "شود",
            "بشود",
            "گردد",
            "میگردد",
            "میکنیم",
            "کنیم",
            "کند",
            "کنند",
            "میشه",
            "بشه",
            "باشه",
            "شوند",
            "میگردد",
            "میباشد",
        ];
        const EVENTS: &[&str] = &[
            "کلاس",
            "کلاسهای",
            "کارگاه",
            "کارگاههای",
            "دوره",
            "دورههای",
            "همایش",
            "توجیهی",
            "ترویجی",
            "اموزشی",
            "نمایشگاه",
            "مراسم",
            "جشنواره",
        ];
        const MEETING: &[&str] = &["جلسه", "جلسات", "ستاد", "نشست", "meeting", "session"];
        const NEGATORS: &[&str] = &[
            "not", "never", "wasn't", "weren't", "isn't", "hasn't", "haven't", "hadn't", "didn't",
            "no",
        ];

        // (strength, position, held?)
        let mut signals: Vec<(u8, usize, bool)> = Vec::new();
        // The clause of each token, and whether each clause names a meeting; one pass.
        let mut clause_of = Vec::with_capacity(self.toks.len());
        let mut meeting_in = vec![false];
        for (j, tok) in self.toks.iter().enumerate() {
            clause_of.push(meeting_in.len() - 1);
            if *tok == Tok::Break {
                meeting_in.push(false);
            } else if self.word_in(j, MEETING)
                && let Some(last) = meeting_in.last_mut()
            {
                *last = true;
            }
        }
        let clause_has_meeting = |i: usize| meeting_in[clause_of[i]];
        // A negator among the three tokens before `i`, in the same clause.
        let english_negated = |i: usize| {
            (i.saturating_sub(3)..i)
                .rev()
                .take_while(|&j| self.toks[j] != Tok::Break)
                .any(|j| self.word_in(j, NEGATORS))
        };
        for (i, tok) in self.toks.iter().enumerate() {
            let Tok::Word(w) = tok else { continue };
            let w = w.as_str();
            // A held verb, with its auxiliary apart (برگزار شد) or glued (برگزارشد).
            let stem = STEMS.iter().find_map(|&(stem, strength)| {
                if w == stem {
                    Some((strength, None))
                } else {
                    let rest = w.strip_prefix(stem)?;
                    (!rest.is_empty()).then_some((strength, Some(rest)))
                }
            });
            if let Some((strength, glued)) = stem {
                if strength < 3 && !clause_has_meeting(i) {
                    continue;
                }
                let verdict = match glued {
                    Some(rest) if POSITIVE.contains(&rest) => Some(Some(true)),
                    Some(rest) if NEGATIVE.contains(&rest) => Some(Some(false)),
                    Some(_) => None, // برگزاری, تشکیلات: another word
                    None => {
                        let mut verdict = Some(None);
                        for j in i + 1..(i + 4).min(self.toks.len()) {
                            match &self.toks[j] {
                                Tok::Word(a) if POSITIVE.contains(&a.as_str()) => {
                                    verdict = Some(Some(true));
                                    break;
                                }
                                Tok::Word(a) if NEGATIVE.contains(&a.as_str()) => {
                                    verdict = Some(Some(false));
                                    break;
                                }
                                Tok::Word(a) if FUTURE.contains(&a.as_str()) => {
                                    verdict = None;
                                    break;
                                }
                                Tok::Word(_) | Tok::Sym(_) => {}
                                _ => break,
                            }
                        }
                        verdict
                    }
                };
                // `هنوز برگزار نشده`, sent while the month lasts: not yet; it may still be held.
                let not_yet = self.today <= self.period.last_day()
                    && (self.clause_start(i)..i)
                        .any(|j| self.word_in(j, &["هنوز", "still", "yet"]));
                match verdict {
                    Some(Some(false)) if not_yet => {}
                    Some(Some(held)) => signals.push((strength, i, held)),
                    // The verb alone (جلسه ... برگزار.) is a weak yes.
                    Some(None) => signals.push((1, i, true)),
                    None => {}
                }
                continue;
            }
            match w {
                "عدم" if self.word_in(i + 1, &["برگزاری", "تشکیل", "انعقاد", "برگزار"]) =>
                {
                    signals.push((3, i, false));
                }
                "لغو" | "کنسل" | "تعویق" | "موکول" | "cancelled" | "canceled" | "postponed" =>
                {
                    signals.push((2, i, false));
                }
                "نشد" | "نداشتیم" | "نبود"
                    if !self.clause_has_insured(i)
                        && (clause_has_meeting(i) || self.words() <= 2) =>
                {
                    signals.push((1, i, false));
                }
                "خیر" => signals.push((1, i, false)),
                "نصاب" if self.any_word(i + 1, i + 4, &["نرسید", "نرسیده", "نشد"]) =>
                {
                    signals.push((3, i, false));
                }
                "عقب" if self.word_in(i + 1, &["افتاد", "افتاده"]) => {
                    signals.push((2, i, false))
                }
                "منتفی" | "تعطیل" if clause_has_meeting(i) => signals.push((2, i, false)),
                // `امکان تشکیل جلسه ... فراهم نگردید`, `میسر نشد`.
                "فراهم" | "میسر" | "مقدور"
                    if clause_has_meeting(i)
                        && self.word_in(i + 1, &["نشد", "نگردید", "نشده", "نبود", "نیست"]) =>
                {
                    signals.push((3, i, false));
                }
                "نتوانستیم" | "نتونستیم" | "نشد"
                    if clause_has_meeting(i)
                        && self.any_word(i + 1, i + 4, &["برگزار", "تشکیل"]) =>
                {
                    signals.push((3, i, false));
                }
                "داشتیم" | "داشتند"
                    if !self.clause_has_insured(i)
                        && (i.saturating_sub(4)..i).any(|j| self.word_in(j, &["جلسه", "نشست"])) =>
                {
                    signals.push((2, i, true));
                }
                // A lone `نه` (no) as the whole answer; elsewhere it is the number nine.
                "نه" if (i == 0 || self.toks[i - 1] == Tok::Break)
                    && self.toks.get(i + 1).is_none_or(|t| *t == Tok::Break) =>
                {
                    signals.push((1, i, false));
                }
                "بله" | "بلی" | "yes" => signals.push((1, i, true)),
                // `will be held`, `to be held`: a plan, not a fact.
                "held" | "convened" if i == 0 || self.word(i - 1) != Some("be") => {
                    signals.push((3, i, !english_negated(i)));
                }
                // Persian typed in Latin letters: `barghozar shod`, `bargozar nashod`.
                "barghozar" | "bargozar" | "bargozaar" | "tashkil"
                    if self.word_in(i + 1, &["shod", "shode", "nashod", "nashode"]) =>
                {
                    let no = self.word(i + 1).is_some_and(|a| a.starts_with("na"));
                    signals.push((3, i, !no));
                }
                "took" if self.word(i + 1) == Some("place") => {
                    signals.push((3, i, !english_negated(i)));
                }
                // `did not take place`; a bare `will take place` is a plan.
                "take" if self.word(i + 1) == Some("place") && english_negated(i) => {
                    signals.push((3, i, false));
                }
                "called" if self.word(i + 1) == Some("off") => signals.push((2, i, false)),
                "no" if self.word_in(i + 1, &["session", "meeting"]) => {
                    signals.push((3, i, false));
                }
                "no" | "nope" if i + 1 >= self.toks.len() || self.toks[i + 1] == Tok::Break => {
                    signals.push((1, i, false));
                }
                _ => {}
            }
        }
        // A meeting with others than the headquarters (`جلسه با دهیاران`), not `جلسه با حضور`.
        let with_others =
            |j: usize| self.word(j + 1) == Some("با") && self.word_in(j + 2, OTHER_GROUPS);
        // Not a session's: a class or workshop held (`۳ کلاس ترویجی برگزار شد`).
        let mut elsewhere = Vec::new();
        signals.retain(|&(strength, i, held)| {
            let (c0, c1) = (self.clause_start(i), self.clause_end(i));
            let event = self.any_word(c0, c1, EVENTS)
                || (c0..c1).any(|j| self.word_in(j, MEETING) && with_others(j));
            let meeting = (c0..c1).any(|j| {
                self.word_in(j, MEETING)
                    && !self.word_in(j + 1, EVENTS)
                    && !self.word_in(j + 2, EVENTS)
                    && !with_others(j)
            });
            let other = held && strength >= 1 && event && !meeting;
            if other {
                elsewhere.push((c0, c1));
            }
            !other
        });
        let Some(strongest) = signals.iter().map(|s| s.0).max() else {
            return Held {
                elsewhere,
                ..Held::default()
            };
        };
        // What finally happened: the last of the most explicit statements.
        let last = signals.iter().rev().find(|s| s.0 == strongest).copied();
        Held {
            verdict: last.map(|s| s.2),
            at: last.filter(|s| s.2).map(|s| s.1),
            against: signals
                .iter()
                .filter(|s| !s.2 && s.0 >= 2)
                .map(|s| s.1)
                .collect(),
            elsewhere,
        }
    }
}

/// Whom a meeting can be with when it is not the headquarters' session.
const OTHER_GROUPS: &[&str] = &[
    "دهیاران",
    "بخشداران",
    "شوراها",
    "شوراهای",
    "کشاورزان",
    "اهالی",
    "مردم",
    "خیرین",
    "معتمدین",
    "روحانیون",
    "بانوان",
    "جوانان",
];
