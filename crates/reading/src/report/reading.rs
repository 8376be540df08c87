//! What the reader makes of a report: for each fact a value it is sure of, a question between
//! two values, or nothing ([`Fact`]), and the values it refused as impossible ([`Refused`]).
//!
//! Pure code: it must not import `sqlx`, `teloxide` or `tokio`, nor read a clock.

use super::ReportFacts;
use crate::calendar::JalaliDate;

/// One fact of a report, as read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Fact<T> {
    /// The text does not say it (or not so that a careful reader could tell): shown as "—",
    /// to be filled by the member.
    #[default]
    Unknown,
    /// Read with confidence.
    Known(T),
    /// The text gives two readings and the member is asked which one holds (the first is the
    /// likelier). Not stored until answered.
    Asked(T, T),
}

impl<T: Copy> Fact<T> {
    /// The value read with confidence, if any.
    pub fn known(&self) -> Option<T> {
        match self {
            Fact::Known(v) => Some(*v),
            _ => None,
        }
    }

    /// The two values asked between, if the member is asked.
    pub fn asked(&self) -> Option<(T, T)> {
        match self {
            Fact::Asked(a, b) => Some((*a, *b)),
            _ => None,
        }
    }

    /// Whether the reader is sure of nothing for this fact.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Fact::Unknown)
    }
}

impl<T> From<Option<T>> for Fact<T> {
    fn from(value: Option<T>) -> Self {
        value.map_or(Fact::Unknown, Fact::Known)
    }
}

/// A count of a report: the people who attended, or those newly insured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Count {
    /// The people who attended the session.
    Attendees,
    /// The people newly insured in the month.
    Insured,
}

/// A value the text states that cannot be true, refused and not stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The session's day is after the day the report was written.
    FutureDate(JalaliDate),
    /// A count written below zero (`-5 نفر`).
    Negative(Count, i64),
}

/// Everything read from a report.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reading {
    /// Whether the session was held.
    pub held: Fact<bool>,
    /// The day it was held.
    pub held_on: Fact<JalaliDate>,
    /// How many attended.
    pub attendees: Fact<u32>,
    /// How many were newly insured in the month.
    pub insured: Fact<u32>,
    /// What was refused as impossible, in text order.
    pub refused: Vec<Refused>,
}

impl Reading {
    /// The facts read with confidence: what is stored until the member answers a question.
    pub fn facts(&self) -> ReportFacts {
        ReportFacts {
            held: self.held.known(),
            held_on: self.held_on.known(),
            attendees: self.attendees.known(),
            insured: self.insured.known(),
        }
    }

    /// Whether the member is asked about any fact.
    pub fn asks(&self) -> bool {
        self.held.asked().is_some()
            || self.held_on.asked().is_some()
            || self.attendees.asked().is_some()
            || self.insured.asked().is_some()
    }

    /// Whether anything at all was read (a fact, a question or a refusal): the text looks like
    /// a report.
    pub fn found_anything(&self) -> bool {
        !(self.held.is_unknown()
            && self.held_on.is_unknown()
            && self.attendees.is_unknown()
            && self.insured.is_unknown()
            && self.refused.is_empty())
    }
}
