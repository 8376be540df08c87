//! The audit trail, and the mark of the data that summaries are kept by.

use super::{Store, StoreError, Tx, with_pool, with_tx};

/// A row of `audit`, to insert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry<'a> {
    /// Who.
    pub actor: &'a str,
    /// Did what.
    pub action: &'a str,
    /// To which table.
    pub entity: &'a str,
    /// To which row.
    pub entity_key: &'a str,
    /// JSON detail.
    pub detail: String,
}

/// See [`Store::summary_mark`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SummaryMark {
    /// The latest report revision.
    pub revision: i64,
    /// The latest occurrence.
    pub occurrence: i64,
    /// The latest audit entry.
    pub audit: i64,
}

impl Store {
    /// What a summary depends on, read in one cheap query (each part is the largest key of
    /// a table that only grows): the latest report revision (every report and correction adds
    /// one), the latest occurrence, and the latest audit entry (every import writes some).
    pub async fn summary_mark(&self) -> Result<SummaryMark, StoreError> {
        let sql = "SELECT COALESCE((SELECT MAX(report_revision_id) FROM report_revision), 0), \
                   COALESCE((SELECT MAX(occurrence_id) FROM occurrence), 0), \
                   COALESCE((SELECT MAX(audit_id) FROM audit), 0)";
        let (revision, occurrence, audit): (i64, i64, i64) = match self {
            Store::Sqlite(s) => sqlx::query_as(sql).fetch_one(s.pool()).await?,
            Store::Postgres(p) => {
                // PostgreSQL only: wait for the writers in flight (they hold WRITERS_LOCK
                // shared), so that no lower id is still to be committed after this read.
                let mut tx = p.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(super::WRITERS_LOCK)
                    .execute(&mut *tx)
                    .await?;
                let mark = sqlx::query_as(sql).fetch_one(&mut *tx).await?;
                tx.commit().await?;
                mark
            }
        };
        Ok(SummaryMark {
            revision,
            occurrence,
            audit,
        })
    }

    /// The schema's tables.
    pub const TABLES: [&'static str; 15] = [
        "inbox",
        "member_state",
        "outbox",
        "unit",
        "obligation",
        "assignment",
        "holiday",
        "member",
        "invite",
        "occurrence",
        "report",
        "report_revision",
        "audit",
        "draft",
        "meeting",
    ];

    /// How many rows `table` has (for tests and the operator's sanity checks). `table` must be
    /// one of the schema's tables.
    pub async fn count(&self, table: &str) -> Result<i64, StoreError> {
        let table = Self::TABLES
            .into_iter()
            .find(|t| *t == table)
            .ok_or(StoreError::Unsupported("unknown table"))?;
        let sql = format!("SELECT COUNT(*) FROM {table}");
        let (n,): (i64,) = with_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).fetch_one(p).await?);
        Ok(n)
    }
}

impl Store {
    /// The audit trail of one row (`entity`, `entity_key`), oldest first: who did what, with
    /// its JSON detail.
    pub async fn audit_of(
        &self,
        entity: &str,
        entity_key: &str,
    ) -> Result<Vec<(String, String, String)>, StoreError> {
        Ok(with_pool!(self, p => sqlx::query_as(
            "SELECT actor, action, detail FROM audit WHERE entity = $1 AND entity_key = $2 \
             ORDER BY audit_id",
        )
        .bind(entity).bind(entity_key).fetch_all(p).await?))
    }
}

impl Tx {
    /// Appends to the audit trail.
    pub async fn audit(&mut self, entry: &AuditEntry<'_>, now: i64) -> Result<(), StoreError> {
        self.audit_all(std::slice::from_ref(entry), now).await
    }

    /// Appends entries to the audit trail in their order, several to a statement.
    pub async fn audit_all(
        &mut self,
        entries: &[AuditEntry<'_>],
        now: i64,
    ) -> Result<(), StoreError> {
        for chunk in entries.chunks(super::outbox::CHUNK) {
            let sql = format!(
                "INSERT INTO audit (at, actor, action, entity, entity_key, detail) VALUES {}",
                super::values(chunk.len(), 6)
            );
            with_tx!(self, c => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
                for e in chunk {
                    q = q.bind(now).bind(e.actor).bind(e.action).bind(e.entity)
                        .bind(e.entity_key).bind(&e.detail);
                }
                q.execute(&mut *c).await.map(|_| ())?
            });
        }
        Ok(())
    }
}
