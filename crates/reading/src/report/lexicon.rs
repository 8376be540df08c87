//! The report reader's vocabulary: the words that make a number a count (unit words, keywords
//! and their blockers), the words that make it something else, fillers, date words, month
//! names and their other spellings, and the Persian and English number words. Every word is
//! in the folded form of `normalize_text` (a test checks it), so the reader compares tokens to
//! them as they are. Data and lookups only; no reading.
//!
//! Pure code: it must not import `sqlx`, `teloxide` or `tokio`, nor read a clock.

/// Words after a number that make it a count of people; `N نفر حاضر` binds to what follows.
pub(super) const UNIT_WORDS: &[&str] = &[
    "نفر",
    "تن",
    "people",
    "ppl",
    "nafar",
    "persons",
    "person",
    "individuals",
    "members",
    "عضو",
    "guests",
    "مرد",
    "زن",
    "بخشدار",
    "دهیار",
    "کارشناس",
    "نماینده",
    "مهمان",
    "مدعو",
];

/// Words that do not count when measuring how far a number is from its keyword.
pub(super) const FILLERS: &[&str] = &[
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
    "jadid",
    "number",
    "of",
    "the",
    "were",
    "was",
    "by",
];

/// Words before a number that make it something other than a count.
pub(super) const NON_COUNT_BEFORE: &[&str] = &[
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
pub(super) const NON_COUNT_AFTER: &[&str] = &[
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
    "مصوبه",
    "مصوبات",
    "روستا",
    "روستای",
    "مورد",
    "مرکز",
    "کلاس",
    "کارگاه",
    "جلسه",
    "نامه",
    "دهیاری",
    "بخش",
    "دستگاه",
    "عنوان",
    "نوبت",
    "بروشور",
    "نشست",
    "شهرستان",
    "نفری",
    "بند",
    "هکتار",
    "پوستر",
    "برنامه",
];

/// Ordinal suffixes after digits: `۱۵ام`, `15th`.
pub(super) const ORDINAL_SUFFIXES: &[&str] = &["ام", "م", "امین", "th", "st", "nd", "rd"];

/// Multipliers after a number.
pub(super) const THOUSAND: &[&str] = &["هزار", "thousand"];

/// What a keyword counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    /// People who attended.
    Attendees,
    /// People newly insured.
    Insured,
}

/// Keyword phrases, as words; the longest match at a position wins.
pub(super) const KEYWORDS: &[(&[&str], Field)] = &[
    (&["حضور"], Field::Attendees),
    (&["حاضر"], Field::Attendees),
    (&["حاضرین"], Field::Attendees),
    (&["حاضران"], Field::Attendees),
    (&["حضار"], Field::Attendees),
    (&["حظار"], Field::Attendees),
    (&["حظور"], Field::Attendees),
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
    (&["صندوق", "پیوستند"], Field::Insured),
    (&["صندوق", "بیمه", "پیوستند"], Field::Insured),
    (&["عضو", "شدند"], Field::Insured),
    (&["عضو", "شده"], Field::Insured),
    (&["اعضای", "جدید"], Field::Insured),
    (&["اعضا", "جدید"], Field::Insured),
    (&["عضویت"], Field::Insured),
    (&["تحت", "پوشش"], Field::Insured),
    (&["جذب"], Field::Insured),
    (&["ثبت", "نام"], Field::Insured),
    (&["ثبتنام"], Field::Insured),
    (&["insured"], Field::Insured),
    (&["bime"], Field::Insured),
    (&["bimeh"], Field::Insured),
    (&["newly", "insured"], Field::Insured),
    (&["new", "members"], Field::Insured),
    (&["new", "member"], Field::Insured),
    (&["enrolled"], Field::Insured),
    (&["enrollments"], Field::Insured),
    (&["enrolments"], Field::Insured),
];

/// Words before a keyword that take its meaning away: the insurance *fund*, the *premium*, the
/// *absence* of attendees.
pub(super) const KEYWORD_BLOCKERS: &[&str] = &["صندوق", "حق", "سازمان", "عدم", "fund"];

/// Words that introduce a date: `تاریخ ۱۵`, `مورخ ۰۲/۱۵`, `on 02/15`.
pub(super) const DATE_WORDS: &[&str] = &["تاریخ", "مورخ", "مورخه", "روز", "date", "on"];

/// Words for "this month" after a bare day: `۱۵ همین ماه`, `۱۵ ماه جاری`.
pub(super) const THIS_MONTH: &[&[&str]] = &[
    &["همین", "ماه"],
    &["این", "ماه"],
    &["ماه", "جاری"],
    &["of", "this", "month"],
];

/// Other spellings of the month names (besides `month_name` in Persian and English).
pub(super) const MONTH_VARIANTS: &[(&str, u8)] = &[
    ("امرداد", 5),
    ("amordad", 5),
    ("shahriver", 6),
    ("dei", 10),
    ("espand", 12),
];

/// The month (1–12) a folded word names, if any: Persian (`اردیبهشت`) or transliterated
/// (`ordibehesht`).
pub(super) fn month_of(word: &str) -> Option<u8> {
    // `آذرماه`: the month's name typed glued to ماه.
    if let Some(name) = word.strip_suffix("ماه").filter(|n| !n.is_empty()) {
        return month_of(name);
    }
    // Looked up for nearly every token: a table, not `month_name` folded at each call.
    MONTHS
        .iter()
        .chain(MONTH_VARIANTS)
        .find(|(name, _)| *name == word)
        .map(|&(_, m)| m)
}

/// The month names, folded (Persian) and lower-cased (English): `month_name` of each month,
/// as the test `vocabulary_is_in_folded_form` checks.
const MONTHS: &[(&str, u8)] = &[
    ("فروردین", 1),
    ("اردیبهشت", 2),
    ("خرداد", 3),
    ("تیر", 4),
    ("مرداد", 5),
    ("شهریور", 6),
    ("مهر", 7),
    ("ابان", 8),
    ("اذر", 9),
    ("دی", 10),
    ("بهمن", 11),
    ("اسفند", 12),
    ("farvardin", 1),
    ("ordibehesht", 2),
    ("khordad", 3),
    ("tir", 4),
    ("mordad", 5),
    ("shahrivar", 6),
    ("mehr", 7),
    ("aban", 8),
    ("azar", 9),
    ("dey", 10),
    ("bahman", 11),
    ("esfand", 12),
];

// Number words.

/// The magnitude class of a number word, for composing `صد و بیست و پنج`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Class {
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
pub(super) const FA_NUMBERS: &[(&str, u32, Class)] = &[
    ("صفر", 0, Class::Unit),
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
pub(super) const EN_NUMBERS: &[(&str, u32, Class)] = &[
    ("zero", 0, Class::Unit),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lang;
    use crate::calendar::month_name;
    use crate::text::normalize_text;

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
            .chain(MONTH_VARIANTS.iter().chain(MONTHS).map(|(w, _)| *w))
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

    /// Every Persian word the reader compares a token with, in any of its modules (the lists
    /// local to a function included), is written folded: `یادآوری` would never match, since
    /// the tokens are `یاداوری`.
    #[test]
    fn every_word_the_modules_match_is_folded() {
        let sources = [
            ("context.rs", include_str!("context.rs")),
            ("dates.rs", include_str!("dates.rs")),
            ("held.rs", include_str!("held.rs")),
            ("lexicon.rs", include_str!("lexicon.rs")),
            ("numbers.rs", include_str!("numbers.rs")),
            ("reader.rs", include_str!("reader.rs")),
            ("verdict.rs", include_str!("verdict.rs")),
        ];
        let mut checked = 0;
        for (file, source) in sources {
            let code = source.split("#[cfg(test)]").next().unwrap_or(source);
            for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
                for literal in line.split('"').skip(1).step_by(2) {
                    if literal
                        .chars()
                        .any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
                    {
                        assert_eq!(normalize_text(literal), literal, "{file}: {literal:?}");
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 300, "only {checked} words found");
    }
}
