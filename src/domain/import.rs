//! What can be wrong in a data file for `setad import`: the problems the import service finds,
//! each with its line, for the presentation layer to word (`render::problem`).
//!
//! Plain values only; nothing here knows the file's syntax, the database or the catalogue.

use super::calendar::Period;

/// One problem in a data file, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub kind: ProblemKind,
}

/// What can be wrong in a data file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// Not TOML, or not the expected fields (the parser's words).
    Syntax(String),
    /// A key that is not a lowercase slug.
    BadKey(String),
    /// A key used twice.
    DuplicateKey(String),
    /// An unknown unit kind.
    UnknownKind(String),
    /// A unit without a parent that is not the first one, or a second root.
    MissingParent(String),
    /// A parent that is not defined earlier in the file nor in the database.
    UnknownParent {
        /// The unit.
        key: String,
        /// The parent named.
        parent: String,
    },
    /// A unit key named by an obligation or quota that does not exist.
    UnknownUnit(String),
    /// An obligation key named by a quota that does not exist.
    UnknownObligation(String),
    /// An unknown obligation shape.
    UnknownShape(String),
    /// A date that is not a valid Jalali date.
    BadDate(String),
    /// A time that is not HH:MM.
    BadTime(String),
    /// A value out of range.
    OutOfRange {
        /// The field.
        field: &'static str,
        /// The value.
        value: i64,
    },
    /// Schedule fields that do not fit the shape (a deadline's fields on a monthly obligation…).
    ScheduleMismatch {
        /// The obligation.
        key: String,
        /// Its shape.
        shape: String,
    },
    /// A quota on an obligation that is not a quota.
    NotAQuota(String),
    /// A quota for a unit the obligation is not assigned to.
    QuotaNotAssigned {
        /// The obligation.
        obligation: String,
        /// The unit.
        unit: String,
    },
    /// A responsible entry that names nothing (`kind:` with no unit of that kind).
    EmptyAssignment(String),
    /// An obligation names a `[[meeting]]` the file does not define.
    UnknownMeeting(String),
    /// An obligation whose `end` comes before its start.
    EndBeforeStart {
        /// The obligation.
        key: String,
        /// Its start (explicit or its meeting's date), as `yyyy/mm/dd`.
        start: String,
        /// Its end, as `yyyy/mm/dd`.
        end: String,
    },
}

/// What an import does to one obligation, as its plan shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// A new obligation.
    Added,
    /// A stored obligation whose fields change (its window included, unless retired).
    Changed,
    /// A stored obligation given an `end` (or a new one): no occurrences after its period.
    Retired,
}

/// One obligation in an import's plan: what changes, and the periods it is in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObligationChange {
    /// What changes.
    pub change: Change,
    /// Its key ("R3").
    pub key: String,
    /// Its title.
    pub title: String,
    /// The first period in force, if it has a start.
    pub from: Option<Period>,
    /// The last period in force, if it has an end.
    pub until: Option<Period>,
}
