//! The report reader's tests: the examples of `tests/data/report-examples.toml`, and the
//! rules that need a day of sending.

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

/// What is read with confidence from a report written well after its period.
fn read(text: &str, period: Period) -> ReportFacts {
    read_report(text, period, period.last_day().add_days(60)).facts()
}

/// The examples of real-looking reports, one `[[case]]` each (see the file's header).
const EXAMPLES: &str = include_str!("../../../../tests/data/report-examples.toml");

/// How many cases the examples file holds: the 67 of the table they were moved from, so
/// that a case lost in an edit of the file fails a test instead of passing unnoticed.
const EXAMPLE_COUNT: usize = 91;

/// The examples file.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Examples {
    case: Vec<Example>,
}

/// One case of the examples file; a fact without a key is expected to be `None`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Example {
    text: String,
    period: String,
    held: Option<bool>,
    held_on: Option<String>,
    attendees: Option<u32>,
    insured: Option<u32>,
}

/// The examples as (text, period, the facts to read).
fn examples() -> Vec<(String, Period, ReportFacts)> {
    let file: Examples = toml::from_str(EXAMPLES).expect("report-examples.toml is valid");
    file.case
        .into_iter()
        .map(|c| {
            let period = Period::parse(&c.period)
                .unwrap_or_else(|e| panic!("{:?}: period {:?}: {e}", c.text, c.period));
            let held_on = c.held_on.as_deref().map(|d| {
                JalaliDate::parse(d).unwrap_or_else(|e| panic!("{:?}: held_on {d:?}: {e}", c.text))
            });
            let expected = facts(c.held, held_on, c.attendees, c.insured);
            (c.text, period, expected)
        })
        .collect()
}

#[test]
fn reads_real_looking_reports() {
    let cases = examples();
    let mut failures = Vec::new();
    for (n, (text, period, expected)) in cases.iter().enumerate() {
        let got = read(text, *period);
        if got != *expected {
            failures.push(format!(
                "case {} ({period}): {text}\n  expected {expected:?}\n  got      {got:?}",
                n + 1
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn the_examples_file_holds_every_case() {
    assert_eq!(examples().len(), EXAMPLE_COUNT);
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
            read(text, p),
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
        let got = read(text, p);
        assert_eq!(got.held, YES, "{text}");
        assert_eq!(got.held_on, None, "{text}");
        // The parts of a rejected date are not counts either.
        assert_eq!(got.attendees, None, "{text}");
    }
}

#[test]
fn a_long_run_of_glued_number_words_is_read_at_once() {
    // Found by fuzzing (`fuzz/regressions/report_structured-joined-words-exponential`):
    // every split of the rest was tried again at each و, 5 s for this text.
    let text = format!("-{}صفرسیودوم", "سیودوم".repeat(40));
    let got = read(&text, period(1404, 2));
    assert_eq!((got.attendees, got.insured), (None, None));
}

#[test]
fn absurd_numbers_are_none() {
    let p = period(1404, 2);
    let cases: [(&str, Option<u32>); 8] = [
        ("حاضرین: 99999999999", None),
        // More than any headquarters seats: not an attendance (issue 12: `۱۷۰۰ نفر`).
        ("حاضرین: 200", Some(200)),
        ("حاضرین: 201", None),
        ("حاضرین: 4294967296", None),
        ("حاضرین: 999999999999999999999999999999999999999", None),
        ("حاضرین: 9999999 هزار", None),
        ("حاضرین: ۰۰۰۰۱۲", Some(12)),
        ("حاضرین: 0", Some(0)),
    ];
    for (text, expected) in cases {
        assert_eq!(read(text, p).attendees, expected, "{text}");
    }
    assert_eq!(
        read("بیمه شدگان جدید: 4294967295", p).insured,
        Some(u32::MAX)
    );
    assert_eq!(read("بیمه شدگان جدید: 4294967296", p).insured, None);
    // An absurd number fills its field (with nothing) rather than letting it grab another.
    let got = read("بیمه شده: 99999999999 ، حاضرین ۱۲", p);
    assert_eq!((got.attendees, got.insured), (Some(12), None));
    // Zero attendees does not mean the session was held.
    assert_eq!(read("حاضرین: 0", p).held, None);
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
        let facts = read(text, p);
        // Sensible: a date read from noise is still a real day, a count still a u32.
        if let Some(d) = facts.held_on {
            assert!(JalaliDate::new(d.year(), d.month(), d.day()).is_ok());
        }
        let _ = check_report_text(text);
    }
    assert_eq!(read("", p), ReportFacts::default());
    assert!(read("", p).is_empty());
    assert_eq!(read(&long_letters, p), ReportFacts::default());
    assert_eq!(read(&long_numbers, p).attendees, Some(12));
    assert_eq!(read(&long_dates, p).held_on, date(1404, 2, 15));
    assert_eq!(
        read("جلسه\u{0000} برگزار\u{0007} شد\r\nحاضرین\u{001B} ۱۲", p),
        facts(YES, None, Some(12), None)
    );
    assert_eq!(
        read("✅ برگزار شد 👍 حاضرین 👥 ۱۲ 🎉🎉🎉 👨‍👩‍👧", p),
        facts(YES, None, Some(12), None)
    );
    assert_eq!(
        read(
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
        let facts = read(&text, p);
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
fn asks_between_two_days_and_refuses_the_impossible() {
    let p = period(1404, 8);
    let today = JalaliDate::new(1404, 8, 25).unwrap();
    let day = |d| JalaliDate::new(1404, 8, d).unwrap();
    // Two days, nothing to choose between them: asked, the later first.
    let r = read_report("جلسه ۱۲ آبان و ۱۹ آبان برگزار شد", p, today);
    assert_eq!(r.held_on, Fact::Asked(day(19), day(12)));
    assert!(r.asks());
    assert_eq!(r.facts().held_on, None);
    // "Two sessions": no day is the month's, and none is asked.
    let r = read_report("دو جلسه ۱۲ و ۱۹ آبان برگزار شد", p, today);
    assert_eq!(r.held_on, Fact::Unknown);
    // A day after the report was written is refused, not stored.
    let r = read_report(
        "جلسه در تاریخ ۱۴۰۴/۰۸/۲۸ با حضور ۱۲ نفر برگزار شد",
        p,
        today,
    );
    assert_eq!(r.held_on, Fact::Unknown);
    assert_eq!(r.refused, vec![Refused::FutureDate(day(28))]);
    assert_eq!(r.attendees, Fact::Known(12));
    // A negative count is refused, in every digit system.
    for text in [
        "جلسه برگزار شد. حاضرین: -5 نفر",
        "جلسه برگزار شد. حاضرین: -۵ نفر",
    ] {
        let r = read_report(text, p, today);
        assert_eq!(r.attendees, Fact::Unknown, "{text}");
        assert_eq!(
            r.refused,
            vec![Refused::Negative(Count::Attendees, -5)],
            "{text}"
        );
    }
    // A list marker is no count, and a dash at the start of a line no minus sign.
    let r = read_report(
        "۱- تاریخ جلسه: ۱۴۰۴/۰۸/۱۰\n۲- تعداد حاضرین: ۱۷ نفر\n- بیمه جدید: ۳",
        p,
        today,
    );
    assert_eq!((r.attendees, r.insured), (Fact::Known(17), Fact::Known(3)));
    assert!(r.refused.is_empty());
}

/// What the reader takes from `text` about `period`, sent on `sent`.
fn read_sent(text: &str, period: Period, sent: JalaliDate) -> ReportFacts {
    read_report(text, period, sent).facts()
}

#[test]
fn weekdays_are_read_against_the_day_sent() {
    let p = period(1405, 9);
    // 1405/09/19 is a Thursday (پنجشنبه); its week began on Saturday 1405/09/14.
    let thursday = JalaliDate::new(1405, 9, 19).unwrap();
    assert_eq!(thursday.weekday(), chrono::Weekday::Thu);
    let cases = [
        (
            "جلسه ستاد سه‌شنبه همین هفته با ۱۲ نفر برگزار شد",
            date(1405, 9, 17),
        ),
        ("جلسه سه شنبه این هفته برگزار شد", date(1405, 9, 17)),
        ("جلسه شنبه گذشته برگزار شد", date(1405, 9, 14)),
        // The last Thursday before a Thursday is a week back.
        ("جلسه پنجشنبه گذشته برگزار شد", date(1405, 9, 12)),
        // Which week is not plain: not read.
        ("جلسه روز سه شنبه برگزار شد", None),
        ("جلسه یکشنبه هفته گذشته برگزار شد", None),
        // Later this week has not come yet.
        ("جلسه جمعه همین هفته برگزار شد", None),
    ];
    for (text, held_on) in cases {
        assert_eq!(read_sent(text, p, thursday).held_on, held_on, "{text}");
    }
}

#[test]
fn not_yet_held_is_unknown_while_the_month_lasts_and_no_after() {
    let p = period(1405, 9);
    let text = "جلسه ستاد هنوز تشکیل نشده، پیگیری می‌کنیم";
    let within = JalaliDate::new(1405, 9, 20).unwrap();
    let after = JalaliDate::new(1405, 10, 3).unwrap();
    assert_eq!(read_sent(text, p, within).held, None);
    assert_eq!(read_sent(text, p, after).held, Some(false));
    // Not held, said plainly, is not held whenever it is said.
    assert_eq!(read_sent("جلسه برگزار نشد", p, within).held, Some(false));
}

#[test]
fn a_reply_of_only_a_day_yet_to_come_is_refused() {
    let p = period(1405, 9);
    let today = JalaliDate::new(1405, 9, 12).unwrap();
    let r = read_report("تاریخ ۱۴۰۵/۰۹/۱۵", p, today);
    assert_eq!(r.held_on, Fact::Unknown);
    assert_eq!(
        r.refused,
        vec![Refused::FutureDate(JalaliDate::new(1405, 9, 15).unwrap())]
    );
    // Not held: a day to come is the next session's, nothing to refuse.
    let r = read_report("جلسه برگزار نشد، ۱۴۰۵/۰۹/۱۵ برگزار می‌شود", p, today);
    assert!(r.refused.is_empty(), "{:?}", r.refused);
}

#[test]
fn two_statements_of_one_count_are_asked_the_later_first() {
    let p = period(1405, 9);
    let today = JalaliDate::new(1405, 9, 20).unwrap();
    let r = read_report(
        "جلسه برگزار شد. حاضرین: ۱۵ نفر\n۱۸ نفر حضور داشتند",
        p,
        today,
    );
    assert_eq!(r.attendees, Fact::Asked(18, 15));
    // Said once, or corrected, it is known.
    let r = read_report("جلسه برگزار شد. حاضرین: ۱۵ نفر", p, today);
    assert_eq!(r.attendees, Fact::Known(15));
    let r = read_report("حاضرین: ۱۵ نفر\nببخشید ۱۸ نفر بودند نه ۱۵", p, today);
    assert_eq!(r.attendees, Fact::Known(18));
}
