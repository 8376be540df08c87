//! What `setad check` reads of the database without changing it: the migrations it has
//! applied (against those this binary embeds), whether it takes writes, and the send queue's
//! health. Nothing here migrates, and the write probe is rolled back.

use std::path::PathBuf;
use std::str::FromStr;

use sqlx::AssertSqlSafe;
use sqlx::sqlite::SqliteConnectOptions;

use super::{POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS, Store, StoreError, with_pool, with_tx};

/// A migration this binary carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownMigration {
    /// Its version (`0007` is 7).
    pub version: i64,
    /// Its description, from the file name (`membership`).
    pub description: String,
    /// sqlx's checksum of its SQL.
    pub checksum: Vec<u8>,
}

/// A migration the database records as applied.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AppliedMigration {
    /// Its version.
    pub version: i64,
    /// Whether it completed (`false`: it failed halfway).
    pub success: bool,
    /// The checksum of the SQL that was applied.
    pub checksum: Vec<u8>,
}

/// The send queue's health at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueHealth {
    /// Messages waiting to be sent.
    pub pending: i64,
    /// When the oldest of them was queued (UTC seconds).
    pub oldest_pending_at: Option<i64>,
    /// Messages claimed by a worker whose claim has lapsed (a worker that died).
    pub lapsed_claims: i64,
    /// Messages that failed for good in the last day.
    pub failed_last_day: i64,
    /// Messages given up because they were no longer useful (`state = 'expired'`), ever.
    pub given_up: i64,
}

/// The file of a `sqlite:` URL (`None` for another scheme or one that does not parse).
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    if !url.starts_with("sqlite:") {
        return None;
    }
    let options = SqliteConnectOptions::from_str(url).ok()?;
    Some(options.get_filename().to_path_buf())
}

impl Store {
    /// The migrations of this backend that this binary embeds, in order.
    pub fn known_migrations(&self) -> Vec<KnownMigration> {
        let migrator = match self {
            Store::Sqlite(_) => &SQLITE_MIGRATIONS,
            Store::Postgres(_) => &POSTGRES_MIGRATIONS,
        };
        migrator
            .iter()
            .filter(|m| !m.migration_type.is_down_migration())
            .map(|m| KnownMigration {
                version: m.version,
                description: m.description.to_string(),
                checksum: m.checksum.to_vec(),
            })
            .collect()
    }

    /// The migrations the database records, in order; none when it has never been migrated.
    /// Reads sqlx's table without creating it (as [`Store::migrate`] would).
    pub async fn applied_migrations(&self) -> Result<Vec<AppliedMigration>, StoreError> {
        let table = SQLITE_MIGRATIONS.table_name.as_ref();
        let (exists,): (i64,) = match self {
            Store::Sqlite(s) => {
                sqlx::query_as(
                    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1",
                )
                .bind(table)
                .fetch_one(s.pool())
                .await?
            }
            Store::Postgres(p) => {
                sqlx::query_as(
                    "SELECT COUNT(*) FROM information_schema.tables \
                     WHERE table_schema = current_schema() AND table_name = $1",
                )
                .bind(table)
                .fetch_one(p)
                .await?
            }
        };
        if exists == 0 {
            return Ok(Vec::new());
        }
        let sql = format!("SELECT version, success, checksum FROM {table} ORDER BY version");
        Ok(with_pool!(self, p => sqlx::query_as(AssertSqlSafe(sql)).fetch_all(p).await?))
    }

    /// Whether the database takes writes: creates a table in a transaction that is rolled
    /// back, so nothing is left (a read-only SQLite file or a PostgreSQL standby refuses).
    pub async fn probe_write(&self) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        with_tx!(&mut tx, c => sqlx::query("CREATE TABLE setad_write_probe (x INTEGER)")
            .execute(&mut *c)
            .await
            .map(|_| ())?);
        // Dropped without a commit: rolled back.
        drop(tx);
        Ok(())
    }

    /// The send queue's health at `now` (UTC seconds). One pass over the queue: `setad check`
    /// runs rarely, so a scan is cheaper than an index every send would have to maintain.
    pub async fn queue_health(&self, now: i64) -> Result<QueueHealth, StoreError> {
        let sql = "SELECT \
                     COUNT(CASE WHEN state = 'pending' THEN 1 END), \
                     MIN(CASE WHEN state = 'pending' THEN created_at END), \
                     COUNT(CASE WHEN state = 'sending' AND claimed_until < $1 THEN 1 END), \
                     COUNT(CASE WHEN state = 'failed' AND updated_at >= $2 THEN 1 END), \
                     COUNT(CASE WHEN state = 'expired' THEN 1 END) \
                   FROM outbox";
        let (pending, oldest_pending_at, lapsed_claims, failed_last_day, given_up): (
            i64,
            Option<i64>,
            i64,
            i64,
            i64,
        ) = with_pool!(self, p => sqlx::query_as(sql)
            .bind(now * 1000)
            .bind(now - 24 * 3600)
            .fetch_one(p)
            .await?);
        Ok(QueueHealth {
            pending,
            oldest_pending_at,
            lapsed_claims,
            failed_last_day,
            given_up,
        })
    }
}
