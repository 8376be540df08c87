//! The report reader's number reading (private to `report`) fuzzed through `read_report`:
//! texts made of number-ish tokens (digit runs in ASCII, Persian, Arabic-Indic and a few other
//! digit systems, mixed; Persian and English number words; separators; and the keywords,
//! units and date words the reader pairs numbers with). Same properties as `report`.
#![no_main]

mod common;

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;

/// The zero of each digit system used for digit runs: ASCII, Persian, Arabic-Indic,
/// Devanagari, fullwidth, mathematical bold.
const ZEROS: &[u32] = &[0x30, 0x6F0, 0x660, 0x966, 0xFF10, 0x1D7CE];

const WORDS: &[&str] = &[
    // Persian number words and their joiners, ordinals and multipliers.
    "صفر", "یک", "یه", "دو", "سه", "چهار", "پنج", "شش", "هفت", "هشت", "نه", "ده", "یازده",
    "دوازده", "پانزده", "پونزده", "نوزده", "بیست", "سی", "چهل", "پنجاه", "نود", "صد", "یکصد",
    "دویست", "سیصد", "پانصد", "نهصد", "هزار", "میلیون", "و", "بیستوپنج", "صدوبیست", "سیودوم",
    "ام", "م", "مین", "امین", "اول", "یکم", "سوم", "پانزدهم", "سی‌ام",
    // English number words.
    "zero", "one", "two", "five", "ten", "twelve", "fifteen", "twenty", "ninety", "hundred",
    "thousand", "twenty-five", "th", "st", "nd", "rd",
    // Count keywords and units.
    "نفر", "تن", "حاضرین", "حضور", "با حضور", "حاضر", "شرکت‌کننده", "بیمه", "بیمه شده", "عضو جدید",
    "attendees", "people", "newly insured", "insured",
    // Non-count context.
    "ساعت", "دقیقه", "روز", "ماه", "سال", "بند", "مصوبه", "شماره", "درصد", "%", "تومان", "ریال",
    "سه شنبه", "at",
    // Held words.
    "برگزار", "شد", "نشد", "برگزار شد", "تشکیل گردید", "لغو", "held", "not", "cancelled",
    // Date words and months.
    "تاریخ", "مورخ", "date", "on", "the", "فروردین", "اردیبهشت", "مهر", "اسفند", "Ordibehesht",
    "Esfand",
];

const SEPARATORS: &[&str] = &[
    " ", " ", " ", "/", "-", ".", "\\", "٫", "٬", ",", "،", ":", ";", "؛", "!", "?", "؟", "|",
    "\n", "\r\n", "(", ")", "\u{200C}", "\u{200F}", "\u{00A0}", "−", "–", "+", "ـ", "",
];

fn digit_run(u: &mut Unstructured<'_>, out: &mut String) -> Result<()> {
    let len = u.int_in_range(1..=12u8)?;
    let mixed = u.ratio(1, 8)?;
    let mut zero = *u.choose(ZEROS)?;
    for _ in 0..len {
        if mixed {
            zero = *u.choose(ZEROS)?;
        }
        let d = u.int_in_range(0..=9u32)?;
        out.push(char::from_u32(zero + d).expect("a digit"));
    }
    Ok(())
}

fn text(u: &mut Unstructured<'_>) -> Result<String> {
    let mut out = String::new();
    while !u.is_empty() && out.len() < 4096 {
        match u.int_in_range(0..=5u8)? {
            0 | 1 => digit_run(u, &mut out)?,
            2 | 3 => out.push_str(u.choose(WORDS)?),
            _ => out.push_str(u.choose(SEPARATORS)?),
        }
        if u.ratio(2, 3)? {
            out.push(' ');
        }
    }
    Ok(out)
}

fuzz_target!(|data: &[u8]| {
    let Some((period, today, rest)) = common::header(data) else {
        return;
    };
    let mut u = Unstructured::new(rest);
    let Ok(text) = text(&mut u) else {
        return;
    };
    common::check_report(&text, period, today);
});
