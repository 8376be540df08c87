//! `JalaliDate::parse`, `Period::parse`, `WrittenDate::parse` and `parse_period` never panic on
//! arbitrary text, and what they return is a valid value that formats and parses back to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use setad_reading::calendar::{JalaliDate, Period, month_len};
use setad_reading::text::Digits;
use setad_reading::written_date::{WrittenDate, parse_period};

fn round_trip_date(d: JalaliDate) {
    assert!(JalaliDate::new(d.year(), d.month(), d.day()).is_ok(), "{d:?}");
    let shown = d.to_string();
    assert_eq!(JalaliDate::parse(&shown), Ok(d), "Display {shown:?} does not parse back");
    for digits in [Digits::Ascii, Digits::Persian] {
        let shown = d.format(digits);
        assert_eq!(JalaliDate::parse(&shown), Ok(d), "format {shown:?} does not parse back");
    }
    let _ = d.format_long(setad_reading::Lang::Fa);
    let _ = d.weekday();
}

fn round_trip_period(p: Period) {
    assert!(Period::new(p.year(), p.month()).is_ok(), "{p:?}");
    let shown = p.to_string();
    assert_eq!(Period::parse(&shown), Ok(p), "Display {shown:?} does not parse back");
    assert_eq!(Period::from_code(p.code()), Ok(p));
}

fuzz_target!(|data: &[u8]| {
    // A date built from the first four bytes: every supported day formats and parses back.
    if let [a, b, c, e, ..] = data {
        let year = 1200 + i32::from(u16::from_le_bytes([*a, *b]) % 401);
        let month = c % 12 + 1;
        let day = e % month_len(year, month) + 1;
        round_trip_date(JalaliDate::new(year, month, day).expect("folded date is valid"));
    }

    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(d) = JalaliDate::parse(s) {
        round_trip_date(d);
    }
    if let Ok(p) = Period::parse(s) {
        round_trip_period(p);
    }
    match WrittenDate::parse(s) {
        Ok(w) => round_trip_date(w.jalali()),
        Err(e) => {
            let _ = e.to_string();
        }
    }
    match parse_period(s) {
        Ok(p) => round_trip_period(p),
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
