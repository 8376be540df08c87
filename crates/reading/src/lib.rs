//! What Setad reads from what people write, and the calendar it reads it against: digits and
//! words ([`text`]), Jalali dates ([`calendar`], [`written_date`]) and reports ([`report`]).
//!
//! Pure code, in a crate of its own so that it builds, tests and is fuzzed (`fuzz/`) without the
//! bot's I/O: nothing here may import `sqlx`, `teloxide` or `tokio`, or read a clock. The bot
//! re-exports these modules as `setad::domain::{calendar, text, written_date, report}`.

pub mod calendar;
pub mod report;
pub mod text;
pub mod written_date;

/// A language the bot speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// Persian, the default.
    #[default]
    Fa,
    /// English.
    En,
}

impl Lang {
    /// Both languages, Persian first.
    pub const ALL: [Lang; 2] = [Lang::Fa, Lang::En];

    /// The language's BCP 47 code (`fa`, `en`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fa => "fa",
            Lang::En => "en",
        }
    }

    /// Parses `fa` or `en` (case-insensitive, region ignored: `fa-IR` is Persian).
    pub fn parse(s: &str) -> Option<Self> {
        let primary = s.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "fa" | "per" | "fas" => Some(Lang::Fa),
            "en" | "eng" => Some(Lang::En),
            _ => None,
        }
    }

    /// The digits this language writes numbers and dates with.
    pub fn digits(self) -> text::Digits {
        match self {
            Lang::Fa => text::Digits::Persian,
            Lang::En => text::Digits::Ascii,
        }
    }
}

/// A stored name that is not one of a type's values (a hand-edited row, or a bug): the store
/// reports it as corrupt rather than guessing a default.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a {what}")]
pub struct Unrecognised {
    /// What was expected ("role", "platform", …).
    pub what: &'static str,
    /// The value found.
    pub value: String,
}

impl TryFrom<String> for Lang {
    type Error = Unrecognised;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Lang::parse(&value).ok_or(Unrecognised {
            what: "language",
            value,
        })
    }
}
