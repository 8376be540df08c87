//! The confirmation as the member reads it, built from a [`Reading`] the reader may give: the
//! current reader never asks yet (it answers `Known` or `Unknown`), so the questions are built
//! here by hand, the seam being the `Saved` the service returns.

use super::*;
use crate::domain::calendar::Period;
use crate::domain::obligation::{OccurrenceStatus, Shape};
use crate::domain::report::Reading;
use crate::service::OccurrenceInfo;
use crate::service::report::Saved;

fn day(y: i32, m: u8, d: u8) -> JalaliDate {
    JalaliDate::new(y, m, d).unwrap()
}

fn saved(reading: Reading) -> Submitted {
    Submitted::Saved(Saved {
        report_id: 9_223_372_036_854_775_807,
        occurrence: OccurrenceInfo {
            occurrence_id: 1,
            period: 140509,
            due_at: 0,
            status: OccurrenceStatus::Reported,
            unit_id: 1,
            obligation_id: 1,
            key: "R3".into(),
            title: "جلسه".into(),
            shape: Shape::Meeting,
        },
        period: Period::new(1405, 9).unwrap(),
        reading,
        edit: false,
        late: false,
        milestone: None,
    })
}

fn asking() -> Reading {
    Reading {
        held: Fact::Known(true),
        held_on: Fact::Asked(day(1405, 9, 10), day(1405, 10, 9)),
        attendees: Fact::Asked(15, 20),
        insured: Fact::Unknown,
        refused: vec![Refused::FutureDate(day(1405, 10, 5))],
    }
}

#[test]
fn a_question_is_asked_with_a_button_per_value_and_unknowns_show_a_dash() {
    let answer = submitted(Lang::Fa, &saved(asking()), 77);
    let text = &answer.text;
    assert!(text.contains("حاضران: ۱۵ یا ۲۰؟"), "{text}");
    assert!(text.contains("تاریخ: ۱۴۰۵/۰۹/۱۰ یا ۱۴۰۵/۱۰/۰۹؟"), "{text}");
    assert!(text.contains("بیمه‌شدگان جدید: —"), "{text}");
    assert!(
        text.contains("تاریخ ۱۴۰۵/۱۰/۰۵ هنوز نرسیده است؛ ثبت نشد."),
        "{text}"
    );
    let id = 9_223_372_036_854_775_807_i64;
    assert_eq!(
        answer.buttons,
        vec![
            vec![
                ("✅ برگزار شد".to_owned(), format!("held:{id}:1")),
                ("❌ برگزار نشد".to_owned(), format!("held:{id}:0")),
            ],
            vec![
                ("۱۴۰۵/۰۹/۱۰".to_owned(), format!("fact:{id}:d:14050910")),
                ("۱۴۰۵/۱۰/۰۹".to_owned(), format!("fact:{id}:d:14051009")),
            ],
            vec![
                ("۱۵ نفر".to_owned(), format!("fact:{id}:a:15")),
                ("۲۰ نفر".to_owned(), format!("fact:{id}:a:20")),
            ],
        ]
    );
    for (_, data) in answer.buttons.iter().flatten() {
        assert!(data.len() <= 64, "{data}");
    }
    assert_eq!(answer.report_id, Some(id));
    assert_eq!(answer.reply_to, Some(77));
}

#[test]
fn in_english_values_have_ascii_digits() {
    let answer = submitted(Lang::En, &saved(asking()), 77);
    assert!(
        answer.text.contains("attendees: 15 or 20?"),
        "{}",
        answer.text
    );
    assert!(answer.text.contains("1405/10/05 has not come yet"));
    assert_eq!(answer.buttons[2][0].0, "15 people");
}

#[test]
fn the_largest_values_fit_in_callback_data() {
    let id = i64::MAX;
    for s in [
        Setting::Count(Count::Insured, i64::from(u32::MAX)),
        Setting::HeldOn(day(1499, 12, 29)),
    ] {
        let data = setting_data(id, s);
        assert!(data.len() <= 64, "{data}");
        let rest = data.strip_prefix(&format!("fact:{id}:")).unwrap();
        assert_eq!(parse_setting(rest), Some(s));
    }
}

#[test]
fn malformed_data_reads_as_nothing() {
    for bad in [
        "",
        "a",
        "a:",
        "x:5",
        "a:5:6",
        "a:+5",
        "a:٥",
        "a:1e3",
        "a:99999999999999",
        "d:14051301",
        "d:14051230x",
        "d:1405123",
        "d:-4050910",
        "d:14041230",
    ] {
        assert_eq!(parse_setting(bad), None, "{bad:?}");
    }
    assert_eq!(
        parse_setting("a:-5"),
        Some(Setting::Count(Count::Attendees, -5))
    );
    assert_eq!(
        parse_setting("d:14050910"),
        Some(Setting::HeldOn(day(1405, 9, 10)))
    );
}
