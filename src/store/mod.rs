//! The database: one [`Store`] over SQLite (the embedded default) or PostgreSQL (the scale-out
//! backend), chosen by the scheme of `DATABASE_URL`.
//!
//! Every query is written once, in SQL both databases accept (`$N` placeholders, `ON CONFLICT`,
//! `RETURNING`, integer UTC timestamps), and run against whichever pool is configured through
//! the [`with_pool!`] and [`with_tx!`] macros: each expands to a `match` with one arm per
//! backend, so rows are decoded by the native driver and no `Any` conversion is paid. Where
//! PostgreSQL can do better, the code says so in a block marked `PostgreSQL only`.
//!
//! The files are split by what they hold: [`units`](self) of the tree, obligations and their
//! assignments, members, invites, occurrences, reports, the outbox, the inbox, the audit
//! trail, and the reads of health and metrics. Rows are decoded into the domain's types (roles,
//! platforms, languages, shapes, kinds, statuses); a stored value that does not decode is
//! [`StoreError::Corrupt`], never a default.
//!
//! This module owns SQL and row types; it imports only `domain`: not `teloxide`, not
//! `platform`, and it renders no text.

mod audit;
mod decode;
mod drafts;
mod expiry;
mod health;
mod inbox;
mod invites;
mod leaves;
mod members;
mod obligations;
mod occurrences;
mod outbox;
mod readiness;
mod reports;
mod units;

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool};

use crate::domain::error::Chain;

pub use audit::*;
pub use drafts::*;
pub use expiry::*;
pub use health::*;
pub use inbox::*;
pub use invites::*;
pub use leaves::*;
pub use members::*;
pub use obligations::*;
pub use occurrences::*;
pub use outbox::*;
pub use readiness::*;
pub use reports::*;
pub use units::*;

/// The database behind the bot.
#[derive(Clone, Debug)]
pub enum Store {
    /// An embedded SQLite file, in WAL mode.
    Sqlite(SqliteStore),
    /// A PostgreSQL database.
    Postgres(PgPool),
}

/// SQLite: the pool, and the lock its writers take in turn. SQLite has one writer at a time;
/// transactions that start reading and then write fail at once (`SQLITE_BUSY`) when another
/// writer committed meanwhile, and its busy handler waits by sleeping. So every write in this
/// process takes this lock first and then `BEGIN IMMEDIATE`: writers queue in tokio, fairly and
/// without sleeping, and never fail for each other.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
    writer: std::sync::Arc<tokio::sync::Mutex<()>>,
}

/// An open transaction on either backend.
pub enum Tx {
    /// On SQLite, holding the write lock.
    Sqlite(
        sqlx::Transaction<'static, Sqlite>,
        tokio::sync::OwnedMutexGuard<()>,
    ),
    /// On PostgreSQL.
    Postgres(sqlx::Transaction<'static, Postgres>),
}

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// `DATABASE_URL` is neither `sqlite:` nor `postgres:`.
    #[error("unsupported database URL (expected sqlite://PATH or postgres://…)")]
    UnsupportedUrl,
    /// The database answered with an error.
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    /// A migration failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value could not be read back (a bug or a hand-edited row): never read as a
    /// default.
    #[error("corrupt stored value in {table}.{column}: {value}")]
    Corrupt {
        /// The table (or the query's rows).
        table: &'static str,
        /// The column.
        column: String,
        /// The value found, or why it does not decode.
        value: String,
    },
    /// The operation is not available on this backend.
    #[error("{0}")]
    Unsupported(&'static str),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            // A column whose value is not one of its type's (a role, a platform, …): corrupt,
            // named as such, rather than a generic database error.
            sqlx::Error::ColumnDecode { index, source } => StoreError::Corrupt {
                table: "row",
                // sqlx names the column as written by `Debug` (quoted).
                column: index.trim_matches('"').to_owned(),
                value: source.to_string(),
            },
            e => StoreError::Database(e),
        }
    }
}

/// Runs `$body` with `$p` bound to the backend's pool (`&SqlitePool` or `&PgPool`).
#[macro_export]
macro_rules! with_pool {
    ($store:expr, $p:ident => $body:expr) => {
        match $store {
            $crate::store::Store::Sqlite(sqlite) => {
                let $p = sqlite.pool();
                $body
            }
            $crate::store::Store::Postgres($p) => $body,
        }
    };
}

/// Runs `$body` with `$c` bound to the transaction's connection (`&mut SqliteConnection` or
/// `&mut PgConnection`); use it as `&mut *$c`.
#[macro_export]
macro_rules! with_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx {
            $crate::store::Tx::Sqlite(t, _) => {
                let $c = &mut **t;
                $body
            }
            $crate::store::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

pub(crate) use {with_pool, with_tx};

/// The migrations of each backend, embedded at build time.
static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

impl SqliteStore {
    /// The connection pool.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Waits for this process's write turn (for a write outside a [`Tx`]).
    pub async fn write_turn(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.writer.lock().await
    }
}

impl Store {
    /// The SQLite pool, when the store is SQLite (for tests and tools).
    pub fn sqlite_pool(&self) -> Option<&SqlitePool> {
        match self {
            Store::Sqlite(s) => Some(s.pool()),
            Store::Postgres(_) => None,
        }
    }

    /// Connects to `url` (`sqlite://PATH`, created if missing, or `postgres://…`). Does not
    /// migrate: call [`Store::migrate`].
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            // No ping before handing out a connection: the file cannot go away like a server,
            // and sqlx's SQLite ping is a round trip to the connection's thread, which doubled
            // the cost of every small read.
            let pool = SqlitePoolOptions::new()
                .max_connections(16)
                .min_connections(1)
                .test_before_acquire(false)
                .connect_with(options)
                .await?;
            Ok(Store::Sqlite(SqliteStore {
                pool,
                writer: Default::default(),
            }))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            Ok(Store::Postgres(pool))
        } else {
            Err(StoreError::UnsupportedUrl)
        }
    }

    /// Applies the pending migrations of this backend.
    #[tracing::instrument(skip(self))]
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(s) => SQLITE_MIGRATIONS.run(s.pool()).await?,
            Store::Postgres(p) => POSTGRES_MIGRATIONS.run(p).await?,
        }
        Ok(())
    }

    /// `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "sqlite",
            Store::Postgres(_) => "postgres",
        }
    }

    /// Starts a transaction.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Store::Sqlite(s) => {
                let guard = s.writer.clone().lock_owned().await;
                Tx::Sqlite(s.pool.begin_with("BEGIN IMMEDIATE").await?, guard)
            }
            Store::Postgres(p) => {
                // PostgreSQL only: ids are handed out in one order and committed in another.
                // Every writer holds this lock shared until it commits, and whoever reads the
                // latest ids as a mark of the data (see `Store::summary_mark`) takes it
                // exclusively first: then every id up to those read is committed.
                let mut tx = p.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock_shared($1)")
                    .bind(WRITERS_LOCK)
                    .execute(&mut *tx)
                    .await?;
                Tx::Postgres(tx)
            }
        })
    }

    /// Closes every connection.
    pub async fn close(&self) {
        with_pool!(self, p => p.close().await)
    }

    /// Writes a consistent copy of the database to `path` while it is in use (SQLite's
    /// `VACUUM INTO`). On PostgreSQL, use `pg_dump`.
    pub async fn backup(&self, path: &str) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(s) => {
                sqlx::query("VACUUM INTO $1")
                    .bind(path)
                    .execute(s.pool())
                    .await?;
                Ok(())
            }
            Store::Postgres(_) => Err(StoreError::Unsupported(
                "backup copies the SQLite database; for PostgreSQL use pg_dump",
            )),
        }
    }
}

impl Tx {
    /// Commits the transaction.
    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(t, _guard) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}

/// The advisory lock key of the scheduler's tick ("setad:tick").
const TICK_LOCK: i64 = 0x5e7a_d71c;

/// The advisory lock PostgreSQL writers hold shared (see [`Store::begin`]).
pub(crate) const WRITERS_LOCK: i64 = 0x5e7a_d7a1;

impl Store {
    /// Runs `work` holding the tick lock, or returns `None` if another process holds it.
    ///
    /// PostgreSQL only: a session advisory lock on a connection held for the duration, so a
    /// process that dies releases it with its connection. SQLite has one process per file; the
    /// work just runs.
    pub async fn with_tick_lock<T>(
        &self,
        work: impl std::future::Future<Output = Result<T, StoreError>>,
    ) -> Result<Option<T>, StoreError> {
        match self {
            Store::Sqlite(_) => work.await.map(Some),
            Store::Postgres(pool) => {
                let mut conn = pool.acquire().await?;
                let (locked,): (bool,) = sqlx::query_as("SELECT pg_try_advisory_lock($1)")
                    .bind(TICK_LOCK)
                    .fetch_one(&mut *conn)
                    .await?;
                if !locked {
                    return Ok(None);
                }
                let result = work.await;
                let unlocked = sqlx::query("SELECT pg_advisory_unlock($1)")
                    .bind(TICK_LOCK)
                    .execute(&mut *conn)
                    .await;
                if let Err(e) = unlocked {
                    // Closing the connection releases the lock.
                    tracing::warn!(error = %Chain(&e), "could not release the tick lock; closing its connection");
                    let _ = conn.detach();
                }
                result.map(Some)
            }
        }
    }
}

/// A lock held for as long as this value lives (PostgreSQL: a session advisory lock on a
/// connection kept out of the pool; SQLite: nothing to hold).
pub struct HeldLock {
    _conn: Option<sqlx::pool::PoolConnection<Postgres>>,
}

impl HeldLock {
    /// Whether the lock is still held: its connection answers (a lock whose connection broke
    /// was released by the server, and another process may hold it now).
    pub async fn alive(&mut self) -> bool {
        match &mut self._conn {
            None => true,
            Some(conn) => sqlx::query("SELECT 1").execute(&mut **conn).await.is_ok(),
        }
    }
}

impl Store {
    /// Takes the named lock if no other process holds it; `None` if one does. The lock is
    /// released when the returned value is dropped, or when the process dies.
    pub async fn try_hold_lock(&self, key: i64) -> Result<Option<HeldLock>, StoreError> {
        match self {
            Store::Sqlite(_) => Ok(Some(HeldLock { _conn: None })),
            Store::Postgres(pool) => {
                // PostgreSQL only: several processes share the database; one of them polls.
                let mut conn = pool.acquire().await?;
                let (locked,): (bool,) = sqlx::query_as("SELECT pg_try_advisory_lock($1)")
                    .bind(key)
                    .fetch_one(&mut *conn)
                    .await?;
                // The connection is closed rather than returned to the pool when dropped, which
                // releases a session lock.
                conn.close_on_drop();
                Ok(locked.then_some(HeldLock { _conn: Some(conn) }))
            }
        }
    }
}

/// The `VALUES` list of a multi-row statement: `rows` tuples of `columns` parameters each,
/// numbered on from `$1` (`($1, $2), ($3, $4)`). Bind the rows in order, column by column.
pub(super) fn values(rows: usize, columns: usize) -> String {
    let tuple = |row: usize| {
        let p: Vec<String> = (1..=columns)
            .map(|c| format!("${}", row * columns + c))
            .collect();
        format!("({})", p.join(", "))
    };
    let tuples: Vec<String> = (0..rows).map(tuple).collect();
    tuples.join(", ")
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

    use super::{Store, StoreError};
    use crate::domain::error::Chain;

    /// A migrated SQLite database in `dir`; its path.
    async fn database(dir: &tempfile::TempDir) -> std::path::PathBuf {
        let path = dir.path().join("setad.db");
        let store = Store::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        store.migrate().await.unwrap();
        store.close().await;
        path
    }

    const WRITE: &str =
        "INSERT INTO holiday (holiday_date, name, created_at) VALUES ('2026-01-01', 'x', 0)";

    /// What the driver said is in the error's message and in its chain, once.
    fn says(e: &StoreError, reason: &str) {
        let shown = e.to_string();
        assert!(shown.starts_with("database error: "), "{shown}");
        assert!(shown.contains(reason), "{shown}");
        let chain = Chain(e).to_string();
        assert_eq!(chain.matches(reason).count(), 1, "{chain}");
    }

    #[tokio::test]
    async fn a_readonly_database_is_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = database(&dir).await;
        let url = format!("sqlite://{}?mode=ro", path.display());
        let store = Store::connect(&url).await.unwrap();
        let e: StoreError = sqlx::query(WRITE)
            .execute(store.sqlite_pool().unwrap())
            .await
            .unwrap_err()
            .into();
        says(&e, "attempt to write a readonly database");
    }

    #[tokio::test]
    async fn a_locked_database_is_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = database(&dir).await;
        // Another process holds the write lock; this one does not wait for it.
        let options = || SqliteConnectOptions::new().filename(&path);
        let other = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options())
            .await
            .unwrap();
        let mut holding = other.begin_with("BEGIN IMMEDIATE").await.unwrap();
        sqlx::query(WRITE).execute(&mut *holding).await.unwrap();
        let impatient = SqlitePoolOptions::new()
            .connect_with(options().busy_timeout(Duration::ZERO))
            .await
            .unwrap();
        let e: StoreError = sqlx::query(WRITE)
            .execute(&impatient)
            .await
            .unwrap_err()
            .into();
        says(&e, "database is locked");
        holding.rollback().await.unwrap();
    }

    #[test]
    fn values_number_the_parameters_row_by_row() {
        assert_eq!(super::values(1, 1), "($1)");
        assert_eq!(super::values(2, 3), "($1, $2, $3), ($4, $5, $6)");
    }
}
