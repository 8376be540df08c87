//! The domain: what Setad knows about units, people, obligations and time.
//!
//! Pure code only. Nothing here may import `sqlx`, `teloxide`, `tokio` or read a clock:
//! callers pass "now" in. Every type that reaches this layer is already valid.

pub mod calendar;
pub mod error;
pub mod import;
pub mod member;
pub mod notice;
pub mod obligation;
pub mod report;
pub mod schedule;
pub mod summary;
pub mod text;
pub mod unit;
pub mod unit_name;
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

/// `TryFrom<String>` through the type's `parse`, for rows decoded by the store.
macro_rules! stored_name {
    ($ty:ty, $what:literal) => {
        impl TryFrom<String> for $ty {
            type Error = $crate::domain::Unrecognised;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                <$ty>::parse(&value).ok_or($crate::domain::Unrecognised { what: $what, value })
            }
        }
    };
}

stored_name!(Lang, "language");
stored_name!(member::Platform, "platform");
stored_name!(member::Role, "role");
stored_name!(unit::UnitKind, "unit kind");
stored_name!(obligation::Shape, "obligation shape");
stored_name!(obligation::Involvement, "involvement");
stored_name!(obligation::OccurrenceStatus, "occurrence status");
stored_name!(notice::MessageKind, "message kind");
