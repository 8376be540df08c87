//! The send queue: enqueueing, claiming, and recording outcomes; and the messages about
//! occurrences a chat was sent (what a reply answers).

use sqlx::AssertSqlSafe;

use crate::domain::member::Platform;
use crate::domain::notice::MessageKind;

use super::{Store, StoreError, with_pool, with_tx};

/// A message to enqueue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// Unique key: the same key is never enqueued twice.
    pub dedup_key: String,
    /// The platform.
    pub platform: Platform,
    /// The chat.
    pub chat_id: i64,
    /// The recipient member, if any.
    pub member_id: Option<i64>,
    /// The kind (which also sets its priority in the queue).
    pub kind: MessageKind,
    /// The occurrence a reply to it reports on.
    pub occurrence_id: Option<i64>,
    /// The report it confirms: a reply to it fills that report.
    pub report_id: Option<i64>,
    /// The text.
    pub body: String,
    /// UTC milliseconds before which it is not sent.
    pub not_before: i64,
    /// UTC milliseconds after which it is no longer worth sending: given up if still unsent
    /// ([`crate::domain::notice::useful_until`]).
    pub expires_at: i64,
    /// Fell due too long ago to be sent: recorded as `missed`, never sent.
    pub missed: bool,
    /// Buttons and the message replied to ([`Payload`] as JSON).
    pub payload: Option<String>,
}

/// What a queued message carries besides its text.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Payload {
    /// The message it answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<i64>,
    /// Inline buttons: rows of (label, callback data).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buttons: Vec<Vec<(String, String)>>,
}

impl Payload {
    /// The JSON stored in `outbox.payload` (`None` when empty).
    pub fn to_json(&self) -> Option<String> {
        (self != &Payload::default()).then(|| serde_json::to_string(self).unwrap_or_default())
    }
}

/// A claimed message, ready to send.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Claimed {
    /// Id.
    pub outbox_id: i64,
    /// The chat.
    pub chat_id: i64,
    /// The recipient member.
    pub member_id: Option<i64>,
    /// The kind.
    pub kind: MessageKind,
    /// The text.
    pub body: String,
    /// Attempts so far.
    pub attempts: i64,
    /// [`Payload`] as JSON.
    pub payload: Option<String>,
    /// UTC milliseconds after which it is given up rather than sent (`None`: never).
    pub expires_at: Option<i64>,
}

/// The columns a claim returns, in [`Claimed`]'s order.
const CLAIMED: &str = "outbox_id, chat_id, member_id, kind, body, attempts, payload, expires_at";

/// What became of one send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Delivered (the message id when the answer could be read).
    Sent {
        /// The row.
        outbox_id: i64,
        /// The messenger's message id.
        message_id: Option<i64>,
        /// UTC milliseconds.
        sent_at: i64,
    },
    /// Not delivered; try again at `not_before`.
    Retry {
        /// The row.
        outbox_id: i64,
        /// UTC milliseconds.
        not_before: i64,
        /// Why.
        error: String,
        /// Whether this counts as an attempt (a 429 does not).
        counts: bool,
    },
    /// Will never be delivered.
    Failed {
        /// The row.
        outbox_id: i64,
        /// Why.
        error: String,
    },
    /// No longer worth sending: given up (state `expired`).
    GivenUp {
        /// The row.
        outbox_id: i64,
    },
}

/// Counts of the queue by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueCounts {
    /// Waiting.
    pub pending: i64,
    /// Claimed by a worker.
    pub sending: i64,
    /// Delivered.
    pub sent: i64,
    /// Given up.
    pub failed: i64,
    /// Fell due too long ago; not sent.
    pub missed: i64,
    /// Given up: still unsent when it was no longer useful.
    pub expired: i64,
}

/// Rows per multi-row statement. Small on purpose: SQLite finds each `$N` parameter by a
/// linear search of the statement's parameter names (`sqlite3_bind_parameter_name`), so binding
/// a statement of P parameters costs P²; at 400 rows (4,800 parameters) that search took a
/// third of the fan-out's CPU. At 32 rows it costs about what the statement itself costs.
pub(super) const CHUNK: usize = 32;

/// Enqueues `messages` in `tx` (see [`Store::enqueue`]).
pub(super) async fn enqueue_in(
    tx: &mut super::Tx,
    messages: &[NewMessage],
    now: i64,
) -> Result<u64, StoreError> {
    let mut added = 0;
    for chunk in messages.chunks(CHUNK) {
        let sql = insert_messages(chunk.len(), "");
        added += with_tx!(tx, c => bind_messages(sqlx::query(AssertSqlSafe(sql.as_str())), chunk, now, None)
            .execute(&mut *c).await?.rows_affected());
    }
    Ok(added)
}

/// Enqueues `messages` in `tx` already claimed by `worker` until `until_ms`, for a worker that
/// is handed them after the commit (the services' `notify::Direct`). Returns the rows added
/// (those whose key was already queued are skipped).
pub(super) async fn enqueue_claimed_in(
    tx: &mut super::Tx,
    messages: &[NewMessage],
    now: i64,
    worker: &str,
    until_ms: i64,
) -> Result<Vec<Claimed>, StoreError> {
    use sqlx::FromRow;
    let mut added = Vec::with_capacity(messages.len());
    for chunk in messages.chunks(CHUNK) {
        let sql = insert_messages(chunk.len(), &format!(" RETURNING {CLAIMED}"));
        let claim = Some((worker, until_ms));
        let rows: Vec<Claimed> = with_tx!(tx, c => {
            let q = bind_messages(sqlx::query(AssertSqlSafe(sql.as_str())), chunk, now, claim);
            q.fetch_all(&mut *c).await?.iter().map(Claimed::from_row).collect::<Result<_, _>>()?
        });
        added.extend(rows);
    }
    added.sort_by_key(|r| r.outbox_id);
    Ok(added)
}

/// `INSERT` of `n` messages: `$1` the time, `$2` and `$3` the claim (worker, until; NULL for
/// none), then thirteen parameters a message ([`bind_messages`]); a key already queued is
/// skipped.
fn insert_messages(n: usize, returning: &str) -> String {
    let values: Vec<String> = (0..n)
        .map(|i| {
            let p: Vec<String> = (0..13).map(|k| format!("${}", 4 + i * 13 + k)).collect();
            format!(
                "({}, 0, {}, $1, $1, $2, $3, {}, {})",
                p[..10].join(", "),
                p[10],
                p[11],
                p[12]
            )
        })
        .collect();
    format!(
        "INSERT INTO outbox (dedup_key, platform, chat_id, member_id, kind, occurrence_id, body, \
         priority, state, payload, attempts, not_before, created_at, updated_at, claimed_by, \
         claimed_until, expires_at, report_id) VALUES {} ON CONFLICT (dedup_key) DO NOTHING{returning}",
        values.join(", ")
    )
}

/// Binds the parameters of [`insert_messages`]; claimed messages are `sending`.
fn bind_messages<'q, DB: sqlx::Database>(
    mut q: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>,
    messages: &'q [NewMessage],
    now: i64,
    claim: Option<(&'q str, i64)>,
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>
where
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<&'q str>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'q String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'q Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    q = q
        .bind(now)
        .bind(claim.map(|c| c.0))
        .bind(claim.map(|c| c.1));
    for m in messages {
        let state = match (claim.is_some(), m.missed) {
            (true, _) => "sending",
            (false, true) => "missed",
            (false, false) => "pending",
        };
        q = q
            .bind(&m.dedup_key)
            .bind(m.platform.as_str())
            .bind(m.chat_id)
            .bind(m.member_id)
            .bind(m.kind.as_str())
            .bind(m.occurrence_id)
            .bind(&m.body)
            .bind(m.kind.priority())
            .bind(state)
            .bind(&m.payload)
            .bind(m.not_before)
            .bind(m.expires_at)
            .bind(m.report_id);
    }
    q
}

impl Store {
    /// Enqueues `messages`, skipping those whose key is already queued. Returns how many were
    /// added.
    pub async fn enqueue(&self, messages: &[NewMessage], now: i64) -> Result<u64, StoreError> {
        let mut tx = self.begin().await?;
        let added = enqueue_in(&mut tx, messages, now).await?;
        tx.commit().await?;
        Ok(added)
    }

    /// Claims up to `limit` pending messages of `platform` that are due at `now_ms`, for
    /// `worker`, until `now_ms + lease_ms`. Lower priority first, then oldest.
    pub async fn claim(
        &self,
        platform: Platform,
        worker: &str,
        now_ms: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<Claimed>, StoreError> {
        self.claim_rows(platform, worker, Some(now_ms), now_ms + lease_ms, limit)
            .await
    }

    /// Claims up to `limit` waiting messages of `platform` whatever their times (due later,
    /// or no longer useful), for `worker`: what an operator's tool or a test looks at.
    pub async fn claim_waiting(
        &self,
        platform: Platform,
        worker: &str,
        limit: i64,
    ) -> Result<Vec<Claimed>, StoreError> {
        self.claim_rows(platform, worker, None, i64::MAX / 2, limit)
            .await
    }

    /// [`Store::claim`], due at `now_ms` or (`None`) whatever the times.
    async fn claim_rows(
        &self,
        platform: Platform,
        worker: &str,
        now_ms: Option<i64>,
        until_ms: i64,
        limit: i64,
    ) -> Result<Vec<Claimed>, StoreError> {
        let due = match now_ms {
            Some(_) => "AND not_before <= $5 AND (expires_at IS NULL OR expires_at > $5)",
            None => "",
        };
        // PostgreSQL only: several `setad run` processes share the queue. SKIP LOCKED lets
        // each claim rows the others are not claiming at that moment, without waiting; the
        // state change makes the claim visible to later claims. On SQLite one writer at a
        // time makes the UPDATE atomic: no row can be claimed twice.
        let lock = match self {
            Store::Sqlite(_) => "",
            Store::Postgres(_) => " FOR UPDATE SKIP LOCKED",
        };
        let sql = format!(
            "UPDATE outbox SET state = 'sending', claimed_by = $1, claimed_until = $2 \
             WHERE outbox_id IN (SELECT outbox_id FROM outbox \
               WHERE platform = $3 AND state = 'pending' {due} \
               ORDER BY priority, outbox_id LIMIT $4{lock}) RETURNING {CLAIMED}"
        );
        let mut rows: Vec<Claimed> = match self {
            Store::Sqlite(sqlite) => {
                let _turn = sqlite.write_turn().await;
                let mut q = sqlx::query_as(AssertSqlSafe(sql))
                    .bind(worker)
                    .bind(until_ms)
                    .bind(platform.as_str())
                    .bind(limit);
                if let Some(now) = now_ms {
                    q = q.bind(now);
                }
                q.fetch_all(sqlite.pool()).await?
            }
            Store::Postgres(p) => {
                let mut q = sqlx::query_as(AssertSqlSafe(sql))
                    .bind(worker)
                    .bind(until_ms)
                    .bind(platform.as_str())
                    .bind(limit);
                if let Some(now) = now_ms {
                    q = q.bind(now);
                }
                q.fetch_all(p).await?
            }
        };
        rows.sort_by_key(|r| r.outbox_id);
        Ok(rows)
    }

    /// `UPDATE` of `n` deliveries: `$1` the time, then (outbox id, message id, sent at) each.
    fn delivered_sql(&self, n: usize) -> String {
        let cast = |n: usize| match self {
            Store::Sqlite(_) => format!("${n}"),
            Store::Postgres(_) => format!("CAST(${n} AS BIGINT)"),
        };
        let rows: Vec<String> = (0..n)
            .map(|i| {
                format!(
                    "({}, {}, {})",
                    cast(i * 3 + 2),
                    cast(i * 3 + 3),
                    cast(i * 3 + 4)
                )
            })
            .collect();
        format!(
            "UPDATE outbox SET state = 'sent', message_id = v.column2, sent_at = v.column3, \
             attempts = attempts + 1, claimed_by = NULL, claimed_until = NULL, updated_at = $1 \
             FROM (VALUES {}) AS v WHERE outbox.outbox_id = v.column1",
            rows.join(", ")
        )
    }

    /// Records the outcomes of sends, atomically.
    pub async fn record(&self, outcomes: &[Outcome], now: i64) -> Result<(), StoreError> {
        if outcomes.is_empty() {
            return Ok(());
        }
        let retry = "UPDATE outbox SET state = 'pending', not_before = $2, last_error = $3, \
                     attempts = attempts + $4, claimed_by = NULL, claimed_until = NULL, updated_at = $5 \
                     WHERE outbox_id = $1";
        let failed = "UPDATE outbox SET state = 'failed', last_error = $2, attempts = attempts + 1, \
                      claimed_by = NULL, claimed_until = NULL, updated_at = $3 WHERE outbox_id = $1";
        let given_up = "UPDATE outbox SET state = 'expired', claimed_by = NULL, claimed_until = NULL, \
                        updated_at = $2 WHERE outbox_id = $1";
        // Deliveries, the bulk, in one statement per chunk: UPDATE … FROM (VALUES …), which
        // both databases accept (their VALUES columns are both named column1, column2, …).
        let delivered: Vec<(i64, Option<i64>, i64)> = outcomes
            .iter()
            .filter_map(|o| match o {
                Outcome::Sent {
                    outbox_id,
                    message_id,
                    sent_at,
                } => Some((*outbox_id, *message_id, *sent_at)),
                _ => None,
            })
            .collect();
        if delivered.len() == outcomes.len() && delivered.len() <= 3 * CHUNK {
            // The usual batch, deliveries only: one statement, atomic without a transaction.
            let sql = self.delivered_sql(delivered.len());
            match self {
                Store::Sqlite(sqlite) => {
                    let _turn = sqlite.write_turn().await;
                    let mut q = sqlx::query(AssertSqlSafe(sql.as_str())).bind(now);
                    for (id, message_id, sent_at) in &delivered {
                        q = q.bind(*id).bind(*message_id).bind(*sent_at);
                    }
                    q.execute(sqlite.pool()).await?;
                }
                Store::Postgres(p) => {
                    let mut q = sqlx::query(AssertSqlSafe(sql.as_str())).bind(now);
                    for (id, message_id, sent_at) in &delivered {
                        q = q.bind(*id).bind(*message_id).bind(*sent_at);
                    }
                    q.execute(p).await?;
                }
            }
            return Ok(());
        }
        let mut tx = self.begin().await?;
        for chunk in delivered.chunks(3 * CHUNK) {
            let sql = self.delivered_sql(chunk.len());
            with_tx!(&mut tx, c => {
                let mut q = sqlx::query(AssertSqlSafe(sql.as_str())).bind(now);
                for (id, message_id, sent_at) in chunk {
                    q = q.bind(id).bind(message_id).bind(sent_at);
                }
                q.execute(&mut *c).await.map(|_| ())?
            });
        }
        for o in outcomes {
            with_tx!(&mut tx, c => match o {
                Outcome::Sent { .. } => {}
                Outcome::Retry { outbox_id, not_before, error, counts } => sqlx::query(retry)
                    .bind(outbox_id).bind(not_before).bind(error).bind(i64::from(*counts)).bind(now)
                    .execute(&mut *c).await.map(|_| ())?,
                Outcome::Failed { outbox_id, error } => sqlx::query(failed)
                    .bind(outbox_id).bind(error).bind(now)
                    .execute(&mut *c).await.map(|_| ())?,
                Outcome::GivenUp { outbox_id } => sqlx::query(given_up)
                    .bind(outbox_id).bind(now)
                    .execute(&mut *c).await.map(|_| ())?,
            });
        }
        tx.commit().await?;
        Ok(())
    }

    /// Returns claimed messages to the queue: those of `worker` (a worker that stops), or with
    /// `worker = None` every claim that lapsed before `now_ms` (a worker that died). Returns how
    /// many were released.
    pub async fn release_claims(
        &self,
        worker: Option<&str>,
        now_ms: i64,
    ) -> Result<u64, StoreError> {
        let mut tx = self.begin().await?;
        let n = with_tx!(&mut tx, c => match worker {
            Some(w) => sqlx::query(
                "UPDATE outbox SET state = 'pending', claimed_by = NULL, claimed_until = NULL \
                 WHERE state = 'sending' AND claimed_by = $1",
            )
            .bind(w)
            .execute(&mut *c)
            .await?
            .rows_affected(),
            None => sqlx::query(
                "UPDATE outbox SET state = 'pending', claimed_by = NULL, claimed_until = NULL \
                 WHERE state = 'sending' AND claimed_until < $1",
            )
            .bind(now_ms)
            .execute(&mut *c)
            .await?
            .rows_affected(),
        });
        tx.commit().await?;
        Ok(n)
    }

    /// Returns every claim to the queue (at the start of a process that is the only one on its
    /// database, i.e. on SQLite).
    pub async fn release_all_claims(&self) -> Result<u64, StoreError> {
        let mut tx = self.begin().await?;
        let n = with_tx!(&mut tx, c => sqlx::query(
            "UPDATE outbox SET state = 'pending', claimed_by = NULL, claimed_until = NULL WHERE state = 'sending'",
        )
        .execute(&mut *c)
        .await?
        .rows_affected());
        tx.commit().await?;
        Ok(n)
    }

    /// The queue's counts by state.
    pub async fn queue_counts(&self) -> Result<QueueCounts, StoreError> {
        let rows: Vec<(String, i64)> = with_pool!(self, p => sqlx::query_as(
            "SELECT state, COUNT(*) FROM outbox GROUP BY state",
        )
        .fetch_all(p)
        .await?);
        let mut c = QueueCounts::default();
        for (state, n) in rows {
            match state.as_str() {
                "pending" => c.pending = n,
                "sending" => c.sending = n,
                "sent" => c.sent = n,
                "failed" => c.failed = n,
                "missed" => c.missed = n,
                "expired" => c.expired = n,
                _ => {}
            }
        }
        Ok(c)
    }

    /// Whether a message with this key was ever enqueued.
    pub async fn is_enqueued(&self, dedup_key: &str) -> Result<bool, StoreError> {
        let (n,): (i64,) = with_pool!(self, p => sqlx::query_as(
            "SELECT COUNT(*) FROM outbox WHERE dedup_key = $1",
        )
        .bind(dedup_key)
        .fetch_one(p)
        .await?);
        Ok(n > 0)
    }
}

impl Store {
    /// Extends the claims of `worker` to `until_ms` (a worker renews while it holds messages).
    pub async fn renew_claims(&self, worker: &str, until_ms: i64) -> Result<u64, StoreError> {
        let mut tx = self.begin().await?;
        let n = with_tx!(&mut tx, c => sqlx::query(
            "UPDATE outbox SET claimed_until = $2 WHERE state = 'sending' AND claimed_by = $1",
        )
        .bind(worker)
        .bind(until_ms)
        .execute(&mut *c)
        .await?
        .rows_affected());
        tx.commit().await?;
        Ok(n)
    }
}

impl Store {
    /// The latest messages about occurrences sent to a chat: (occurrence, text as queued).
    pub async fn recent_notices(
        &self,
        platform: Platform,
        chat_id: i64,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        Ok(with_pool!(self, p => sqlx::query_as(
            "SELECT occurrence_id, body FROM outbox WHERE platform = $1 AND chat_id = $2 \
             AND occurrence_id IS NOT NULL ORDER BY outbox_id DESC LIMIT 50",
        )
        .bind(platform.as_str()).bind(chat_id).fetch_all(p).await?))
    }

    /// The latest confirmations of reports sent to a chat: (report, text as queued).
    pub async fn recent_confirmations(
        &self,
        platform: Platform,
        chat_id: i64,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        Ok(with_pool!(self, p => sqlx::query_as(
            "SELECT report_id, body FROM outbox WHERE platform = $1 AND chat_id = $2 \
             AND report_id IS NOT NULL ORDER BY outbox_id DESC LIMIT 20",
        )
        .bind(platform.as_str()).bind(chat_id).fetch_all(p).await?))
    }
}

impl super::Tx {
    /// Enqueues messages inside this transaction (replies to the update being handled).
    pub async fn enqueue(&mut self, messages: &[NewMessage], now: i64) -> Result<u64, StoreError> {
        enqueue_in(self, messages, now).await
    }

    /// Enqueues messages inside this transaction already claimed by `worker` until `until_ms`
    /// (replies handed straight to the send worker after the commit).
    pub async fn enqueue_claimed(
        &mut self,
        messages: &[NewMessage],
        now: i64,
        worker: &str,
        until_ms: i64,
    ) -> Result<Vec<Claimed>, StoreError> {
        enqueue_claimed_in(self, messages, now, worker, until_ms).await
    }
}
