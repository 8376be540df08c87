//! The health of an installation, for `setad check`: the database opened without creating or
//! migrating it, its migrations against those this binary carries, whether it takes writes,
//! and the send queue. Everything here only reads (the write probe is rolled back).

use std::path::PathBuf;

use chrono::{DateTime, Utc};

use crate::store::{AppliedMigration, KnownMigration, QueueHealth, Store, StoreError};

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The SQLite file does not exist (opening it would create an empty one).
    #[error("the SQLite file {} does not exist", .0.display())]
    Missing(PathBuf),
    /// The database refused or could not be reached.
    #[error("cannot open the database")]
    Store(#[source] StoreError),
}

/// Opens the database at `url` as it is: a SQLite file that does not exist is not created,
/// and nothing is migrated.
pub async fn open(url: &str) -> Result<Store, OpenError> {
    if let Some(file) = crate::store::sqlite_file(url)
        && !file.is_file()
    {
        return Err(OpenError::Missing(file));
    }
    Store::connect(url).await.map_err(OpenError::Store)
}

/// The file of a SQLite database URL (`None` for PostgreSQL).
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    crate::store::sqlite_file(url)
}

/// Whether the database takes writes (nothing is left written).
pub async fn writable(store: &Store) -> Result<(), StoreError> {
    store.probe_write().await
}

/// How the database's migrations stand against this binary's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Migrations {
    /// How many this binary carries.
    pub known: usize,
    /// The latest version applied, if any.
    pub latest: Option<i64>,
    /// Carried by this binary, not applied yet: `setad migrate` applies them.
    pub pending: Vec<i64>,
    /// Applied, unknown to this binary: the database is newer than the binary.
    pub unknown: Vec<i64>,
    /// Recorded as failed halfway.
    pub failed: Vec<i64>,
    /// Applied from different SQL than this binary's (a migration edited after the fact).
    pub changed: Vec<i64>,
}

impl Migrations {
    /// Whether the database is exactly at this binary's schema.
    pub fn is_current(&self) -> bool {
        self.pending.is_empty()
            && self.unknown.is_empty()
            && self.failed.is_empty()
            && self.changed.is_empty()
    }
}

/// Compares the migrations this binary carries with those the database applied.
pub fn compare(known: &[KnownMigration], applied: &[AppliedMigration]) -> Migrations {
    let applied_version = |v: i64| applied.iter().find(|a| a.version == v);
    let mut out = Migrations {
        known: known.len(),
        latest: applied.iter().map(|a| a.version).max(),
        ..Migrations::default()
    };
    for k in known {
        match applied_version(k.version) {
            None => out.pending.push(k.version),
            Some(a) if !a.success => out.failed.push(k.version),
            Some(a) if a.checksum != k.checksum => out.changed.push(k.version),
            Some(_) => {}
        }
    }
    for a in applied {
        if !known.iter().any(|k| k.version == a.version) {
            if a.success {
                out.unknown.push(a.version);
            } else {
                out.failed.push(a.version);
            }
        }
    }
    out
}

/// The database's migrations against this binary's, without applying any.
pub async fn migrations(store: &Store) -> Result<Migrations, StoreError> {
    let applied = store.applied_migrations().await?;
    Ok(compare(&store.known_migrations(), &applied))
}

/// The send queue's health at `now`.
pub async fn queue(store: &Store, now: DateTime<Utc>) -> Result<QueueHealth, StoreError> {
    store.queue_health(now.timestamp()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(versions: &[i64]) -> Vec<KnownMigration> {
        versions
            .iter()
            .map(|v| KnownMigration {
                version: *v,
                description: format!("m{v}"),
                checksum: vec![*v as u8],
            })
            .collect()
    }

    fn applied(rows: &[(i64, bool, u8)]) -> Vec<AppliedMigration> {
        rows.iter()
            .map(|(version, success, sum)| AppliedMigration {
                version: *version,
                success: *success,
                checksum: vec![*sum],
            })
            .collect()
    }

    /// (version, success, checksum) as the database records them.
    type Rows = &'static [(i64, bool, u8)];

    #[test]
    fn migrations_are_compared_version_by_version() {
        let cases: &[(&str, Rows, Migrations)] = &[
            (
                "current",
                &[(1, true, 1), (2, true, 2), (3, true, 3)],
                Migrations {
                    known: 3,
                    latest: Some(3),
                    ..Migrations::default()
                },
            ),
            (
                "empty database",
                &[],
                Migrations {
                    known: 3,
                    pending: vec![1, 2, 3],
                    ..Migrations::default()
                },
            ),
            (
                "one pending",
                &[(1, true, 1), (2, true, 2)],
                Migrations {
                    known: 3,
                    latest: Some(2),
                    pending: vec![3],
                    ..Migrations::default()
                },
            ),
            (
                "newer than the binary",
                &[(1, true, 1), (2, true, 2), (3, true, 3), (4, true, 4)],
                Migrations {
                    known: 3,
                    latest: Some(4),
                    unknown: vec![4],
                    ..Migrations::default()
                },
            ),
            (
                "failed halfway, and edited",
                &[(1, true, 9), (2, false, 2)],
                Migrations {
                    known: 3,
                    latest: Some(2),
                    pending: vec![3],
                    failed: vec![2],
                    changed: vec![1],
                    ..Migrations::default()
                },
            ),
        ];
        for (name, rows, expected) in cases {
            let got = compare(&known(&[1, 2, 3]), &applied(rows));
            assert_eq!(&got, expected, "{name}");
            assert_eq!(got.is_current(), *name == "current", "{name}");
        }
    }
}
