//! The confirmation of a report: what was stored and understood, each fact shown as read (a
//! value, a question between two values with a button for each, or "—" to be filled by a
//! reply), the values refused as impossible and why; and the answers to a press on those
//! buttons. Every string comes from the message catalogue.
//!
//! Callback data: `held:REPORT:1|0` (held or not) and `fact:REPORT:KIND:VALUE`, KIND `a`
//! (attendees), `i` (newly insured) or `d` (the day, `YYYYMMDD` Jalali). At most 40 bytes for
//! any report id and value, well within Telegram's 64. The data is read defensively
//! ([`parse_setting`]): anything else is a stale button.

use crate::domain::Lang;
use crate::domain::calendar::JalaliDate;
use crate::domain::report::{Count, Fact, Refused};
use crate::domain::text::localize_digits;
use crate::service::notify::Answer;
use crate::service::report::{Corrected, Setting, Submitted};
use crate::t;

use super::text::held;

/// A count in the member's digits.
fn number(lang: Lang, n: impl ToString) -> String {
    localize_digits(&n.to_string(), lang.digits())
}

/// A fact as the confirmation shows it: its value, "A or B?", or "—".
fn shown<T: Copy>(lang: Lang, fact: &Fact<T>, show: impl Fn(T) -> String) -> String {
    match fact {
        Fact::Known(v) => show(*v),
        Fact::Asked(a, b) => t!(lang, "report-either", a = show(*a), b = show(*b)),
        Fact::Unknown => "—".to_owned(),
    }
}

/// The name of a count.
fn count_name(lang: Lang, count: Count) -> String {
    match count {
        Count::Attendees => t!(lang, "count-attendees"),
        Count::Insured => t!(lang, "count-insured"),
    }
}

/// Why a value was refused, as a sentence.
pub fn refusal(lang: Lang, refused: Refused) -> String {
    match refused {
        Refused::FutureDate(day) => t!(
            lang,
            "report-refused-future",
            date = day.format(lang.digits())
        ),
        Refused::Negative(count, n) => t!(
            lang,
            "report-refused-negative",
            count = count_name(lang, count),
            n = number(lang, n)
        ),
    }
}

/// The callback data of a button setting a value on report `report_id`.
fn setting_data(report_id: i64, setting: Setting) -> String {
    match setting {
        Setting::HeldOn(d) => format!(
            "fact:{report_id}:d:{:04}{:02}{:02}",
            d.year(),
            d.month(),
            d.day()
        ),
        Setting::Count(Count::Attendees, n) => format!("fact:{report_id}:a:{n}"),
        Setting::Count(Count::Insured, n) => format!("fact:{report_id}:i:{n}"),
    }
}

/// The label of a button setting a value.
fn setting_label(lang: Lang, setting: Setting) -> String {
    match setting {
        Setting::HeldOn(d) => d.format(lang.digits()),
        Setting::Count(Count::Attendees, n) => t!(lang, "button-attendees", n = number(lang, n)),
        Setting::Count(Count::Insured, n) => t!(lang, "button-insured", n = number(lang, n)),
    }
}

/// Reads the `KIND:VALUE` part of `fact:REPORT:KIND:VALUE`; `None` for anything malformed.
/// A count is read as pressed, sign included (the service refuses what cannot be true).
pub fn parse_setting(data: &str) -> Option<Setting> {
    let (kind, value) = data.split_once(':')?;
    let digits = value.strip_prefix('-').unwrap_or(value);
    if digits.is_empty() || digits.len() > 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match kind {
        "a" => Some(Setting::Count(Count::Attendees, value.parse().ok()?)),
        "i" => Some(Setting::Count(Count::Insured, value.parse().ok()?)),
        "d" if value.len() == 8 => {
            let (y, m, d) = (&value[..4], &value[4..6], &value[6..]);
            let day = JalaliDate::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok()?;
            Some(Setting::HeldOn(day))
        }
        _ => None,
    }
}

/// What a press setting a value came to, as a sentence.
pub fn corrected(lang: Lang, done: Corrected) -> String {
    match done {
        Corrected::Set(Setting::HeldOn(d)) => t!(
            lang,
            "report-fact-set",
            fact = t!(lang, "fact-date"),
            value = d.format(lang.digits())
        ),
        Corrected::Set(Setting::Count(count, n)) => t!(
            lang,
            "report-fact-set",
            fact = count_name(lang, count),
            value = number(lang, n)
        ),
        Corrected::Refused(r) => refusal(lang, r),
        Corrected::NotYours => t!(lang, "report-not-yours"),
    }
}

/// The answer to a report: what was stored and understood, with buttons to correct it and to
/// answer the questions; or why it was refused. `message_id` is the member's message. A reply
/// to the answer fills the report (the answer carries its id).
pub fn submitted(lang: Lang, s: &Submitted, message_id: i64) -> Answer {
    let saved = match s {
        Submitted::Saved(saved) => saved,
        Submitted::NotYours => {
            return Answer {
                reply_to: Some(message_id),
                ..Answer::text(t!(lang, "report-not-yours"))
            };
        }
        Submitted::Empty => return Answer::text(t!(lang, "report-empty")),
        Submitted::TooLong { len, max } => {
            let (len, max) = (*len, *max);
            return Answer::text(t!(lang, "report-too-long", len = len, max = max));
        }
    };
    let occ = &saved.occurrence;
    macro_rules! heading {
        ($id:literal) => {
            t!(
                lang,
                $id,
                key = occ.key.clone(),
                title = occ.title.clone(),
                period = saved.period.name(lang)
            )
        };
    }
    let heading = match (saved.edit, saved.late) {
        (true, _) => heading!("report-updated"),
        (false, true) => heading!("report-saved-late"),
        (false, false) => heading!("report-saved"),
    };
    let r = &saved.reading;
    let understood = t!(
        lang,
        "report-understood",
        held = shown(lang, &r.held, |h| held(lang, Some(h))),
        date = shown(lang, &r.held_on, |d| d.format(lang.digits())),
        attendees = shown(lang, &r.attendees, |n| number(lang, n)),
        insured = shown(lang, &r.insured, |n| number(lang, n))
    );
    let mut lines = vec![heading, understood];
    lines.extend(r.refused.iter().map(|&x| refusal(lang, x)));
    lines.push(t!(lang, "report-fix-hint"));
    let to_fill = [
        r.held_on.is_unknown(),
        r.attendees.is_unknown(),
        r.insured.is_unknown(),
    ];
    if r.asks() || to_fill.contains(&true) {
        lines.push(t!(lang, "report-fill-hint"));
    }
    let report_id = saved.report_id;
    let mut buttons = vec![vec![
        (t!(lang, "button-held"), format!("held:{report_id}:1")),
        (t!(lang, "button-not-held"), format!("held:{report_id}:0")),
    ]];
    let asked = [
        r.held_on
            .asked()
            .map(|(a, b)| (Setting::HeldOn(a), Setting::HeldOn(b))),
        r.attendees.asked().map(|(a, b)| {
            let c = |n| Setting::Count(Count::Attendees, i64::from(n));
            (c(a), c(b))
        }),
        r.insured.asked().map(|(a, b)| {
            let c = |n| Setting::Count(Count::Insured, i64::from(n));
            (c(a), c(b))
        }),
    ];
    for (a, b) in asked.into_iter().flatten() {
        buttons.push(
            [a, b]
                .into_iter()
                .map(|s| (setting_label(lang, s), setting_data(report_id, s)))
                .collect(),
        );
    }
    Answer {
        text: lines.join("\n"),
        buttons,
        reply_to: Some(message_id),
        report_id: Some(report_id),
    }
}

#[cfg(test)]
mod tests;
