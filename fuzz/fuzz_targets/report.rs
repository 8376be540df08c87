//! `read_report` and `check_report_text` on arbitrary UTF-8, with a period and a today from the
//! first bytes (see `common::header`).
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((period, today, rest)) = common::header(data) else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    common::check_report(text, period, today);
});
