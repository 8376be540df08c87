//! The text helpers' tables.

use super::*;

#[test]
fn digits_round_trip() {
    assert_eq!(to_ascii_digits("۱۴۰۴/٠٢/23"), "1404/02/23");
    assert_eq!(localize_digits("1404/02/23", Digits::Persian), "۱۴۰۴/۰۲/۲۳");
    assert_eq!(localize_digits("abc 9", Digits::Ascii), "abc 9");
}

#[test]
fn every_digit_system_reads_as_ascii() {
    assert!(
        DIGIT_ZEROS.windows(2).all(|w| w[0] + 10 <= w[1]),
        "sorted, disjoint"
    );
    for &zero in DIGIT_ZEROS {
        for v in 0..10u8 {
            let c = char::from_u32(zero + u32::from(v)).unwrap();
            assert!(c.is_numeric(), "U+{:04X} is not numeric", u32::from(c));
            assert_eq!(digit_value(c), Some(v), "U+{:04X}", u32::from(c));
        }
        // The code point before a block is a nine only when another block ends there.
        if let Some(before) = char::from_u32(zero - 1)
            && digit_value(before) == Some(9)
        {
            assert!(DIGIT_ZEROS.contains(&(zero - 10)), "U+{:04X}", zero - 1);
        }
    }
    let cases = [
        ("0123456789", "0123456789"),
        ("۰۱۲۳۴۵۶۷۸۹", "0123456789"),
        ("٠١٢٣٤٥٦٧٨٩", "0123456789"),
        ("०१२३४५६७८९", "0123456789"),
        ("০১২৩৪৫৬৭৮৯", "0123456789"),
        ("０１２３４５６７８９", "0123456789"),
        ("๐๑๒๓๔๕๖๗๘๙", "0123456789"),
        ("𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗", "0123456789"),
        ("²③Ⅻ", "²③Ⅻ"),
        ("abc ی", "abc ی"),
    ];
    for (input, expected) in cases {
        let folded: String = input
            .chars()
            .map(|c| digit_value(c).map_or(c, |v| char::from(b'0' + v)))
            .collect();
        assert_eq!(folded, expected, "{input}");
        assert_eq!(
            normalize_key(input),
            expected.to_lowercase().replace(' ', "")
        );
    }
    // `to_ascii_digits` keeps its narrower contract: Persian and Arabic-Indic only.
    assert_eq!(to_ascii_digits("۱٢3४５"), "123४５");
    for c in ['a', '/', '²', '①', 'Ⅻ', '\u{0669}' /* ٩ */] {
        let expected = (c == '\u{0669}').then_some(9);
        assert_eq!(digit_value(c), expected, "{c}");
    }
}

#[test]
fn normalize_key_folds_spellings() {
    let cases = [
        // Arabic and Persian letter forms
        ("ساري", "ساری"),
        ("سارى", "ساری"),
        ("كلاردشت", "کلاردشت"),
        ("نكا", "نکا"),
        ("رامسر", "رامسر"),
        ("مدرسة", "مدرسه"),
        ("خانۀ", "خانه"),
        ("أمل", "امل"),
        ("آمل", "امل"),
        ("إمام", "امام"),
        ("ٱلله", "الله"),
        ("مؤسسه", "موسسه"),
        ("قائمشهر", "قایمشهر"),
        ("قايمشهر", "قایمشهر"),
        ("قائم‌شهر", "قایمشهر"),
        ("قائم شهر", "قایمشهر"),
        // ZWNJ, spaces, hyphens, underscores: space-insensitive
        ("عباس‌آباد", "عباساباد"),
        ("عباس آباد", "عباساباد"),
        ("عباسآباد", "عباساباد"),
        ("عباس-آباد", "عباساباد"),
        ("عباس_آباد", "عباساباد"),
        ("  عباس \u{00A0}\t آباد \n", "عباساباد"),
        ("سوادکوه‌شمالی", "سوادکوهشمالی"),
        ("سوادکوه شمالی", "سوادکوهشمالی"),
        // invisible marks and diacritics
        ("\u{200F}ساری\u{200E}", "ساری"),
        ("\u{202B}بابل\u{202C}", "بابل"),
        ("\u{2067}آمل\u{2069}", "امل"),
        ("\u{061C}نور", "نور"),
        ("بـــابـل", "بابل"),
        ("بَابُلْسَرّ", "بابلسر"),
        ("رحمٰن", "رحمن"),
        ("ابن\u{200D}سینا", "ابنسینا"),
        // digits of every system, ASCII case
        ("منطقه ۳", "منطقه3"),
        ("منطقه ٣", "منطقه3"),
        ("منطقه 3", "منطقه3"),
        ("منطقه ३", "منطقه3"),
        ("منطقه ３", "منطقه3"),
        ("Sari", "sari"),
        ("BABOL-SAR", "babolsar"),
        ("", ""),
        (" \u{200C} ", ""),
    ];
    for (input, expected) in cases {
        assert_eq!(normalize_key(input), expected, "{input:?}");
    }
    // The examples of the brief, pairwise.
    for group in [
        &["عباس‌آباد", "عباس آباد", "عباسآباد"][..],
        &["قائمشهر", "قائم‌شهر", "قايمشهر"][..],
        &["ساری", "ساري", "سارى"][..],
        &["کلاردشت", "كلاردشت"][..],
    ] {
        for a in group {
            for b in group {
                assert_eq!(normalize_key(a), normalize_key(b), "{a} vs {b}");
            }
        }
    }
    assert_ne!(normalize_key("بابل"), normalize_key("بابلسر"));
    assert_ne!(normalize_key("سوادکوه"), normalize_key("سوادکوه شمالی"));
}

#[test]
fn normalize_text_keeps_words() {
    let cases = [
        ("برگزار‌شد", "برگزار شد"),
        ("  جلسه   برگزار\u{00A0}شد \n ", "جلسه برگزار شد"),
        ("تشكيل نشد", "تشکیل نشد"),
        ("۱۴۰۴-۰۲-۱۵", "1404-02-15"),
        ("۱۴۰۴/٠٢/15", "1404/02/15"),
        ("ساعت ۱۰-۱۲", "ساعت 10-12"),
        ("حاضرین: ١٢، بیمه", "حاضرین: 12، بیمه"),
        ("سوادکوه-شمالی", "سوادکوه شمالی"),
        ("\u{200F}Held ON\u{200E}", "held on"),
        ("- ۱۲ نفر", "12 نفر"),
        ("", ""),
    ];
    for (input, expected) in cases {
        assert_eq!(normalize_text(input), expected, "{input:?}");
    }
}

#[test]
fn levenshtein_counts_edits() {
    let cases = [
        ("", "", 0),
        ("", "abc", 3),
        ("abc", "", 3),
        ("kitten", "sitting", 3),
        ("بابلسار", "بابلسر", 1),
        ("ساری", "سار", 1),
    ];
    for (a, b, expected) in cases {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        assert_eq!(levenshtein(&a, &b), expected);
        assert_eq!(levenshtein(&b, &a), expected);
    }
}

const COUNTIES: [&str; 22] = [
    "آمل",
    "بابل",
    "بابلسر",
    "بهشهر",
    "تنکابن",
    "جویبار",
    "چالوس",
    "رامسر",
    "ساری",
    "سوادکوه",
    "سوادکوه شمالی",
    "سیمرغ",
    "عباس‌آباد",
    "فریدونکنار",
    "قائمشهر",
    "کلاردشت",
    "گلوگاه",
    "محمودآباد",
    "میاندرود",
    "نکا",
    "نور",
    "نوشهر",
];

#[test]
fn closest_finds_counties() {
    let cases: &[(&str, usize, &[&str])] = &[
        ("بابلسار", 1, &["بابلسر"]),
        ("ساري", 1, &["ساری"]),
        ("سارى", 1, &["ساری"]),
        ("قايم شهر", 1, &["قائمشهر"]),
        ("قائم‌شهر", 1, &["قائمشهر"]),
        ("عباس آباد", 1, &["عباس‌آباد"]),
        ("عباسآباد", 1, &["عباس‌آباد"]),
        ("كلاردشت", 1, &["کلاردشت"]),
        ("فریدون کنار", 1, &["فریدونکنار"]),
        ("تنکابون", 1, &["تنکابن"]),
        ("بابل", 2, &["بابل", "بابلسر"]),
        ("سوادکوه", 2, &["سوادکوه", "سوادکوه شمالی"]),
        ("شمالی", 3, &["سوادکوه شمالی"]),
        ("آباد", 3, &["عباس‌آباد", "محمودآباد"]),
        ("نور", 2, &["نور", "نکا"]),
        ("\u{200F}  نوشهر ", 1, &["نوشهر"]),
        ("تهران", 3, &[]),
        ("xyz", 3, &[]),
        ("", 3, &[]),
        ("   ", 3, &[]),
        ("بابل", 0, &[]),
    ];
    for (query, limit, expected) in cases {
        assert_eq!(
            closest(query, COUNTIES.iter().copied(), *limit),
            *expected,
            "{query:?}"
        );
    }
}

#[test]
fn closest_ranks_typos_before_containment_and_keeps_input_order_on_ties() {
    // "بابل" is contained in "بابلسار" but "بابلسر" is one letter away: the typo wins.
    assert_eq!(
        closest("بابلسار", ["بابل", "بابلسر"], 2),
        ["بابلسر", "بابل"]
    );
    // Equal distances keep the input order.
    assert_eq!(
        closest("abcd", ["abce", "abcf", "abcd"], 3),
        ["abcd", "abce", "abcf"]
    );
    // Far candidates are left out, contained ones kept.
    assert_eq!(closest("ab", ["zzzz", "xxab yy"], 5), ["xxab yy"]);
    // A huge query does not blow up.
    let long = "ب".repeat(10_000);
    assert!(closest(&long, COUNTIES.iter().copied(), 3).len() <= 3);
}

#[test]
fn sanitize_input_removes_controls_and_direction_marks() {
    let cases = [
        ("  سلام  ", "سلام"),
        ("a\r\nb\rc\nd", "a\nb\nc\nd"),
        ("a\tb", "a\tb"),
        ("a\u{0000}b\u{0007}c\u{001B}[31md\u{007F}e", "abc[31mde"),
        ("a\u{0085}b\u{009F}c\u{0080}", "abc"),
        ("جلسه‌ها 👍🏽 ✅", "جلسه‌ها 👍🏽 ✅"),
        ("👨‍👩‍👧", "👨‍👩‍👧"),
        ("\u{200F}برگزار شد\u{200E} OK", "برگزار شد OK"),
        (
            "\u{202B}حاضرین \u{202D}12\u{202C}\u{202E}\u{061C} نفر\u{2066}x\u{2069}\u{2067}\u{2068}",
            "حاضرین 12 نفرx",
        ),
        ("می\u{200C}شود\u{200D}", "می\u{200C}شود\u{200D}"),
        ("Held ۱۴۰۴/۰۲/۱۵ در Sari", "Held ۱۴۰۴/۰۲/۱۵ در Sari"),
        ("\n\n\t \u{0001}", ""),
        ("", ""),
        ("line1\r\n\r\nline3\r\n", "line1\n\nline3"),
    ];
    for (input, expected) in cases {
        assert_eq!(sanitize_input(input), expected, "{input:?}");
    }
}

#[test]
fn split_keeps_lines_whole() {
    let text = (0..100)
        .map(|i| format!("line {i:03} ————"))
        .collect::<Vec<_>>()
        .join("\n");
    let pieces = split_message(&text, 100);
    assert!(pieces.len() > 1);
    for p in &pieces {
        assert!(p.chars().count() <= 100, "{p}");
        assert!(
            p.split('\n').all(|l| l.starts_with("line ")),
            "a line was broken: {p}"
        );
    }
    assert_eq!(pieces.join("\n"), text);
}

#[test]
fn split_cuts_an_overlong_line() {
    let long = "کلمه ".repeat(3000);
    let pieces = split_message(&long, MESSAGE_LIMIT);
    assert!(
        pieces
            .iter()
            .all(|p| p.chars().count() <= MESSAGE_LIMIT && !p.is_empty())
    );
    let words: usize = pieces.iter().map(|p| p.split_whitespace().count()).sum();
    assert_eq!(words, 3000);
    assert_eq!(split_message("", 10), vec![String::new()]);
    assert_eq!(split_message("abcdef", 4), vec!["abcd", "ef"]);
}
