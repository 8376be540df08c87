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

use chrono::NaiveDate;

use crate::domain::Lang;
use crate::domain::calendar::{JalaliDate, MAX_YEAR, MIN_YEAR, Period, month_name};
use crate::domain::text::{normalize_text, sanitize_input};

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

/// Reads the facts of a report written for `period` (the month the obligation is due in).
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
///   not taken. With several dates, the first in `period` wins, else the first.
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
/// Never panics, whatever the input; its cost grows linearly with the length of the text.
pub fn read_report(text: &str, period: Period) -> ReportFacts {
    let tokens = tokenize(text);
    let reader = Reader {
        toks: &tokens,
        period,
    };
    let scan = reader.scan();
    let mut facts = ReportFacts {
        held: reader.held(),
        held_on: scan.held_on(period),
        attendees: None,
        insured: None,
    };
    let (attendees, insured) = scan.pair(&tokens);
    facts.attendees = attendees.flatten();
    facts.insured = insured.flatten();
    if facts.held.is_none() && (facts.held_on.is_some() || facts.attendees.is_some_and(|n| n > 0)) {
        facts.held = Some(true);
    }
    if facts.held == Some(false) {
        facts.held_on = None;
    }
    facts
}

// ---------------------------------------------------------------------------------------------
// Tokens

/// A token of folded text.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    /// A run of letters (apostrophes inside kept: `wasn't`).
    Word(String),
    /// A run of ASCII digits, thousands separators removed.
    Num(String),
    /// Digit runs joined by separators: a date (`1404/02/15`), a time (`10:30`), a range
    /// (`10-12`) or a decimal (`1.5`).
    Compound {
        /// The digit runs.
        parts: Vec<String>,
        /// The separators between them (`parts.len() - 1` of them).
        seps: Vec<char>,
    },
    /// The end of a clause: punctuation or a line end.
    Break,
    /// Any other symbol (`:`, `%`, an emoji, …).
    Sym(char),
}

/// Characters that end a clause.
const BREAKS: &[char] = &['.', '!', '?', '؟', '،', ',', ';', '؛', '|', '۔', '…', '\n'];

/// Characters that join the digit runs of a date, time or range.
const COMPOUND_SEPS: &[char] = &['/', '\\', '-', '.', '٫', ':'];

/// Splits a text into tokens, line by line (a line end, `\n`, `\r` or a Unicode line or
/// paragraph separator, is a clause break), after folding each line with [`normalize_text`].
fn tokenize(text: &str) -> Vec<Tok> {
    let mut toks = Vec::new();
    for line in text.split(['\n', '\r', '\u{0085}', '\u{2028}', '\u{2029}']) {
        let line = normalize_text(line);
        tokenize_line(&line, &mut toks);
        toks.push(Tok::Break);
    }
    toks
}

/// Whether `c` belongs to a word: a letter, or one of the common combining marks (an accent
/// typed after a Latin letter).
fn is_word_char(c: char) -> bool {
    c.is_alphabetic()
        || matches!(
            c,
            '\u{0300}'..='\u{036F}'
                | '\u{1AB0}'..='\u{1AFF}'
                | '\u{1DC0}'..='\u{1DFF}'
                | '\u{20D0}'..='\u{20FF}'
                | '\u{FE20}'..='\u{FE2F}'
        )
}

/// Appends the tokens of one folded line.
fn tokenize_line(line: &str, toks: &mut Vec<Tok>) {
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() {
            i = read_compound(&chars, i, toks);
        } else if is_word_char(c) {
            let start = i;
            while i < chars.len()
                && (is_word_char(chars[i])
                    || (matches!(chars[i], '\'' | '’')
                        && chars.get(i + 1).is_some_and(|&n| is_word_char(n))))
            {
                i += 1;
            }
            let word: String = chars[start..i]
                .iter()
                .map(|&c| if c == '’' { '\'' } else { c })
                .collect();
            toks.push(Tok::Word(word));
        } else if BREAKS.contains(&c) {
            toks.push(Tok::Break);
            i += 1;
        } else {
            toks.push(Tok::Sym(c));
            i += 1;
        }
    }
}

/// Reads a number or a compound starting at the digit `chars[start]`; returns the index after it.
fn read_compound(chars: &[char], start: usize, toks: &mut Vec<Tok>) -> usize {
    let digits_end = |from: usize| {
        let mut j = from;
        while j < chars.len() && chars[j].is_ascii_digit() {
            j += 1;
        }
        j
    };
    let mut i = start;
    let mut parts: Vec<String> = Vec::new();
    let mut seps: Vec<char> = Vec::new();
    let end = digits_end(i);
    let mut current: String = chars[i..end].iter().collect();
    i = end;
    loop {
        let next = chars.get(i).copied();
        let digit_after = chars.get(i + 1).is_some_and(|c| c.is_ascii_digit());
        match next {
            // Thousands separators: `1,234` and `۱٬۲۳۴`, three digits each, only in a plain number.
            Some(',' | '٬') if seps.is_empty() && digit_after => {
                let end = digits_end(i + 1);
                if end - (i + 1) == 3 && chars.get(end).is_none_or(|c| !c.is_ascii_digit()) {
                    current.extend(&chars[i + 1..end]);
                    i = end;
                } else {
                    break;
                }
            }
            Some(sep) if COMPOUND_SEPS.contains(&sep) && digit_after => {
                parts.push(std::mem::take(&mut current));
                seps.push(sep);
                let end = digits_end(i + 1);
                current = chars[i + 1..end].iter().collect();
                i = end;
            }
            _ => break,
        }
    }
    parts.push(current);
    if parts.len() == 1 {
        toks.push(Tok::Num(parts.pop().unwrap_or_default()));
    } else {
        toks.push(Tok::Compound { parts, seps });
    }
    i
}

/// The value of a run of ASCII digits, `None` when it does not fit a `u32`.
fn digits_value(digits: &str) -> Option<u32> {
    digits.bytes().try_fold(0u32, |acc, b| {
        acc.checked_mul(10)?
            .checked_add(u32::from(b.checked_sub(b'0')?))
    })
}

// ---------------------------------------------------------------------------------------------
// Vocabulary, all in the folded form of `normalize_text` (a test checks it).

/// Words after a number that make it a count of people; `N نفر حاضر` binds to what follows.
const UNIT_WORDS: &[&str] = &[
    "نفر",
    "تن",
    "people",
    "persons",
    "person",
    "individuals",
    "members",
];

/// Words that do not count when measuring how far a number is from its keyword.
const FILLERS: &[&str] = &[
    "تعداد",
    "جدید",
    "شده",
    "شدگان",
    "شدند",
    "نیز",
    "هم",
    "کل",
    "مجموع",
    "مجموعا",
    "جمعا",
    "عدد",
    "است",
    "بود",
    "بودند",
    "total",
    "new",
    "newly",
    "number",
    "of",
    "the",
    "were",
    "was",
    "by",
];

/// Words before a number that make it something other than a count.
const NON_COUNT_BEFORE: &[&str] = &[
    "ساعت",
    "بند",
    "ماده",
    "مصوبه",
    "شماره",
    "نامه",
    "کد",
    "ردیف",
    "سال",
    "مورخ",
    "مورخه",
    "at",
    "no",
    "item",
    "clause",
    "year",
];

/// Words after a number that make it something other than a count.
const NON_COUNT_AFTER: &[&str] = &[
    "ساعت",
    "دقیقه",
    "روز",
    "روزه",
    "هفته",
    "ماه",
    "ماهه",
    "سال",
    "ساله",
    "درصد",
    "میلیون",
    "میلیارد",
    "ریال",
    "تومان",
    "شنبه",
    "hours",
    "hour",
    "minutes",
    "minute",
    "min",
    "days",
    "day",
    "weeks",
    "week",
    "months",
    "month",
    "years",
    "year",
    "percent",
    "am",
    "pm",
    "rial",
    "rials",
    "toman",
    "tomans",
    "million",
    "billion",
];

/// Ordinal suffixes after digits: `۱۵ام`, `15th`.
const ORDINAL_SUFFIXES: &[&str] = &["ام", "م", "امین", "th", "st", "nd", "rd"];

/// Multipliers after a number.
const THOUSAND: &[&str] = &["هزار", "thousand"];

/// What a keyword counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    /// People who attended.
    Attendees,
    /// People newly insured.
    Insured,
}

/// Keyword phrases, as words; the longest match at a position wins.
const KEYWORDS: &[(&[&str], Field)] = &[
    (&["حضور"], Field::Attendees),
    (&["حاضر"], Field::Attendees),
    (&["حاضرین"], Field::Attendees),
    (&["حاضران"], Field::Attendees),
    (&["حضار"], Field::Attendees),
    (&["شرکت", "کننده"], Field::Attendees),
    (&["شرکت", "کنندگان"], Field::Attendees),
    (&["شرکتکننده"], Field::Attendees),
    (&["شرکتکنندگان"], Field::Attendees),
    (&["شرکت"], Field::Attendees),
    (&["attendees"], Field::Attendees),
    (&["attendee"], Field::Attendees),
    (&["attendance"], Field::Attendees),
    (&["attended"], Field::Attendees),
    (&["attending"], Field::Attendees),
    (&["participants"], Field::Attendees),
    (&["participant"], Field::Attendees),
    (&["participated"], Field::Attendees),
    (&["present"], Field::Attendees),
    (&["بیمه"], Field::Insured),
    (&["بیمه", "شدگان"], Field::Insured),
    (&["بیمهشده"], Field::Insured),
    (&["بیمهشدگان"], Field::Insured),
    (&["عضو", "جدید"], Field::Insured),
    (&["عضو", "صندوق"], Field::Insured),
    (&["عضو", "شدند"], Field::Insured),
    (&["عضو", "شده"], Field::Insured),
    (&["اعضای", "جدید"], Field::Insured),
    (&["اعضا", "جدید"], Field::Insured),
    (&["عضویت"], Field::Insured),
    (&["ثبت", "نام"], Field::Insured),
    (&["ثبتنام"], Field::Insured),
    (&["insured"], Field::Insured),
    (&["newly", "insured"], Field::Insured),
    (&["new", "members"], Field::Insured),
    (&["new", "member"], Field::Insured),
    (&["enrolled"], Field::Insured),
    (&["enrollments"], Field::Insured),
    (&["enrolments"], Field::Insured),
];

/// Words before a keyword that take its meaning away: the insurance *fund*, the *premium*, the
/// *absence* of attendees.
const KEYWORD_BLOCKERS: &[&str] = &["صندوق", "حق", "سازمان", "عدم", "fund"];

/// Words that introduce a date: `تاریخ ۱۵`, `مورخ ۰۲/۱۵`, `on 02/15`.
const DATE_WORDS: &[&str] = &["تاریخ", "مورخ", "مورخه", "روز", "date", "on"];

/// Words for "this month" after a bare day: `۱۵ همین ماه`, `۱۵ ماه جاری`.
const THIS_MONTH: &[&[&str]] = &[
    &["همین", "ماه"],
    &["این", "ماه"],
    &["ماه", "جاری"],
    &["of", "this", "month"],
];

/// Other spellings of the month names (besides `month_name` in Persian and English).
const MONTH_VARIANTS: &[(&str, u8)] = &[
    ("امرداد", 5),
    ("amordad", 5),
    ("shahrivar", 6),
    ("shahriver", 6),
    ("azar", 9),
    ("dei", 10),
    ("esfand", 12),
    ("espand", 12),
];

/// The month (1–12) a folded word names, if any: Persian (`اردیبهشت`) or transliterated
/// (`ordibehesht`).
fn month_of(word: &str) -> Option<u8> {
    (1..=12u8)
        .find(|&m| {
            normalize_text(month_name(m, Lang::Fa)) == word
                || month_name(m, Lang::En).eq_ignore_ascii_case(word)
        })
        .or_else(|| {
            MONTH_VARIANTS
                .iter()
                .find(|(name, _)| *name == word)
                .map(|&(_, m)| m)
        })
}

// Number words.

/// The magnitude class of a number word, for composing `صد و بیست و پنج`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    /// 1–9
    Unit,
    /// 10–19
    Teen,
    /// 20–90
    Ten,
    /// 100–900
    Hundred,
}

/// Persian cardinal number words.
const FA_NUMBERS: &[(&str, u32, Class)] = &[
    ("یک", 1, Class::Unit),
    ("یه", 1, Class::Unit),
    ("دو", 2, Class::Unit),
    ("سه", 3, Class::Unit),
    ("چهار", 4, Class::Unit),
    ("پنج", 5, Class::Unit),
    ("شش", 6, Class::Unit),
    ("شیش", 6, Class::Unit),
    ("هفت", 7, Class::Unit),
    ("هشت", 8, Class::Unit),
    ("نه", 9, Class::Unit),
    ("ده", 10, Class::Teen),
    ("یازده", 11, Class::Teen),
    ("دوازده", 12, Class::Teen),
    ("سیزده", 13, Class::Teen),
    ("چهارده", 14, Class::Teen),
    ("پانزده", 15, Class::Teen),
    ("پونزده", 15, Class::Teen),
    ("شانزده", 16, Class::Teen),
    ("شونزده", 16, Class::Teen),
    ("هفده", 17, Class::Teen),
    ("هیفده", 17, Class::Teen),
    ("هجده", 18, Class::Teen),
    ("هیجده", 18, Class::Teen),
    ("نوزده", 19, Class::Teen),
    ("بیست", 20, Class::Ten),
    ("سی", 30, Class::Ten),
    ("چهل", 40, Class::Ten),
    ("پنجاه", 50, Class::Ten),
    ("شصت", 60, Class::Ten),
    ("هفتاد", 70, Class::Ten),
    ("هشتاد", 80, Class::Ten),
    ("نود", 90, Class::Ten),
    ("صد", 100, Class::Hundred),
    ("یکصد", 100, Class::Hundred),
    ("دویست", 200, Class::Hundred),
    ("سیصد", 300, Class::Hundred),
    ("چهارصد", 400, Class::Hundred),
    ("پانصد", 500, Class::Hundred),
    ("پونصد", 500, Class::Hundred),
    ("ششصد", 600, Class::Hundred),
    ("هفتصد", 700, Class::Hundred),
    ("هشتصد", 800, Class::Hundred),
    ("نهصد", 900, Class::Hundred),
];

/// English cardinal number words.
const EN_NUMBERS: &[(&str, u32, Class)] = &[
    ("one", 1, Class::Unit),
    ("two", 2, Class::Unit),
    ("three", 3, Class::Unit),
    ("four", 4, Class::Unit),
    ("five", 5, Class::Unit),
    ("six", 6, Class::Unit),
    ("seven", 7, Class::Unit),
    ("eight", 8, Class::Unit),
    ("nine", 9, Class::Unit),
    ("ten", 10, Class::Teen),
    ("eleven", 11, Class::Teen),
    ("twelve", 12, Class::Teen),
    ("thirteen", 13, Class::Teen),
    ("fourteen", 14, Class::Teen),
    ("fifteen", 15, Class::Teen),
    ("sixteen", 16, Class::Teen),
    ("seventeen", 17, Class::Teen),
    ("eighteen", 18, Class::Teen),
    ("nineteen", 19, Class::Teen),
    ("twenty", 20, Class::Ten),
    ("thirty", 30, Class::Ten),
    ("forty", 40, Class::Ten),
    ("fifty", 50, Class::Ten),
    ("sixty", 60, Class::Ten),
    ("seventy", 70, Class::Ten),
    ("eighty", 80, Class::Ten),
    ("ninety", 90, Class::Ten),
];

/// A number word: its value, class, whether it is an ordinal, and whether it is Persian.
fn number_word(word: &str) -> Option<(u32, Class, bool, bool)> {
    let cardinal = |w: &str| {
        FA_NUMBERS
            .iter()
            .map(|e| (e, true))
            .chain(EN_NUMBERS.iter().map(|e| (e, false)))
            .find(|((name, ..), _)| *name == w)
            .map(|(&(_, v, class), fa)| (v, class, fa))
    };
    if let Some((v, class, fa)) = cardinal(word) {
        return Some((v, class, false, fa));
    }
    // Persian ordinals: اول, سوم, and the cardinal + م / ام / مین / امین (پانزدهم, سی‌ام).
    match word {
        "اول" | "یکم" => return Some((1, Class::Unit, true, true)),
        "سوم" => return Some((3, Class::Unit, true, true)),
        _ => {}
    }
    for suffix in ["امین", "مین", "ام", "م"] {
        if let Some(stem) = word.strip_suffix(suffix)
            && let Some((v, class, true)) = cardinal(stem)
        {
            return Some((v, class, true, true));
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Scanning

/// A number read from the text.
#[derive(Debug, Clone, Copy)]
struct NumPhrase {
    /// The value, `None` when too large for a `u32`.
    value: Option<u32>,
    /// The index of its first token.
    start: usize,
    /// The index after its last token (after an ordinal suffix or a multiplier).
    end: usize,
    /// Whether it is an ordinal (`۱۵ام`, `پانزدهم`, `15th`).
    ordinal: bool,
    /// Whether it is written in words.
    words: bool,
}

/// A count candidate: a number that may be attendees or insured.
#[derive(Debug, Clone, Copy)]
struct CountItem {
    /// Its value (`None`: too large).
    value: Option<u32>,
    /// Its first token.
    start: usize,
    /// The index after its last token.
    end: usize,
    /// Whether a unit word (`نفر`) follows it; `end` is then after the unit word.
    unit: bool,
    /// Whether it is written in words (not used to tell the clause's order).
    words: bool,
    /// The clause it is in.
    clause: usize,
}

/// A keyword found in the text.
#[derive(Debug, Clone, Copy)]
struct KeywordItem {
    /// What it counts.
    field: Field,
    /// Its first token.
    start: usize,
    /// The index after its last token.
    end: usize,
    /// The clause it is in.
    clause: usize,
}

/// How sure the reader is of a date candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DateKind {
    /// A full date or a day with a month name.
    Explicit,
    /// A bare day of the period's month.
    BareDay,
}

/// What a scan of the tokens found.
#[derive(Debug, Default)]
struct Scan {
    /// Valid dates, in text order.
    dates: Vec<(JalaliDate, DateKind)>,
    /// Numbers that may be counts.
    counts: Vec<CountItem>,
    /// Keywords of counts.
    keywords: Vec<KeywordItem>,
    /// Count numbers introduced by `با` with a unit and no keyword (`با ۱۲ نفر`).
    with_people: Vec<usize>,
}

/// Reads tokens.
struct Reader<'a> {
    /// The tokens of the whole text.
    toks: &'a [Tok],
    /// The reporting period, for dates without a year.
    period: Period,
}

impl Reader<'_> {
    /// The word at `i`, if that token is a word.
    fn word(&self, i: usize) -> Option<&str> {
        match self.toks.get(i) {
            Some(Tok::Word(w)) => Some(w),
            _ => None,
        }
    }

    /// Whether the word at `i` is one of `words`.
    fn word_in(&self, i: usize, words: &[&str]) -> bool {
        self.word(i).is_some_and(|w| words.contains(&w))
    }

    /// The index of the previous token that is not a symbol, if any.
    fn prev_index(&self, i: usize) -> Option<usize> {
        (0..i).rev().find(|&j| !matches!(self.toks[j], Tok::Sym(_)))
    }

    /// The index of the next token at or after `i` that is not a symbol (may be `len`).
    fn next_index(&self, i: usize) -> usize {
        (i..self.toks.len())
            .find(|&j| !matches!(self.toks[j], Tok::Sym(_)))
            .unwrap_or(self.toks.len())
    }

    /// Whether the words starting at `i` are `phrase`.
    fn phrase_at(&self, i: usize, phrase: &[&str]) -> bool {
        phrase
            .iter()
            .enumerate()
            .all(|(k, w)| self.word(i + k) == Some(w))
    }

    /// The number starting at token `i`: digits (with an optional ordinal suffix and `هزار`)
    /// or number words (`بیست و پنج`, `twenty five`, `پانزدهم`).
    fn number_at(&self, i: usize) -> Option<NumPhrase> {
        match self.toks.get(i)? {
            Tok::Num(digits) => {
                let mut value = digits_value(digits);
                let mut end = i + 1;
                let mut ordinal = false;
                if self.word_in(end, ORDINAL_SUFFIXES) {
                    ordinal = true;
                    end += 1;
                } else if self.word_in(end, THOUSAND) {
                    value = value.and_then(|v| v.checked_mul(1000));
                    end += 1;
                }
                Some(NumPhrase {
                    value,
                    start: i,
                    end,
                    ordinal,
                    words: false,
                })
            }
            Tok::Word(w) => {
                let (first, mut class, mut ordinal, fa) = number_word(w)?;
                let mut value = first;
                let mut end = i + 1;
                // Compose: Persian joins with و (صد و بیست و پنج), English juxtaposes
                // (twenty five); each part smaller in class than the one before.
                while !ordinal {
                    let next = if fa && self.word(end) == Some("و") {
                        end + 1
                    } else if !fa {
                        end
                    } else {
                        break;
                    };
                    let Some((v, c, o, next_fa)) = self.word(next).and_then(number_word) else {
                        break;
                    };
                    let fits = next_fa == fa
                        && c < class
                        && !(class == Class::Ten && c != Class::Unit)
                        && class != Class::Unit
                        && class != Class::Teen;
                    if !fits {
                        break;
                    }
                    value += v;
                    class = c;
                    ordinal = o;
                    end = next + 1;
                }
                let mut value = Some(value);
                if !ordinal && self.word_in(end, THOUSAND) {
                    value = value.and_then(|v| v.checked_mul(1000));
                    end += 1;
                }
                if !ordinal && self.word(end) == Some("ام") {
                    // سی ام: the ordinal suffix written apart.
                    ordinal = true;
                    end += 1;
                }
                Some(NumPhrase {
                    value,
                    start: i,
                    end,
                    ordinal,
                    words: true,
                })
            }
            _ => None,
        }
    }

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
    fn compound_date(&self, i: usize, parts: &[String], seps: &[char]) -> Option<JalaliDate> {
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
    fn month_name_date(&self, i: usize) -> Option<(Option<JalaliDate>, usize)> {
        let mut month_first = false;
        let (day, month, mut end) = if let Some(num) = self.number_at(i) {
            let month = self.word(num.end).and_then(month_of)?;
            (num.value?, month, num.end + 1)
        } else {
            month_first = true;
            // Month first, only for transliterated names: `Ordibehesht 15`.
            let word = self.word(i)?;
            if !word.is_ascii() {
                return None;
            }
            let month = month_of(word)?;
            let num = self.number_at(self.next_index(i + 1))?;
            let day = num.value.filter(|d| (1..=31).contains(d))?;
            (day, month, num.end)
        };
        if !(1..=31).contains(&day) {
            return None;
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
    fn bare_day(&self, i: usize) -> Option<(Option<JalaliDate>, usize)> {
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
            (num, num.end + phrase.len())
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

    /// The keyword starting at `i`, longest first, unless a blocker word precedes it.
    fn keyword_at(&self, i: usize) -> Option<(Field, usize)> {
        let (phrase, field) = KEYWORDS
            .iter()
            .filter(|(phrase, _)| self.phrase_at(i, phrase))
            .max_by_key(|(phrase, _)| phrase.len())?;
        let blocked = i > 0 && self.word_in(i - 1, KEYWORD_BLOCKERS);
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
        before_word || before_hash || after_word || after_percent
    }

    /// One pass over the tokens: dates, count numbers and keywords, each token read once.
    fn scan(&self) -> Scan {
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
                        scan.dates.push((date, DateKind::Explicit));
                    }
                    i += 1;
                    continue;
                }
                _ => {}
            }
            if let Some((date, end)) = self.month_name_date(i) {
                scan.dates.extend(date.map(|d| (d, DateKind::Explicit)));
                i = end;
                continue;
            }
            if let Some((date, end)) = self.bare_day(i) {
                // `روز`/`تاریخ`/`on` is read again as a word only if no day follows it.
                scan.dates.extend(date.map(|d| (d, DateKind::BareDay)));
                i = end;
                continue;
            }
            if let Some(num) = self.number_at(i) {
                if !self.is_non_count(&num) {
                    let unit = self.word_in(num.end, UNIT_WORDS);
                    let end = if unit { num.end + 1 } else { num.end };
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
                    });
                    i = end;
                } else {
                    i = num.end;
                }
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

    /// Whether the text says the session was held.
    fn held(&self) -> Option<bool> {
        /// The held verbs: strong ones, and `انجام` which needs a meeting word nearby.
        const STEMS: &[(&str, u8)] = &[("برگزار", 3), ("تشکیل", 3), ("منعقد", 3), ("انجام", 2)];
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
                match verdict {
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
                "نشد" | "نداشتیم" | "نبود" | "خیر" => signals.push((1, i, false)),
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
        let strongest = signals.iter().map(|s| s.0).max()?;
        signals
            .iter()
            .find(|s| s.0 == strongest)
            .map(|&(_, _, held)| held)
    }
}

impl Scan {
    /// The day of the session: the first explicit date in `period`, else the first explicit
    /// date, else the bare day when there is exactly one.
    fn held_on(&self, period: Period) -> Option<JalaliDate> {
        let explicit = || {
            self.dates
                .iter()
                .filter(|(_, kind)| *kind == DateKind::Explicit)
                .map(|&(d, _)| d)
        };
        if let Some(d) = explicit()
            .find(|&d| period.contains(d))
            .or_else(|| explicit().next())
        {
            return Some(d);
        }
        let mut bare = self
            .dates
            .iter()
            .filter(|(_, kind)| *kind == DateKind::BareDay)
            .map(|&(d, _)| d);
        let first = bare.next()?;
        bare.all(|d| d == first).then_some(first)
    }

    /// Pairs keywords with numbers; returns (attendees, insured), the outer `None` meaning "no
    /// number was found", the inner one "a number too large".
    fn pair(&self, toks: &[Tok]) -> (Option<Option<u32>>, Option<Option<u32>>) {
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
                    match (between, n.unit, kn) {
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
                pairs.push((cost, ki, ni));
            }
        }
        pairs.sort_by_key(|&(cost, ki, ni)| (cost, self.keywords[ki].start, self.counts[ni].start));

        let mut attendees = None;
        let mut insured = None;
        let mut keyword_used = vec![false; self.keywords.len()];
        let mut count_used = vec![false; self.counts.len()];
        for (_, ki, ni) in pairs {
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
            *slot = Some(self.counts[ni].value);
            keyword_used[ki] = true;
            count_used[ni] = true;
        }
        if attendees.is_none()
            && let Some(&ni) = self.with_people.iter().find(|&&ni| !count_used[ni])
        {
            attendees = Some(self.counts[ni].value);
        }
        (attendees, insured)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn period(year: i32, month: u8) -> Period {
        Period::new(year, month).unwrap()
    }

    fn date(year: i32, month: u8, day: u8) -> Option<JalaliDate> {
        Some(JalaliDate::new(year, month, day).unwrap())
    }

    fn facts(
        held: Option<bool>,
        held_on: Option<JalaliDate>,
        attendees: Option<u32>,
        insured: Option<u32>,
    ) -> ReportFacts {
        ReportFacts {
            held,
            held_on,
            attendees,
            insured,
        }
    }

    const YES: Option<bool> = Some(true);
    const NO: Option<bool> = Some(false);

    #[test]
    fn reads_real_looking_reports() {
        let p = period(1404, 2);
        let cases: Vec<(&str, Period, ReportFacts)> = vec![
            (
                "جلسه ستاد راهبردی در تاریخ ۱۴۰۴/۰۲/۱۵ با حضور ۱۲ نفر برگزار شد. ۳۵ نفر بیمه شدند",
                p,
                facts(YES, date(1404, 2, 15), Some(12), Some(35)),
            ),
            ("برگزار نشد", p, facts(NO, None, None, None)),
            (
                "جلسه تشکیل نشد به دلیل سفر فرماندار",
                p,
                facts(NO, None, None, None),
            ),
            (
                "held on 1404-02-15, 12 attendees, 35 newly insured",
                p,
                facts(YES, date(1404, 2, 15), Some(12), Some(35)),
            ),
            (
                "تاریخ: ۱۵ اردیبهشت، حاضرین: ١٢، بیمه شده جدید: 35",
                p,
                facts(YES, date(1404, 2, 15), Some(12), Some(35)),
            ),
            // Arabic ي/ك, dotted date, تشكيل گرديد
            (
                "جلسه ستاد راهبردي شهرستان در تاريخ 1404.02.20 با حضور 18 نفر تشكيل گرديد و تعداد 40 نفر از روستاييان بيمه شدند",
                p,
                facts(YES, date(1404, 2, 20), Some(18), Some(40)),
            ),
            (
                "سلام. جلسه ستاد شهرستان روز سه‌شنبه ۲۳ اردیبهشت ۱۴۰۴ ساعت ۱۰ صبح با حضور فرماندار و ۱۵ نفر از اعضا برگزار گردید. تعداد بیمه‌شدگان جدید این ماه ۲۷ نفر",
                p,
                facts(YES, date(1404, 2, 23), Some(15), Some(27)),
            ),
            (
                "با سلام، جلسه این ماه به علت همزمانی با سفر استاندار لغو شد",
                p,
                facts(NO, None, None, None),
            ),
            ("جلسه به تعویق افتاد", p, facts(NO, None, None, None)),
            ("نشد", p, facts(NO, None, None, None)),
            ("برگزار شد", p, facts(YES, None, None, None)),
            ("جلسه برگزارشد", p, facts(YES, None, None, None)),
            (
                "The strategic HQ session was held on 1404/02/10 with 14 participants. 22 villagers were newly insured.",
                p,
                facts(YES, date(1404, 2, 10), Some(14), Some(22)),
            ),
            (
                "Meeting was not held this month due to the governor's travel.",
                p,
                facts(NO, None, None, None),
            ),
            ("Session cancelled.", p, facts(NO, None, None, None)),
            (
                "۱۲ نفر حاضر بودند و ۳۵ نفر بیمه شدند",
                p,
                facts(YES, None, Some(12), Some(35)),
            ),
            (
                "جلسه در ۱۰ اردیبهشت برگزار شد؛ حاضرین دوازده نفر؛ بیمه شدگان جدید بیست و پنج نفر",
                p,
                facts(YES, date(1404, 2, 10), Some(12), Some(25)),
            ),
            (
                "جلسه ستاد در تاریخ ۱۵/۰۲/۱۴۰۴ برگزار شد",
                p,
                facts(YES, date(1404, 2, 15), None, None),
            ),
            // Esfand 1403 had 30 days.
            (
                "جلسه در تاریخ ۱۴۰۳/۱۲/۳۰ برگزار شد",
                period(1403, 12),
                facts(YES, date(1403, 12, 30), None, None),
            ),
            // A month name without a year, in the year nearest to the period.
            (
                "در ۲۵ اسفند جلسه با ۹ نفر تشکیل شد",
                period(1405, 1),
                facts(YES, date(1404, 12, 25), Some(9), None),
            ),
            (
                "جلسه روز ۱۵ همین ماه با شرکت ۲۰ نفر برگزار شد",
                p,
                facts(YES, date(1404, 2, 15), Some(20), None),
            ),
            (
                "جلسه برگزار شد، ۱۲ شرکت‌کننده، ۳۰ عضو جدید",
                p,
                facts(YES, None, Some(12), Some(30)),
            ),
            // The hour is not a count; the governor's presence is not a number.
            (
                "جلسه در ساعت ۱۰ با حضور فرماندار تشکیل شد",
                p,
                facts(YES, None, None, None),
            ),
            (
                "جلسه قرار است هفته آینده برگزار شود",
                p,
                facts(None, None, None, None),
            ),
            // A postponed session has no day it was held on.
            (
                "جلسه برگزار نشد؛ به ۱۴۰۴/۰۳/۰۵ موکول شد",
                p,
                facts(NO, None, None, None),
            ),
            ("سه نفر بیمه شدند", p, facts(None, None, None, Some(3))),
            (
                "جلسه ۰۴/۰۲/۱۸ برگزار شد",
                p,
                facts(YES, date(1404, 2, 18), None, None),
            ),
            // ISO Gregorian: 2025-05-05 is 1404/02/15.
            (
                "held on 2025-05-05 with 10 people",
                p,
                facts(YES, date(1404, 2, 15), Some(10), None),
            ),
            (
                "حاضرین ۱۲ بیمه شده ۳۵",
                p,
                facts(YES, None, Some(12), Some(35)),
            ),
            (
                "۱۲ نفر حاضر ۳۵ نفر بیمه",
                p,
                facts(YES, None, Some(12), Some(35)),
            ),
            (
                "حاضرین ۱۲ نفر بیمه ۳۵ نفر",
                p,
                facts(YES, None, Some(12), Some(35)),
            ),
            (
                "attendees: 12; insured: 35; held: yes",
                p,
                facts(YES, None, Some(12), Some(35)),
            ),
            (
                "۳ هزار نفر بیمه شدند",
                p,
                facts(None, None, None, Some(3000)),
            ),
            (
                "عدم برگزاری جلسه به دلیل تعطیلات",
                p,
                facts(NO, None, None, None),
            ),
            (
                "پانزدهم اردیبهشت‌ماه جلسه با حضور ۱۱ نفر برگزار شد",
                p,
                facts(YES, date(1404, 2, 15), Some(11), None),
            ),
            (
                "۱۵ام اردیبهشت ماه ۱۴۰۴ جلسه تشکیل شد",
                p,
                facts(YES, date(1404, 2, 15), None, None),
            ),
            (
                "جلسه برگزار شد\nتاریخ ۱۴۰۴/۰۲/۱۵\nحاضرین ۱۲\nبیمه شده ۳۵",
                p,
                facts(YES, date(1404, 2, 15), Some(12), Some(35)),
            ),
            (
                "session postponed to 1404/03/05",
                p,
                facts(NO, None, None, None),
            ),
            (
                "جلسه با حضور اعضا برگزار شد و ۳۵ نفر بیمه شدند",
                p,
                facts(YES, None, None, Some(35)),
            ),
            (
                "جلسه ستاد صندوق بیمه روستاییان با حضور ۱۴ نفر برگزار گردید",
                p,
                facts(YES, None, Some(14), None),
            ),
            (
                "Held on 15 Ordibehesht, twelve attendees, 35 new members",
                p,
                facts(YES, date(1404, 2, 15), Some(12), Some(35)),
            ),
            (
                "Session took place on Ordibehesht 20, 1404 with 9 participants",
                p,
                facts(YES, date(1404, 2, 20), Some(9), None),
            ),
            (
                "The session did not take place.",
                p,
                facts(NO, None, None, None),
            ),
            ("will be held next week", p, facts(None, None, None, None)),
            (
                "جلسه به ریاست فرماندار و با حضور ۲۱ نفر از مدیران، بخشداران و دهیاران برگزار شد",
                p,
                facts(YES, None, Some(21), None),
            ),
            // "عدم حضور" counts the absent, not the attendees.
            (
                "جلسه برگزار شد. عدم حضور ۳ نفر",
                p,
                facts(YES, None, None, None),
            ),
            (
                "جلسه بند ۵ مصوبات با حضور ۸ نفر بررسی و برگزار شد",
                p,
                facts(YES, None, Some(8), None),
            ),
            (
                "بله، برگزار شد با ۷ نفر. بیمه: ۷۵ درصد سهمیه",
                p,
                facts(YES, None, Some(7), None),
            ),
            ("خیر", p, facts(NO, None, None, None)),
            (
                "No. Held on 1404/02/15 after all",
                p,
                facts(YES, date(1404, 2, 15), None, None),
            ),
            (
                "جلسه برگزار شد\rحاضرین ۱۲",
                p,
                facts(YES, None, Some(12), None),
            ),
            ("نه", p, facts(NO, None, None, None)),
            ("نه نفر حاضر بودند", p, facts(YES, None, Some(9), None)),
            (
                "جلسه ۱۴۰۴/۰۱/۳۰ و ۱۴۰۴/۰۲/۲۰ برگزار شد",
                p,
                facts(YES, date(1404, 2, 20), None, None),
            ),
            (
                "تعداد حاضرین ۱۲ نفر و تعداد بیمه شدگان ۱,۲۰۰ نفر",
                p,
                facts(YES, None, Some(12), Some(1200)),
            ),
            (
                "سلام وقت بخیر جلسه ستاد راهبردی شهرستان نور مورخ ۱۴۰۴/۲/۱۲ برگزار و ۴۵ نفر از روستاییان عضو صندوق شدند",
                p,
                facts(YES, date(1404, 2, 12), None, Some(45)),
            ),
            (
                "جلسه ستاد در روز دوشنبه مورخ ۱۴۰۴/۰۲/۰۸ در محل فرمانداری با حضور معاونین و بخشداران (۱۷ نفر) تشکیل شد",
                p,
                facts(YES, date(1404, 2, 8), Some(17), None),
            ),
            (
                "برگزار شد ۱۵/۲ حضور ۱۰ بیمه ۵",
                p,
                facts(YES, date(1404, 2, 15), Some(10), Some(5)),
            ),
            (
                "در تاریخ ۲/۵ جلسه برگزار شد",
                p,
                facts(YES, date(1404, 2, 5), None, None),
            ),
            // A fraction is not a date, a range is not a count.
            (
                "۳/۴ سهمیه محقق شد. ۱۰-۱۲ نفر حاضر",
                p,
                facts(None, None, None, None),
            ),
            (
                "متاسفانه جلسه این ماه برگزار نشد ولی ۱۰ نفر بیمه شدند",
                p,
                facts(NO, None, None, Some(10)),
            ),
            (
                "Meeting held 1404/02/15. Attendance: 16. Newly insured: 41.",
                p,
                facts(YES, date(1404, 2, 15), Some(16), Some(41)),
            ),
            (
                "12 people attended, 8 insured",
                p,
                facts(YES, None, Some(12), Some(8)),
            ),
            ("No meeting this month", p, facts(NO, None, None, None)),
            ("جلسه هنوز برگزار نشده است", p, facts(NO, None, None, None)),
            (
                "جلسه در تاریخ ۱۴۰۴/۰۲/۱۵ برگزار شد و جلسه بعدی ۱۴۰۴/۰۳/۱۵ خواهد بود",
                p,
                facts(YES, date(1404, 2, 15), None, None),
            ),
            // A month and a year are not a day.
            (
                "اردیبهشت ۱۴۰۴ جلسه برگزار شد",
                p,
                facts(YES, None, None, None),
            ),
        ];
        let mut failures = Vec::new();
        for (text, period, expected) in &cases {
            let got = read_report(text, *period);
            if got != *expected {
                failures.push(format!(
                    "{text}\n  expected {expected:?}\n  got      {got:?}"
                ));
            }
        }
        assert!(failures.is_empty(), "\n{}", failures.join("\n"));
        assert!(cases.len() >= 20);
    }

    #[test]
    fn reads_every_digit_system() {
        let p = period(1404, 2);
        let cases = [
            "حاضرین: 12، بیمه: 35، تاریخ 1404/02/15",
            "حاضرین: ۱۲، بیمه: ۳۵، تاریخ ۱۴۰۴/۰۲/۱۵",
            "حاضرین: ١٢، بیمه: ٣٥، تاریخ ١٤٠٤/٠٢/١٥",
            "حاضرین: १२، بیمه: ३५، تاریخ १४०४/०२/१५",
            "حاضرین: １２، بیمه: ３５، تاریخ １４０４/０２/１５",
            "حاضرین: ١۲، بیمه: 3٥، تاریخ ١۴0٤-۰٢-15",
            "حاضرین: 𝟏𝟐، بیمه: ৩৫، تاریخ ๑๔๐๔.๐๒.๑๕",
        ];
        for text in cases {
            assert_eq!(
                read_report(text, p),
                facts(YES, date(1404, 2, 15), Some(12), Some(35)),
                "{text}"
            );
        }
    }

    #[test]
    fn invalid_dates_are_not_taken() {
        let p = period(1404, 12);
        let cases = [
            "جلسه در تاریخ ۱۴۰۴/۱۲/۳۰ برگزار شد",
            "جلسه در تاریخ 1404-12-30 برگزار شد",
            "جلسه ۳۰ اسفند برگزار شد",
            "جلسه در تاریخ ۱۴۰۴/۱۳/۰۱ برگزار شد",
            "جلسه در تاریخ ۱۴۰۴/۰۰/۱۰ برگزار شد",
            "جلسه در تاریخ ۱۴۰۴/۰۲/۰۰ برگزار شد",
            "جلسه در تاریخ ۱۴۰۴/۰۷/۳۱ برگزار شد",
            "جلسه در تاریخ 99999/02/10 برگزار شد",
            "جلسه در تاریخ 0000/00/00 برگزار شد",
            "جلسه در تاریخ ۴۰ اردیبهشت برگزار شد",
            "جلسه در تاریخ 2025-02-30 برگزار شد",
            "جلسه روز ۳۵ برگزار شد",
        ];
        for text in cases {
            let got = read_report(text, p);
            assert_eq!(got.held, YES, "{text}");
            assert_eq!(got.held_on, None, "{text}");
            // The parts of a rejected date are not counts either.
            assert_eq!(got.attendees, None, "{text}");
        }
    }

    #[test]
    fn absurd_numbers_are_none() {
        let p = period(1404, 2);
        let cases: [(&str, Option<u32>); 7] = [
            ("حاضرین: 99999999999", None),
            ("حاضرین: 4294967295", Some(u32::MAX)),
            ("حاضرین: 4294967296", None),
            ("حاضرین: 999999999999999999999999999999999999999", None),
            ("حاضرین: 9999999 هزار", None),
            ("حاضرین: ۰۰۰۰۱۲", Some(12)),
            ("حاضرین: 0", Some(0)),
        ];
        for (text, expected) in cases {
            assert_eq!(read_report(text, p).attendees, expected, "{text}");
        }
        // An absurd number fills its field (with nothing) rather than letting it grab another.
        let got = read_report("بیمه شده: 99999999999 ، حاضرین ۱۲", p);
        assert_eq!((got.attendees, got.insured), (Some(12), None));
        // Zero attendees does not mean the session was held.
        assert_eq!(read_report("حاضرین: 0", p).held, None);
    }

    #[test]
    fn hostile_inputs_do_not_panic() {
        let p = period(1404, 2);
        let long_letters = "ب".repeat(10_000);
        let long_numbers = "۱۲ نفر حاضر ".repeat(900);
        let long_dates = "1404/02/15 ".repeat(1_000);
        let long_digits = "9".repeat(10_000);
        let long_separators = "1/".repeat(5_000);
        let cases: Vec<&str> = vec![
            "",
            " ",
            "\n\n\n",
            "\u{200F}\u{200C}\u{200E}",
            &long_letters,
            &long_numbers,
            &long_dates,
            &long_digits,
            &long_separators,
            "\u{0000}\u{0001}\u{001B}[2J\u{007F}\u{0085}\u{009F}",
            "جلسه\u{0000} برگزار\u{0007} شد\r\nحاضرین\u{001B} ۱۲",
            "✅ برگزار شد 👍 حاضرین 👥 ۱۲ 🎉🎉🎉 👨‍👩‍👧",
            "\u{202E}دش رازگرب\u{202C} 21 نیرضاح",
            "\u{2067}جلسه\u{2069} held \u{2066}1404/02/15\u{2069} حاضرین 12",
            "////----....::::,,,,،،،،٫٫٫٬٬٬",
            "1- -1 1-- --1 1// 1.. ..1 1:: 1,, ,1 1٬",
            "1404/02/ /02/15 1404// 1404/02/15/16/17 1/2/3/4/5",
            "1404/255/256 1404/02/99999999999 99999999999/1/1",
            "ام م th st نفر حاضر بیمه هزار و و و و",
            "بیست و و پنج، صد و صد، twenty twenty, سی ام ام",
            "روز روز روز ۱۵ ۱۵ ۱۵ اردیبهشت اردیبهشت",
            "on the on the 15th 32nd 0th",
            "9999999999 هزار هزار هزار",
            "\t\t\u{00A0}\u{2028}\u{2029}\u{FEFF}",
            "ـــــــ َ ُ ِ ّ",
            "𝟏𝟒𝟎𝟒/𝟎𝟐/𝟏𝟓 ０２/１５",
        ];
        for text in cases {
            let facts = read_report(text, p);
            // Sensible: a date read from noise is still a real day, a count still a u32.
            if let Some(d) = facts.held_on {
                assert!(JalaliDate::new(d.year(), d.month(), d.day()).is_ok());
            }
            let _ = check_report_text(text);
        }
        assert_eq!(read_report("", p), ReportFacts::default());
        assert!(read_report("", p).is_empty());
        assert_eq!(read_report(&long_letters, p), ReportFacts::default());
        assert_eq!(read_report(&long_numbers, p).attendees, Some(12));
        assert_eq!(read_report(&long_dates, p).held_on, date(1404, 2, 15));
        assert_eq!(
            read_report("جلسه\u{0000} برگزار\u{0007} شد\r\nحاضرین\u{001B} ۱۲", p),
            facts(YES, None, Some(12), None)
        );
        assert_eq!(
            read_report("✅ برگزار شد 👍 حاضرین 👥 ۱۲ 🎉🎉🎉 👨‍👩‍👧", p),
            facts(YES, None, Some(12), None)
        );
        assert_eq!(
            read_report(
                "\u{2067}جلسه\u{2069} held \u{2066}1404/02/15\u{2069} حاضرین 12",
                p
            ),
            facts(YES, date(1404, 2, 15), Some(12), None)
        );
    }

    #[test]
    fn pseudo_random_text_does_not_panic() {
        // A fixed linear congruential generator: the same "random" texts on every run.
        const ALPHABET: &[&str] = &[
            "۱",
            "٢",
            "3",
            "४",
            "０",
            "/",
            "-",
            ".",
            ":",
            ",",
            "،",
            "٬",
            "٫",
            " ",
            "\n",
            "\r",
            "\u{0000}",
            "\u{200C}",
            "\u{200F}",
            "\u{202E}",
            "ـ",
            "َ",
            "برگزار",
            "نشد",
            "شد",
            "حاضرین",
            "نفر",
            "بیمه",
            "اردیبهشت",
            "اسفند",
            "روز",
            "تاریخ",
            "هزار",
            "و",
            "بیست",
            "پنج",
            "ام",
            "held",
            "not",
            "on",
            "the",
            "th",
            "👍",
            "9999999999",
            "1404",
            "12",
            "30",
        ];
        let mut state: u64 = 0x5EAD_2025;
        let mut next = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize
        };
        let periods = [
            period(1404, 1),
            period(1404, 12),
            period(1200, 1),
            period(1600, 12),
        ];
        for round in 0..3_000 {
            let len = next() % 40;
            let text: String = (0..len)
                .map(|_| ALPHABET[next() % ALPHABET.len()])
                .collect();
            let p = periods[round % periods.len()];
            let facts = read_report(&text, p);
            if let Some(d) = facts.held_on {
                assert!(
                    JalaliDate::new(d.year(), d.month(), d.day()).is_ok(),
                    "{text:?}"
                );
            }
            if facts.held == Some(false) {
                assert_eq!(facts.held_on, None, "{text:?}");
            }
        }
    }

    #[test]
    fn check_report_text_cleans_and_bounds() {
        assert_eq!(check_report_text(""), Err(ReportTextError::Empty));
        assert_eq!(check_report_text("  \n\t "), Err(ReportTextError::Empty));
        assert_eq!(
            check_report_text("\u{200F}\u{200C}\u{0000}"),
            Err(ReportTextError::Empty)
        );
        assert_eq!(
            check_report_text("  برگزار شد\r\n۱۲ نفر\u{0007} 👍 "),
            Ok("برگزار شد\n۱۲ نفر 👍".to_owned())
        );
        let exactly = "ب".repeat(MAX_REPORT_CHARS);
        assert_eq!(check_report_text(&exactly), Ok(exactly.clone()));
        // Surrounding whitespace does not count.
        assert_eq!(
            check_report_text(&format!("  {exactly}\n")),
            Ok(exactly.clone())
        );
        assert_eq!(
            check_report_text(&"ب".repeat(MAX_REPORT_CHARS + 1)),
            Err(ReportTextError::TooLong {
                len: MAX_REPORT_CHARS + 1,
                max: MAX_REPORT_CHARS
            })
        );
        assert_eq!(
            check_report_text(&"x".repeat(10_000)),
            Err(ReportTextError::TooLong {
                len: 10_000,
                max: MAX_REPORT_CHARS
            })
        );
        assert_eq!(
            ReportTextError::TooLong {
                len: 2500,
                max: 2000
            }
            .to_string(),
            "the report is 2500 characters long; at most 2000 are accepted"
        );
    }

    #[test]
    fn vocabulary_is_in_folded_form() {
        let lists: [&[&str]; 8] = [
            UNIT_WORDS,
            FILLERS,
            NON_COUNT_BEFORE,
            NON_COUNT_AFTER,
            ORDINAL_SUFFIXES,
            THOUSAND,
            KEYWORD_BLOCKERS,
            DATE_WORDS,
        ];
        let words = lists
            .iter()
            .flat_map(|l| l.iter().copied())
            .chain(KEYWORDS.iter().flat_map(|(p, _)| p.iter().copied()))
            .chain(THIS_MONTH.iter().flat_map(|p| p.iter().copied()))
            .chain(MONTH_VARIANTS.iter().map(|(w, _)| *w))
            .chain(FA_NUMBERS.iter().map(|(w, ..)| *w))
            .chain(EN_NUMBERS.iter().map(|(w, ..)| *w));
        for word in words {
            assert_eq!(normalize_text(word), word, "{word:?} is not folded");
            assert!(
                !word.contains(' '),
                "{word:?} has a space: split it into words"
            );
        }
        for m in 1..=12 {
            assert_eq!(month_of(&normalize_text(month_name(m, Lang::Fa))), Some(m));
            assert_eq!(month_of(&month_name(m, Lang::En).to_lowercase()), Some(m));
        }
        assert_eq!(month_of("ماه"), None);
    }

    #[test]
    fn number_words_compose() {
        let cases: [(&str, Option<u32>); 12] = [
            ("یک", Some(1)),
            ("دوازده", Some(12)),
            ("بیست و پنج", Some(25)),
            ("صد و بیست و سه", Some(123)),
            ("سیصد و پنج", Some(305)),
            ("پانصد و دوازده", Some(512)),
            ("دو هزار", Some(2000)),
            ("twenty five", Some(25)),
            ("ninety nine", Some(99)),
            ("eleven", Some(11)),
            ("بیست و بیست", Some(20)),
            ("پنج و شش", Some(5)),
        ];
        for (text, expected) in cases {
            let tokens = tokenize(text);
            let reader = Reader {
                toks: &tokens,
                period: period(1404, 2),
            };
            assert_eq!(
                reader.number_at(0).and_then(|n| n.value),
                expected,
                "{text}"
            );
        }
    }
}
