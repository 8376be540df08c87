//! The domain: what Setad knows about units, people, obligations and time.
//!
//! Pure code only. Nothing here may import `sqlx`, `teloxide`, `tokio` or read a clock:
//! callers pass "now" in. Every type that reaches this layer is already valid.

pub mod error;
pub mod import;
pub mod member;
pub mod notice;
pub mod obligation;
pub mod schedule;
pub mod summary;
pub mod unit;
pub mod unit_name;

pub use setad_reading::{Lang, Unrecognised, calendar, report, text, written_date};

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

stored_name!(member::Platform, "platform");
stored_name!(member::Role, "role");
stored_name!(unit::UnitKind, "unit kind");
stored_name!(obligation::Shape, "obligation shape");
stored_name!(obligation::Involvement, "involvement");
stored_name!(obligation::OccurrenceStatus, "occurrence status");
stored_name!(notice::MessageKind, "message kind");
