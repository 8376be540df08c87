//! `normalize_text` and `sanitize_input` never panic and are idempotent.
#![no_main]

use libfuzzer_sys::fuzz_target;
use setad_reading::text::{normalize_text, sanitize_input};

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);

    let n = normalize_text(&s);
    assert_eq!(normalize_text(&n), n, "normalize_text is not idempotent on {s:?}");

    let c = sanitize_input(&s);
    assert_eq!(sanitize_input(&c), c, "sanitize_input is not idempotent on {s:?}");
});
