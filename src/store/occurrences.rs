//! Occurrences: one assignment in one period, with its reminder, nudge, due and escalation
//! times and its status; and the reads that find what fell due.

use sqlx::AssertSqlSafe;

use crate::domain::Lang;
use crate::domain::member::Platform;
use crate::domain::notice::MessageKind;
use crate::domain::obligation::{OccurrenceStatus, Shape};

use super::{Store, StoreError, Tx, with_pool, with_tx};

/// An occurrence with what a member-facing message needs.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OccurrenceInfo {
    /// The occurrence.
    pub occurrence_id: i64,
    /// Its period code.
    pub period: i64,
    /// Due time (UTC seconds).
    pub due_at: i64,
    /// Where it stands.
    pub status: OccurrenceStatus,
    /// The unit it is assigned to.
    pub unit_id: i64,
    /// The obligation.
    pub obligation_id: i64,
    /// The obligation's key.
    pub key: String,
    /// The obligation's title.
    pub title: String,
    /// The obligation's shape.
    pub shape: Shape,
}

/// The occurrence `o` falls in the window of its obligation `b` (from its start's period to its
/// end's): what an import moved out of it sends and asks nothing more (see
/// `Tx::drop_stray_occurrences` for what is removed outright).
const IN_FORCE: &str = "(b.start_period IS NULL OR o.period >= b.start_period) \
     AND (b.end_period IS NULL OR o.period <= b.end_period)";

const OCCURRENCE_INFO: &str = "SELECT o.occurrence_id, o.period, o.due_at, o.status, a.unit_id, a.obligation_id, \
     b.key, b.title, b.shape FROM occurrence o \
     JOIN assignment a ON a.assignment_id = o.assignment_id \
     JOIN obligation b ON b.obligation_id = a.obligation_id";

/// One occurrence of a period with its assignment and report, as the summary reads it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PeriodRow {
    /// The occurrence.
    pub occurrence_id: i64,
    /// Its due time, UTC seconds.
    pub due_at: i64,
    /// Where it stands.
    pub status: OccurrenceStatus,
    /// The obligation.
    pub obligation_id: i64,
    /// The unit.
    pub unit_id: i64,
    /// The report's text.
    pub body: Option<String>,
    /// Held?
    pub held: Option<bool>,
    /// Gregorian ISO date held.
    pub held_on: Option<String>,
    /// Attendees.
    pub attendees: Option<i64>,
    /// Newly insured.
    pub insured: Option<i64>,
    /// Reported late.
    pub late: Option<bool>,
}

const PERIOD_ROW: &str = "SELECT o.occurrence_id, o.due_at, o.status, a.obligation_id, a.unit_id, \
     r.body, r.held, r.held_on, r.attendees, r.insured, r.late \
     FROM occurrence o \
     JOIN assignment a ON a.assignment_id = o.assignment_id \
     LEFT JOIN report r ON r.occurrence_id = o.occurrence_id";

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
    pub platform: Platform,
    /// The member's chat.
    pub chat_id: i64,
    /// The member's language.
    #[sqlx(try_from = "String")]
    pub lang: Lang,
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

impl Store {
    /// The occurrence with this id.
    pub async fn occurrence_info(
        &self,
        occurrence_id: i64,
    ) -> Result<Option<OccurrenceInfo>, StoreError> {
        let sql = format!("{OCCURRENCE_INFO} WHERE o.occurrence_id = $1");
        Ok(
            with_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(occurrence_id).fetch_optional(p).await?),
        )
    }

    /// The occurrences of `unit_id` (responsible, active) in periods `from..=to`, by period and key.
    pub async fn unit_occurrences(
        &self,
        unit_id: i64,
        from: i64,
        to: i64,
    ) -> Result<Vec<OccurrenceInfo>, StoreError> {
        let sql = format!(
            "{OCCURRENCE_INFO} WHERE a.unit_id = $1 AND a.active AND a.involvement = 'responsible' \
             AND o.period >= $2 AND o.period <= $3 AND {IN_FORCE} ORDER BY o.period, b.key"
        );
        Ok(
            with_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(unit_id).bind(from).bind(to).fetch_all(p).await?),
        )
    }

    /// Every occurrence of `period` with its assignment's obligation and unit and its report.
    pub async fn period_rows(&self, period: i64) -> Result<Vec<PeriodRow>, StoreError> {
        let sql = format!(
            "{PERIOD_ROW} WHERE o.period = $1 AND a.involvement = 'responsible' ORDER BY o.occurrence_id"
        );
        Ok(
            with_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(period).fetch_all(p).await?),
        )
    }

    /// The rows of these occurrences, as [`Store::period_rows`] has them.
    pub async fn period_rows_of(&self, ids: &[i64]) -> Result<Vec<PeriodRow>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(super::outbox::CHUNK) {
            let list: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "{PERIOD_ROW} WHERE o.occurrence_id IN ({}) ORDER BY o.occurrence_id",
                list.join(", ")
            );
            let rows: Vec<PeriodRow> = with_pool!(self, p => {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()));
                for id in chunk {
                    q = q.bind(id);
                }
                q.fetch_all(p).await?
            });
            out.extend(rows);
        }
        Ok(out)
    }

    /// The active responsible assignments that have no occurrence in `period` yet, as
    /// (obligation, unit) by assignment: what a summary of a month the tick has not created
    /// (yet) plans in memory rather than creating.
    pub async fn unplanned_assignments(&self, period: i64) -> Result<Vec<(i64, i64)>, StoreError> {
        let sql = "SELECT a.obligation_id, a.unit_id FROM assignment a \
                   WHERE a.active AND a.involvement = 'responsible' \
                     AND NOT EXISTS (SELECT 1 FROM occurrence o \
                         WHERE o.assignment_id = a.assignment_id AND o.period = $1) \
                   ORDER BY a.assignment_id";
        Ok(with_pool!(self, p => sqlx::query_as(sql).bind(period).fetch_all(p).await?))
    }

    /// The earliest period that has an occurrence, if any has.
    pub async fn first_occurrence_period(&self) -> Result<Option<i64>, StoreError> {
        let sql = "SELECT MIN(period) FROM occurrence";
        let (first,): (Option<i64>,) =
            with_pool!(self, p => sqlx::query_as(sql).fetch_one(p).await?);
        Ok(first)
    }

    /// The reminders ([`MessageKind::Remind`], comparing `remind_at`) or nudges (comparing
    /// `nudge_at`, open occurrences only) that fell due by `now` in periods from `from_period`
    /// and have not been enqueued for the recipient: every reachable, not revoked, reporting
    /// member (governor or agency) of the assigned unit that is not on leave at `now`, and the
    /// deputy of each member of the unit on leave at `now`, whatever its role. Occurrences the bot learnt of only after
    /// their due time (a month before the bot was installed) are left alone.
    ///
    /// In pages of `limit`, in (occurrence, member) order from after `after` (`(0, 0)` for the
    /// first page): each page reads on from where the last one ended.
    pub async fn due_notices(
        &self,
        kind: MessageKind,
        (from_period, now): (i64, i64),
        after: (i64, i64),
        limit: i64,
    ) -> Result<Vec<DueNotice>, StoreError> {
        let (column, open_only) = match kind {
            MessageKind::Remind => ("o.remind_at", ""),
            MessageKind::Nudge => ("o.nudge_at", "AND o.status = 'open'"),
            _ => return Err(StoreError::Unsupported("unknown notice kind")),
        };
        let sql = format!(
            "SELECT o.occurrence_id, o.period, {column} AS due_notice_at, o.due_at, a.obligation_id, a.unit_id, \
                    m.member_id, m.platform, m.chat_id, m.lang \
             FROM occurrence o \
             JOIN assignment a ON a.assignment_id = o.assignment_id \
             JOIN obligation b ON b.obligation_id = a.obligation_id \
             JOIN member m ON m.unit_id = a.unit_id \
             WHERE o.period >= $1 AND {IN_FORCE} \
               AND {column} IS NOT NULL AND {column} <= $2 {open_only} \
               AND (o.occurrence_id > $4 OR (o.occurrence_id = $4 AND m.member_id > $5)) \
               AND o.created_at <= o.due_at \
               AND a.active AND a.involvement = 'responsible' \
               AND m.reachable AND m.revoked_at IS NULL \
               AND ((m.role IN ('governor', 'agency') AND NOT EXISTS (SELECT 1 FROM member_leave l \
                       WHERE l.member_id = m.member_id AND l.starts_at <= $2 AND l.ends_at > $2)) \
                    OR EXISTS (SELECT 1 FROM member_leave l WHERE l.deputy_id = m.member_id \
                       AND l.unit_id = a.unit_id AND l.starts_at <= $2 AND l.ends_at > $2)) \
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
        let sql = format!(
            "SELECT o.occurrence_id, o.period, a.obligation_id, a.unit_id, o.due_at, o.escalate_at \
                   FROM occurrence o JOIN assignment a ON a.assignment_id = o.assignment_id \
                   JOIN obligation b ON b.obligation_id = a.obligation_id \
                   WHERE o.period >= $1 AND o.status = 'open' AND o.escalate_at IS NOT NULL \
                     AND {IN_FORCE} \
                     AND o.escalate_at <= $2 AND a.active AND a.involvement = 'responsible' \
                     AND o.created_at <= o.due_at \
                   ORDER BY a.obligation_id, o.period, a.unit_id"
        );
        Ok(
            with_pool!(self, p => sqlx::query_as(AssertSqlSafe(sql.as_str())).bind(from_period).bind(now).fetch_all(p).await?),
        )
    }
}

/// An open occurrence whose reminder time has come, as a member who joins late is reminded of
/// it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OpenReminder {
    /// The occurrence.
    pub occurrence_id: i64,
    /// Its period code.
    pub period: i64,
    /// Its due time, UTC seconds.
    pub due_at: i64,
    /// The obligation's key.
    pub key: String,
    /// The obligation's title.
    pub title: String,
    /// The unit's name.
    pub unit: String,
}

impl Tx {
    /// The open occurrences of `unit_id` (responsible, active) in periods from `from_period`
    /// whose reminder was due by `now` (UTC seconds), by period and key: what a member who joins
    /// after the reminders went out is sent (seeing this transaction's own writes).
    pub async fn open_reminders(
        &mut self,
        unit_id: i64,
        from_period: i64,
        now: i64,
    ) -> Result<Vec<OpenReminder>, StoreError> {
        let sql = format!(
            "SELECT o.occurrence_id, o.period, o.due_at, b.key, b.title, u.name AS unit \
                   FROM occurrence o JOIN assignment a ON a.assignment_id = o.assignment_id \
                   JOIN obligation b ON b.obligation_id = a.obligation_id \
                   JOIN unit u ON u.unit_id = a.unit_id \
                   WHERE a.unit_id = $1 AND o.period >= $2 AND o.status = 'open' \
                     AND o.remind_at IS NOT NULL AND o.remind_at <= $3 \
                     AND o.created_at <= o.due_at AND {IN_FORCE} \
                     AND a.active AND a.involvement = 'responsible' \
                   ORDER BY o.period, b.key"
        );
        Ok(
            with_tx!(self, c => sqlx::query_as(AssertSqlSafe(sql.as_str()))
            .bind(unit_id).bind(from_period).bind(now).fetch_all(&mut *c).await?),
        )
    }

    /// Creates the occurrences of every active responsible assignment of `obligation_id` in
    /// `period` that has none yet, in one statement. Times are UTC seconds. Returns how many
    /// were created.
    pub async fn ensure_occurrences(
        &mut self,
        obligation_id: i64,
        period: i64,
        (remind_at, nudge_at, due_at, escalate_at): (i64, Option<i64>, i64, Option<i64>),
        now: i64,
    ) -> Result<u64, StoreError> {
        let sql = "INSERT INTO occurrence (assignment_id, period, remind_at, nudge_at, due_at, \
                   escalate_at, status, created_at, updated_at) \
                   SELECT assignment_id, $2, $3, $4, $5, $6, 'open', $7, $7 FROM assignment \
                   WHERE obligation_id = $1 AND active AND involvement = 'responsible' \
                   ON CONFLICT (assignment_id, period) DO NOTHING";
        Ok(with_tx!(self, c => sqlx::query(sql)
            .bind(obligation_id).bind(period).bind(remind_at).bind(nudge_at).bind(due_at)
            .bind(escalate_at).bind(now)
            .execute(&mut *c).await?.rows_affected()))
    }
}
