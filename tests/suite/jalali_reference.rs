//! Checks our Jalali conversion (`setad::domain::calendar`, built on `icu_calendar`) against an
//! independent reference for every day from 1950-01-01 to 2080-12-31.
//!
//! The table `tests/data/jalali-1950-2080.csv` was generated once by
//! `tests/data/gen-jalali-reference.mjs` with the npm package `jalaali-js` 2.0.1 (Borkowski's
//! algorithm), not by our code; its header says how to rerun it. When it was made it was
//! cross-checked day by day against the PyPI packages `jdatetime` 6.1.1 and `persiantools`
//! 6.2.0 (both directions), with no disagreement.

use chrono::NaiveDate;
use setad::domain::calendar::JalaliDate;

/// Gregorian days from 1950-01-01 to 2080-12-31 inclusive: 131 years of 365 days plus 33 leap
/// days (1952, 1956, ..., 2080).
const DAYS: usize = 47_848;

fn parse_jalali(text: &str) -> (i32, u8, u8) {
    let mut parts = text.split('-');
    let mut next = |what: &str| {
        parts
            .next()
            .unwrap_or_else(|| panic!("no {what} in {text:?}"))
    };
    let year = next("year").parse().expect("year");
    let month = next("month").parse().expect("month");
    let day = next("day").parse().expect("day");
    assert!(parts.next().is_none(), "trailing fields in {text:?}");
    (year, month, day)
}

#[test]
fn conversion_matches_the_reference_for_every_day_1950_to_2080() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/jalali-1950-2080.csv"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));

    let mut count = 0;
    let mut previous: Option<(NaiveDate, JalaliDate)> = None;
    let mut mismatches = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = number + 1;
        let (gregorian, jalali) = line
            .split_once(',')
            .unwrap_or_else(|| panic!("line {at}: no comma in {line:?}"));
        let gregorian = NaiveDate::parse_from_str(gregorian, "%Y-%m-%d")
            .unwrap_or_else(|e| panic!("line {at}: bad Gregorian date {gregorian:?}: {e}"));
        let (year, month, day) = parse_jalali(jalali);

        let expected = JalaliDate::new(year, month, day)
            .unwrap_or_else(|e| panic!("line {at}: JalaliDate::new rejects {jalali}: {e}"));
        let converted = JalaliDate::from_gregorian(gregorian);
        if converted != expected {
            mismatches.push(format!(
                "line {at}: from_gregorian({gregorian}) = {converted}, reference {expected}"
            ));
        }
        if expected.to_gregorian() != gregorian {
            mismatches.push(format!(
                "line {at}: {expected}.to_gregorian() = {}, reference {gregorian}",
                expected.to_gregorian()
            ));
        }

        if let Some((prev_gregorian, prev_jalali)) = previous {
            assert_eq!(
                prev_gregorian.succ_opt(),
                Some(gregorian),
                "line {at}: not the day after the previous line"
            );
            if prev_jalali.add_days(1) != expected {
                mismatches.push(format!(
                    "line {at}: {expected} does not follow the previous line's {prev_jalali}"
                ));
            }
        }
        previous = Some((gregorian, expected));
        count += 1;
    }

    assert!(
        mismatches.is_empty(),
        "{} disagreements with the reference, first ones:\n{}",
        mismatches.len(),
        mismatches[..mismatches.len().min(20)].join("\n")
    );
    assert_eq!(count, DAYS, "the reference table is truncated or padded");
    let (last, _) = previous.expect("the reference table has no data lines");
    assert_eq!(last, NaiveDate::from_ymd_opt(2080, 12, 31).unwrap());
    assert_eq!(
        text.lines()
            .find(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .map(str::trim),
        Some("1950-01-01,1328-10-11"),
        "the reference table must start on 1950-01-01"
    );
}
