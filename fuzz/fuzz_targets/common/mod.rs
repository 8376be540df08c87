//! What the report targets share: a period and a "today" taken from the first bytes of the
//! input, and the properties every reading must have.

use setad_reading::calendar::{JalaliDate, MIN_YEAR, Period, month_len};
use setad_reading::report::{Fact, Refused, check_report_text, read_report};

/// Bytes taken by [`header`]: period year (u16 LE), period month, today's year (u16 LE),
/// today's month, today's day. `seed_corpus.py` writes the same layout.
pub const HEADER_LEN: usize = 7;

/// The period and today encoded by the first [`HEADER_LEN`] bytes (any bytes give valid ones:
/// years fold into 1200..=1600, months into 1..=12, days into the month), and the rest.
pub fn header(data: &[u8]) -> Option<(Period, JalaliDate, &[u8])> {
    let (h, rest) = data.split_at_checked(HEADER_LEN)?;
    let year = |lo: u8, hi: u8| MIN_YEAR + i32::from(u16::from_le_bytes([lo, hi]) % 401);
    let period = Period::new(year(h[0], h[1]), h[2] % 12 + 1).expect("folded period is valid");
    let (ty, tm) = (year(h[3], h[4]), h[5] % 12 + 1);
    let td = h[6] % month_len(ty, tm) + 1;
    let today = JalaliDate::new(ty, tm, td).expect("folded date is valid");
    Some((period, today, rest))
}

/// Reads `text` twice and checks the properties of the reading and of `check_report_text`.
pub fn check_report(text: &str, period: Period, today: JalaliDate) {
    // `SETAD_FUZZ_SHOW=1 …/report_structured ARTIFACT` prints the text an input stands for.
    if std::env::var_os("SETAD_FUZZ_SHOW").is_some() {
        eprintln!("period {period}, today {today}, text {text:?}");
    }
    let first = read_report(text, period, today);
    let second = read_report(text, period, today);
    assert_eq!(first, second, "two readings of the same text differ");

    // A session cannot have been held after the report was written.
    if let Fact::Known(day) = first.held_on {
        assert!(
            day <= today,
            "held_on {day} is after today {today} (period {period})"
        );
    }
    for refused in &first.refused {
        if let Refused::FutureDate(day) = refused {
            assert!(*day > today, "refused {day} as future, but today is {today}");
        }
    }
    // A date in a report of a session not held is a plan, not a fact.
    if first.held == Fact::Known(false) {
        assert!(
            first.held_on.known().is_none(),
            "held is false but held_on is {:?}",
            first.held_on
        );
    }
    // Every date read is a real day.
    if let Some(d) = first.held_on.known() {
        assert!(JalaliDate::new(d.year(), d.month(), d.day()).is_ok());
    }
    let _ = first.facts();
    let _ = first.asks();
    let _ = first.found_anything();

    if let Ok(clean) = check_report_text(text) {
        assert_eq!(
            check_report_text(&clean).as_ref(),
            Ok(&clean),
            "check_report_text is not idempotent"
        );
    }
}
