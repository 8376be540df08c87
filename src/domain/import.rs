//! What can be wrong in a data file for `setad import`: the problems the import service finds,
//! each with its line, for the presentation layer to word (`render::problem`).
//!
//! Plain values only; nothing here knows the file's syntax, the database or the catalogue.

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
}
