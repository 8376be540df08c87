//! The send queue: enqueueing, claiming, and recording outcomes; and the queries the scheduler's
//! tick uses to find what fell due.

use sqlx::AssertSqlSafe;

use super::{Store, StoreError, with_pool, with_tx};

/// A message to enqueue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// Unique key: the same key is never enqueued twice.
    pub dedup_key: String,
    /// `telegram` or `bale`.
    pub platform: String,
    /// The chat.
    pub chat_id: i64,
    /// The recipient member, if any.
    pub member_id: Option<i64>,
    /// `remind`, `nudge`, `escalate`, `alert`, `digest` or `notice`.
    pub kind: String,
    /// The occurrence a reply to it reports on.
    pub occurrence_id: Option<i64>,
    /// The text.
    pub body: String,
    /// Lower is sent first.
    pub priority: i64,
    /// UTC milliseconds before which it is not sent.
    pub not_before: i64,
    /// `pending`, or `missed` for what fell due too long ago to be sent.
    pub state: &'static str,
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
    pub kind: String,
    /// The text.
    pub body: String,
    /// Attempts so far.
    pub attempts: i64,
    /// [`Payload`] as JSON.
    pub payload: Option<String>,
}

impl Claimed {
    /// The message to send.
    pub fn outgoing(&self) -> crate::platform::Outgoing {
        let payload: Payload = self
            .payload
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok())
            .unwrap_or_default();
        crate::platform::Outgoing {
            chat_id: self.chat_id,
            text: self.body.clone(),
            reply_to: payload.reply_to,
            buttons: payload.buttons,
        }
    }
}

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
}

/// A reminder or nudge that fell due: one occurrence and one recipient member.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DueNotice {
    /// The occurrence.
    pub occurrence_id: i64,
    /// Its period code.
    pub period: i64,
    /// When the notice fell due (UTC seconds).
    pub due_notice_at: i64,
    /// The occurrence's due time (UTC seconds).
    pub due_at: i64,
    /// The obligation.
    pub obligation_id: i64,
    /// The unit.
    pub unit_id: i64,
    /// The member.
    pub member_id: i64,
    /// The member's platform.
    pub platform: String,
    /// The member's chat.
    pub chat_id: i64,
    /// The member's language.
    pub lang: String,
}

/// An occurrence still open after its escalation time.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Overdue {
    /// The occurrence.
    pub occurrence_id: i64,
    /// Its period code.
    pub period: i64,
    /// The obligation.
    pub obligation_id: i64,
    /// The unit.
    pub unit_id: i64,
    /// Its due time (UTC seconds).
    pub due_at: i64,
    /// Its escalation time (UTC seconds).
    pub escalate_at: i64,
}

/// A member, as the tick and the sender need it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MemberRow {
    /// Id.
    pub member_id: i64,
    /// Platform.
    pub platform: String,
    /// Platform user id.
    pub user_id: i64,
    /// Chat.
    pub chat_id: i64,
    /// Unit.
    pub unit_id: i64,
    /// Role.
    pub role: String,
    /// Name.
    pub display_name: String,
    /// Language.
    pub lang: String,
    /// Reachable.
    pub reachable: bool,
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
}

const MEMBER_COLUMNS: &str =
    "member_id, platform, user_id, chat_id, unit_id, role, display_name, lang, reachable";

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
/// is handed them after the commit (see [`crate::sender::Direct`]). Returns the rows added
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
        let sql = insert_messages(
            chunk.len(),
            " RETURNING outbox_id, chat_id, member_id, kind, body, attempts, payload",
        );
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
/// none), then eleven parameters a message ([`bind_messages`]); a key already queued is
/// skipped.
fn insert_messages(n: usize, returning: &str) -> String {
    let values: Vec<String> = (0..n)
        .map(|i| {
            let p: Vec<String> = (0..11).map(|k| format!("${}", 4 + i * 11 + k)).collect();
            format!("({}, 0, {}, $1, $1, $2, $3)", p[..10].join(", "), p[10])
        })
        .collect();
    format!(
        "INSERT INTO outbox (dedup_key, platform, chat_id, member_id, kind, occurrence_id, body, \
         priority, state, payload, attempts, not_before, created_at, updated_at, claimed_by, \
         claimed_until) VALUES {} ON CONFLICT (dedup_key) DO NOTHING{returning}",
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
        let state = if claim.is_some() { "sending" } else { m.state };
        q = q
            .bind(&m.dedup_key)
            .bind(&m.platform)
            .bind(m.chat_id)
            .bind(m.member_id)
            .bind(&m.kind)
            .bind(m.occurrence_id)
            .bind(&m.body)
            .bind(m.priority)
            .bind(state)
            .bind(&m.payload)
            .bind(m.not_before);
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
        platform: &str,
        worker: &str,
        now_ms: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<Claimed>, StoreError> {
        let returning = "RETURNING outbox_id, chat_id, member_id, kind, body, attempts, payload";
        Ok(match self {
            Store::Sqlite(sqlite) => {
                // One writer at a time: the UPDATE is atomic, no row can be claimed twice.
                let _turn = sqlite.write_turn().await;
                let p = sqlite.pool();
                let sql = format!(
                    "UPDATE outbox SET state = 'sending', claimed_by = $1, claimed_until = $2 \
                     WHERE outbox_id IN (SELECT outbox_id FROM outbox \
                       WHERE platform = $3 AND state = 'pending' AND not_before <= $4 \
                       ORDER BY priority, outbox_id LIMIT $5) {returning}"
                );
                let mut rows: Vec<Claimed> = sqlx::query_as(AssertSqlSafe(sql))
                    .bind(worker)
                    .bind(now_ms + lease_ms)
                    .bind(platform)
                    .bind(now_ms)
                    .bind(limit)
                    .fetch_all(p)
                    .await?;
                rows.sort_by_key(|r| r.outbox_id);
                rows
            }
            Store::Postgres(p) => {
                // PostgreSQL only: several `setad run` processes share the queue. SKIP LOCKED
                // lets each claim rows the others are not claiming at that moment, without
                // waiting; the state change makes the claim visible to later claims.
                let sql = format!(
                    "UPDATE outbox SET state = 'sending', claimed_by = $1, claimed_until = $2 \
                     WHERE outbox_id IN (SELECT outbox_id FROM outbox \
                       WHERE platform = $3 AND state = 'pending' AND not_before <= $4 \
                       ORDER BY priority, outbox_id LIMIT $5 FOR UPDATE SKIP LOCKED) {returning}"
                );
                let mut rows: Vec<Claimed> = sqlx::query_as(AssertSqlSafe(sql))
                    .bind(worker)
                    .bind(now_ms + lease_ms)
                    .bind(platform)
                    .bind(now_ms)
                    .bind(limit)
                    .fetch_all(p)
                    .await?;
                rows.sort_by_key(|r| r.outbox_id);
                rows
            }
        })
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
                _ => {}
            }
        }
        Ok(c)
    }

    /// The reminders (`kind = "remind"`, comparing `remind_at`) or nudges (`"nudge"`, comparing
    /// `nudge_at`, open occurrences only) that fell due by `now` in periods from `from_period`
    /// and have not been enqueued for the recipient: every reachable reporting member
    /// (governor or agency) of the assigned unit. Occurrences the bot learnt of only after
    /// their due time (a month before the bot was installed) are left alone.
    ///
    /// In pages of `limit`, in (occurrence, member) order from after `after` (`(0, 0)` for the
    /// first page): each page reads on from where the last one ended.
    pub async fn due_notices(
        &self,
        kind: &str,
        (from_period, now): (i64, i64),
        after: (i64, i64),
        limit: i64,
    ) -> Result<Vec<DueNotice>, StoreError> {
        let (column, open_only) = match kind {
            "remind" => ("o.remind_at", ""),
            "nudge" => ("o.nudge_at", "AND o.status = 'open'"),
            _ => return Err(StoreError::Unsupported("unknown notice kind")),
        };
        let sql = format!(
            "SELECT o.occurrence_id, o.period, {column} AS due_notice_at, o.due_at, a.obligation_id, a.unit_id, \
                    m.member_id, m.platform, m.chat_id, m.lang \
             FROM occurrence o \
             JOIN assignment a ON a.assignment_id = o.assignment_id \
             JOIN member m ON m.unit_id = a.unit_id \
             WHERE o.period >= $1 AND {column} IS NOT NULL AND {column} <= $2 {open_only} \
               AND (o.occurrence_id > $4 OR (o.occurrence_id = $4 AND m.member_id > $5)) \
               AND o.created_at <= o.due_at \
               AND a.active AND a.involvement = 'responsible' \
               AND m.reachable AND m.role IN ('governor', 'agency') \
               AND NOT EXISTS (SELECT 1 FROM outbox x \
                   WHERE x.dedup_key = '{kind}:' || o.occurrence_id || ':' || m.member_id) \
             ORDER BY o.occurrence_id, m.member_id LIMIT $3"
        );
        Ok(
            with_pool!(self, p => sqlx::query_as(AssertSqlSafe(sql.as_str()))
            .bind(from_period).bind(now).bind(limit).bind(after.0).bind(after.1).fetch_all(p).await?),
        )
    }

    /// Open occurrences whose escalation time passed by `now`, in periods from `from_period`,
    /// that the bot knew of before their due time.
    pub async fn overdue(&self, from_period: i64, now: i64) -> Result<Vec<Overdue>, StoreError> {
        let sql = "SELECT o.occurrence_id, o.period, a.obligation_id, a.unit_id, o.due_at, o.escalate_at \
                   FROM occurrence o JOIN assignment a ON a.assignment_id = o.assignment_id \
                   WHERE o.period >= $1 AND o.status = 'open' AND o.escalate_at IS NOT NULL \
                     AND o.escalate_at <= $2 AND a.active AND a.involvement = 'responsible' \
                     AND o.created_at <= o.due_at \
                   ORDER BY a.obligation_id, o.period, a.unit_id";
        Ok(
            with_pool!(self, p => sqlx::query_as(sql).bind(from_period).bind(now).fetch_all(p).await?),
        )
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

    /// Every member.
    pub async fn members(&self) -> Result<Vec<MemberRow>, StoreError> {
        let sql = format!("SELECT {MEMBER_COLUMNS} FROM member ORDER BY member_id");
        Ok(with_pool!(self, p => sqlx::query_as(AssertSqlSafe(sql.as_str())).fetch_all(p).await?))
    }

    /// The member with this id.
    pub async fn member(&self, member_id: i64) -> Result<Option<MemberRow>, StoreError> {
        let sql = format!("SELECT {MEMBER_COLUMNS} FROM member WHERE member_id = $1");
        Ok(
            with_pool!(self, p => sqlx::query_as(AssertSqlSafe(sql.as_str())).bind(member_id).fetch_optional(p).await?),
        )
    }

    /// Marks the member of `platform` whose chat is `chat_id` unreachable; returns the members
    /// changed (empty if they were already unreachable).
    pub async fn mark_unreachable(
        &self,
        platform: &str,
        chat_id: i64,
        now: i64,
    ) -> Result<Vec<MemberRow>, StoreError> {
        let sql = format!(
            "UPDATE member SET reachable = FALSE, updated_at = $3 \
             WHERE platform = $1 AND chat_id = $2 AND reachable RETURNING {MEMBER_COLUMNS}"
        );
        let mut tx = self.begin().await?;
        let rows = with_tx!(&mut tx, c => sqlx::query_as(AssertSqlSafe(sql.as_str()))
            .bind(platform).bind(chat_id).bind(now).fetch_all(&mut *c).await?);
        tx.commit().await?;
        Ok(rows)
    }
}

impl super::Tx {
    /// Inserts a member (or, for an existing platform and user, rebinds it) and returns its id.
    #[allow(clippy::too_many_arguments)]
    pub async fn upsert_member(
        &mut self,
        platform: &str,
        user_id: i64,
        chat_id: i64,
        unit_id: i64,
        role: &str,
        display_name: &str,
        lang: &str,
        now: i64,
    ) -> Result<i64, StoreError> {
        let sql = "INSERT INTO member (platform, user_id, chat_id, unit_id, role, display_name, lang, reachable, \
                   joined_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, TRUE, $8, $8) \
                   ON CONFLICT (platform, user_id) DO UPDATE SET chat_id = excluded.chat_id, \
                   unit_id = excluded.unit_id, role = excluded.role, display_name = excluded.display_name, \
                   reachable = TRUE, updated_at = excluded.updated_at RETURNING member_id";
        let (id,): (i64,) = with_tx!(self, c => sqlx::query_as(sql)
            .bind(platform).bind(user_id).bind(chat_id).bind(unit_id).bind(role)
            .bind(display_name).bind(lang).bind(now)
            .fetch_one(&mut *c).await?);
        Ok(id)
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
