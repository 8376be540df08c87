//! Received updates (the inbox): stored before they are acknowledged, marked when handled.

use sqlx::AssertSqlSafe;

use crate::domain::member::Platform;

use super::{Store, StoreError, Tx, with_pool, with_tx};

/// An update to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUpdate {
    /// The messenger's update id.
    pub update_id: i64,
    /// The chat it concerns.
    pub chat_id: Option<i64>,
    /// The JSON as received.
    pub payload: String,
}

/// A stored update waiting to be handled.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InboxRow {
    /// Id.
    pub inbox_id: i64,
    /// The messenger's update id.
    pub update_id: i64,
    /// The chat.
    pub chat_id: Option<i64>,
    /// The JSON as received.
    pub payload: String,
    /// When it was stored (UTC milliseconds).
    pub received_at: i64,
}

impl Store {
    /// Stores updates of `platform`, skipping those already stored (a redelivery), atomically.
    /// Returns the rows that are new, in the order given. Once this returns, the messenger may
    /// be told they were received.
    pub async fn store_updates(
        &self,
        platform: Platform,
        updates: &[NewUpdate],
        now_ms: i64,
    ) -> Result<Vec<InboxRow>, StoreError> {
        // A batch of `getUpdates` (at most 100) is one statement, atomic without a transaction
        // around it; more (never from the messenger) go in a transaction.
        const ONE_STATEMENT: usize = 100;
        if updates.is_empty() {
            return Ok(Vec::new());
        }
        let mut ids: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
        if updates.len() <= ONE_STATEMENT {
            let sql = insert_updates(updates.len());
            let rows: Vec<(i64, i64)> = match self {
                Store::Sqlite(sqlite) => {
                    let _turn = sqlite.write_turn().await;
                    bind_updates(
                        sqlx::query_as(AssertSqlSafe(sql.as_str())),
                        platform.as_str(),
                        now_ms,
                        updates,
                    )
                    .fetch_all(sqlite.pool())
                    .await?
                }
                Store::Postgres(p) => {
                    bind_updates(
                        sqlx::query_as(AssertSqlSafe(sql.as_str())),
                        platform.as_str(),
                        now_ms,
                        updates,
                    )
                    .fetch_all(p)
                    .await?
                }
            };
            ids.extend(rows);
        } else {
            let mut tx = self.begin().await?;
            for chunk in updates.chunks(ONE_STATEMENT) {
                let sql = insert_updates(chunk.len());
                let rows: Vec<(i64, i64)> = with_tx!(&mut tx, c => {
                    bind_updates(sqlx::query_as(AssertSqlSafe(sql.as_str())), platform.as_str(), now_ms, chunk)
                        .fetch_all(&mut *c)
                        .await?
                });
                ids.extend(rows);
            }
            tx.commit().await?;
        }
        Ok(updates
            .iter()
            .filter_map(|u| {
                Some(InboxRow {
                    inbox_id: ids.remove(&u.update_id)?,
                    update_id: u.update_id,
                    chat_id: u.chat_id,
                    payload: u.payload.clone(),
                    received_at: now_ms,
                })
            })
            .collect())
    }

    /// The highest update id stored for `platform`.
    pub async fn last_update_id(&self, platform: Platform) -> Result<Option<i64>, StoreError> {
        let (id,): (Option<i64>,) = with_pool!(self, p => sqlx::query_as(
            "SELECT MAX(update_id) FROM inbox WHERE platform = $1",
        )
        .bind(platform.as_str())
        .fetch_one(p)
        .await?);
        Ok(id)
    }

    /// Up to `limit` unhandled updates of `platform` after `after` (an inbox id), oldest first.
    pub async fn unhandled(
        &self,
        platform: Platform,
        after: i64,
        limit: i64,
    ) -> Result<Vec<InboxRow>, StoreError> {
        let sql = "SELECT inbox_id, update_id, chat_id, payload, received_at FROM inbox \
                   WHERE platform = $1 AND state = 'new' AND inbox_id > $2 ORDER BY inbox_id LIMIT $3";
        Ok(
            with_pool!(self, p => sqlx::query_as(sql).bind(platform.as_str()).bind(after).bind(limit).fetch_all(p).await?),
        )
    }

    /// Deletes handled updates received before `before_ms` (they are kept a while for audit and
    /// to recognise replays).
    pub async fn prune_inbox(&self, before_ms: i64) -> Result<u64, StoreError> {
        let mut tx = self.begin().await?;
        let n = with_tx!(&mut tx, c => sqlx::query(
            "DELETE FROM inbox WHERE state <> 'new' AND received_at < $1 AND inbox_id NOT IN \
             (SELECT MAX(inbox_id) FROM inbox GROUP BY platform)",
        )
        .bind(before_ms)
        .execute(&mut *c)
        .await?
        .rows_affected());
        tx.commit().await?;
        Ok(n)
    }
}

impl Tx {
    /// Marks updates handled (`done`) in one statement per few hundred. Returns how many were
    /// still `new`: fewer than given means another worker handled some, and this transaction
    /// must be rolled back.
    pub async fn finish_updates(
        &mut self,
        inbox_ids: &[i64],
        now_ms: i64,
    ) -> Result<u64, StoreError> {
        let mut done = 0;
        for chunk in inbox_ids.chunks(super::outbox::CHUNK * 8) {
            let list: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "UPDATE inbox SET state = 'done', handled_at = $1 WHERE state = 'new' AND inbox_id IN ({})",
                list.join(", ")
            );
            done += with_tx!(self, c => {
                let mut q = sqlx::query(AssertSqlSafe(sql.as_str())).bind(now_ms);
                for id in chunk {
                    q = q.bind(id);
                }
                q.execute(&mut *c).await?.rows_affected()
            });
        }
        Ok(done)
    }

    /// Marks an update handled (`done`) or unreadable (`failed`, with the reason). Returns
    /// false when it was not `new` any more: another worker handled it, and this transaction
    /// must be rolled back.
    pub async fn finish_update(
        &mut self,
        inbox_id: i64,
        error: Option<&str>,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let state = if error.is_some() { "failed" } else { "done" };
        let n = with_tx!(self, c => sqlx::query(
            "UPDATE inbox SET state = $2, error = $3, handled_at = $4 WHERE inbox_id = $1 AND state = 'new'",
        )
        .bind(inbox_id).bind(state).bind(error).bind(now_ms)
        .execute(&mut *c).await?.rows_affected());
        Ok(n == 1)
    }
}

/// `INSERT` of `n` updates, returning (update id, inbox id) of those that were new.
fn insert_updates(n: usize) -> String {
    let values: Vec<String> = (0..n)
        .map(|i| {
            format!(
                "($1, ${}, ${}, ${}, 'new', $2)",
                3 * i + 3,
                3 * i + 4,
                3 * i + 5
            )
        })
        .collect();
    format!(
        "INSERT INTO inbox (platform, update_id, chat_id, payload, state, received_at) \
         VALUES {} ON CONFLICT (platform, update_id) DO NOTHING RETURNING update_id, inbox_id",
        values.join(", ")
    )
}

fn bind_updates<'q, DB: sqlx::Database>(
    mut q: sqlx::query::QueryAs<'q, DB, (i64, i64), <DB as sqlx::Database>::Arguments>,
    platform: &'q str,
    now_ms: i64,
    updates: &'q [NewUpdate],
) -> sqlx::query::QueryAs<'q, DB, (i64, i64), <DB as sqlx::Database>::Arguments>
where
    &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'q String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    q = q.bind(platform).bind(now_ms);
    for u in updates {
        q = q.bind(u.update_id).bind(u.chat_id).bind(&u.payload);
    }
    q
}
