//! Received updates (the inbox) and conversation state.

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
    /// Stores updates of `platform`, skipping those already stored (a redelivery), in one
    /// transaction. Returns the rows that are new, in the order given. Once this returns, the
    /// messenger may be told they were received.
    pub async fn store_updates(
        &self,
        platform: &str,
        updates: &[NewUpdate],
        now_ms: i64,
    ) -> Result<Vec<InboxRow>, StoreError> {
        if updates.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.begin().await?;
        let mut ids: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
        for chunk in updates.chunks(2 * super::outbox::CHUNK) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| {
                    format!(
                        "($1, ${}, ${}, ${}, 'new', $2)",
                        3 * i + 3,
                        3 * i + 4,
                        3 * i + 5
                    )
                })
                .collect();
            let sql = format!(
                "INSERT INTO inbox (platform, update_id, chat_id, payload, state, received_at) \
                 VALUES {} ON CONFLICT (platform, update_id) DO NOTHING RETURNING update_id, inbox_id",
                values.join(", ")
            );
            let rows: Vec<(i64, i64)> = with_tx!(&mut tx, c => {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(platform).bind(now_ms);
                for u in chunk {
                    q = q.bind(u.update_id).bind(u.chat_id).bind(&u.payload);
                }
                q.fetch_all(&mut *c).await?
            });
            ids.extend(rows);
        }
        tx.commit().await?;
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
    pub async fn last_update_id(&self, platform: &str) -> Result<Option<i64>, StoreError> {
        let (id,): (Option<i64>,) = with_pool!(self, p => sqlx::query_as(
            "SELECT MAX(update_id) FROM inbox WHERE platform = $1",
        )
        .bind(platform)
        .fetch_one(p)
        .await?);
        Ok(id)
    }

    /// Up to `limit` unhandled updates of `platform` after `after` (an inbox id), oldest first.
    pub async fn unhandled(
        &self,
        platform: &str,
        after: i64,
        limit: i64,
    ) -> Result<Vec<InboxRow>, StoreError> {
        let sql = "SELECT inbox_id, update_id, chat_id, payload, received_at FROM inbox \
                   WHERE platform = $1 AND state = 'new' AND inbox_id > $2 ORDER BY inbox_id LIMIT $3";
        Ok(
            with_pool!(self, p => sqlx::query_as(sql).bind(platform).bind(after).bind(limit).fetch_all(p).await?),
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

    /// Sets (or with `None` clears) a member's conversation state.
    pub async fn set_member_state(
        &mut self,
        member_id: i64,
        state: Option<&str>,
        now: i64,
    ) -> Result<(), StoreError> {
        with_tx!(self, c => match state {
            Some(s) => sqlx::query(
                "INSERT INTO member_state (member_id, state, updated_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (member_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
            )
            .bind(member_id).bind(s).bind(now)
            .execute(&mut *c).await.map(|_| ())?,
            None => sqlx::query("DELETE FROM member_state WHERE member_id = $1")
                .bind(member_id)
                .execute(&mut *c).await.map(|_| ())?,
        });
        Ok(())
    }
}
