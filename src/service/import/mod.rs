//! `setad import`: the idempotent upsert of a TOML data file (the headquarters' meetings, the
//! unit tree, obligations with the periods they are in force, assignments, quotas and
//! holidays), and its dry run ([`dry_run`]), which shows the plan and changes nothing.
//!
//! The file is read ([`file`]) and checked as a whole into a [`Plan`] first ([`plan`]: pure,
//! given the stored units as plain data); every problem is reported with its line number. Only
//! a file without problems is applied ([`apply`]), in one transaction: the database is either
//! brought to what the file says or left untouched. Importing the same file again changes
//! nothing (no row, no timestamp, no audit entry).
//!
//! The problems are plain values ([`crate::domain::import`]); their wording is the
//! presentation layer's.

mod apply;
mod file;
mod obligation;
mod plan;

pub use crate::domain::import::{Change, ObligationChange, Problem, ProblemKind};
pub use plan::{Plan, PlanCounts, StoredUnit};

use crate::store::{Store, StoreError};

/// Why an import did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file has problems; nothing was changed.
    #[error("the data file has {} problem(s); nothing was changed", .0.len())]
    Invalid(Vec<Problem>),
    /// The database failed; the transaction was rolled back.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How many rows of one kind an import inserted, updated or found unchanged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Changes {
    /// Rows added.
    pub inserted: u32,
    /// Rows changed (including assignments deactivated).
    pub updated: u32,
    /// Rows already as the file says.
    pub unchanged: u32,
}

/// What an import did (or, dry, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Meetings.
    pub meetings: Changes,
    /// Units.
    pub units: Changes,
    /// Obligations.
    pub obligations: Changes,
    /// Assignments (with their quotas).
    pub assignments: Changes,
    /// Holidays.
    pub holidays: Changes,
    /// The obligations added, changed and retired, in the file's order.
    pub plan: Vec<ObligationChange>,
}

impl ImportSummary {
    /// Whether the import changed anything.
    pub fn changed_anything(&self) -> bool {
        [
            self.meetings,
            self.units,
            self.obligations,
            self.assignments,
            self.holidays,
        ]
        .iter()
        .any(|c| c.inserted + c.updated > 0)
    }
}

/// Reads, checks and applies the data file whose text is `source`, in one transaction: the
/// stored rows are read in it, the file is planned against them, and the plan is applied.
#[tracing::instrument(skip_all)]
pub async fn import(store: &Store, source: &str, now: i64) -> Result<ImportSummary, ImportError> {
    run(store, source, now, true).await
}

/// What [`import`] would do with `source`, and nothing more: the same plan applied in a
/// transaction that is rolled back (so the plan shown is exactly the one an import applies).
#[tracing::instrument(skip_all)]
pub async fn dry_run(store: &Store, source: &str, now: i64) -> Result<ImportSummary, ImportError> {
    run(store, source, now, false).await
}

async fn run(
    store: &Store,
    source: &str,
    now: i64,
    commit: bool,
) -> Result<ImportSummary, ImportError> {
    let mut tx = store.begin().await?;
    let stored = apply::Stored::read(store).await?;
    let plan = Plan::new(source, &stored.units()).map_err(ImportError::Invalid)?;
    let summary = apply::apply(&mut tx, &plan, &stored, now).await?;
    if commit {
        tx.commit().await?;
    } // otherwise (and on any error before) dropping `tx` rolls back
    Ok(summary)
}
