//! Queries for the conversation: members, invites, the reminder a reply answers, reports and
//! their corrections. Writes run inside the transaction that also marks the update handled.

use super::{Claimed, InviteRow, MemberRow, NewMessage, Store, StoreError, Tx, with_pool, with_tx};

/// An occurrence with what a member-facing message needs.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OccurrenceInfo {
    /// The occurrence.
    pub occurrence_id: i64,
    /// Its period code.
    pub period: i64,
    /// Due time (UTC seconds).
    pub due_at: i64,
    /// `open`, `reported`, `late` or `missed`.
    pub status: String,
    /// The unit it is assigned to.
    pub unit_id: i64,
    /// The obligation.
    pub obligation_id: i64,
    /// The obligation's key.
    pub key: String,
    /// The obligation's title.
    pub title: String,
    /// The obligation's shape.
    pub shape: String,
}

/// A stored report.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReportRow {
    /// Id.
    pub report_id: i64,
    /// The occurrence.
    pub occurrence_id: i64,
    /// The text.
    pub body: String,
    /// Held?
    pub held: Option<bool>,
    /// Gregorian ISO date held.
    pub held_on: Option<String>,
    /// Attendees.
    pub attendees: Option<i64>,
    /// Newly insured.
    pub insured: Option<i64>,
    /// Late.
    pub late: bool,
}

const OCCURRENCE_INFO: &str = "SELECT o.occurrence_id, o.period, o.due_at, o.status, a.unit_id, a.obligation_id, \
     b.key, b.title, b.shape FROM occurrence o \
     JOIN assignment a ON a.assignment_id = o.assignment_id \
     JOIN obligation b ON b.obligation_id = a.obligation_id";

/// A member and its conversation state (JSON), if any.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MemberAndState {
    /// The member.
    #[sqlx(flatten)]
    pub member: MemberRow,
    /// What it is in the middle of.
    pub state: Option<String>,
}

impl Store {
    /// The member of `platform` with this user id, with its conversation state, in one read.
    pub async fn member_and_state(
        &self,
        platform: &str,
        user_id: i64,
    ) -> Result<Option<MemberAndState>, StoreError> {
        Ok(with_pool!(self, p => sqlx::query_as(
            "SELECT m.member_id, m.platform, m.user_id, m.chat_id, m.unit_id, m.role, m.display_name, \
             m.lang, m.reachable, s.state FROM member m \
             LEFT JOIN member_state s ON s.member_id = m.member_id \
             WHERE m.platform = $1 AND m.user_id = $2",
        )
        .bind(platform).bind(user_id).fetch_optional(p).await?))
    }

    /// The member of `platform` with this user id.
    pub async fn member_by_user(
        &self,
        platform: &str,
        user_id: i64,
    ) -> Result<Option<MemberRow>, StoreError> {
        Ok(with_pool!(self, p => sqlx::query_as(
            "SELECT member_id, platform, user_id, chat_id, unit_id, role, display_name, lang, reachable \
             FROM member WHERE platform = $1 AND user_id = $2",
        )
        .bind(platform).bind(user_id).fetch_optional(p).await?))
    }

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
             AND o.period >= $2 AND o.period <= $3 ORDER BY o.period, b.key"
        );
        Ok(
            with_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(unit_id).bind(from).bind(to).fetch_all(p).await?),
        )
    }

    /// The occurrence a bot message (a reminder or nudge) was about.
    pub async fn occurrence_of_message(
        &self,
        platform: &str,
        chat_id: i64,
        message_id: i64,
    ) -> Result<Option<OccurrenceInfo>, StoreError> {
        let sql = format!(
            "{OCCURRENCE_INFO} WHERE o.occurrence_id = (SELECT occurrence_id FROM outbox \
             WHERE platform = $1 AND chat_id = $2 AND message_id = $3 \
             AND occurrence_id IS NOT NULL ORDER BY outbox_id DESC LIMIT 1)"
        );
        Ok(
            with_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(platform).bind(chat_id).bind(message_id).fetch_optional(p).await?),
        )
    }

    /// The latest messages about occurrences sent to a chat: (occurrence, text as queued).
    pub async fn recent_notices(
        &self,
        platform: &str,
        chat_id: i64,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        Ok(with_pool!(self, p => sqlx::query_as(
            "SELECT occurrence_id, body FROM outbox WHERE platform = $1 AND chat_id = $2 \
             AND occurrence_id IS NOT NULL ORDER BY outbox_id DESC LIMIT 50",
        )
        .bind(platform).bind(chat_id).fetch_all(p).await?))
    }

    /// The report that came from this message (for edits).
    pub async fn report_of_message(
        &self,
        platform: &str,
        chat_id: i64,
        message_id: i64,
    ) -> Result<Option<ReportRow>, StoreError> {
        Ok(with_pool!(self, p => sqlx::query_as(
            "SELECT report_id, occurrence_id, body, held, held_on, attendees, insured, late FROM report \
             WHERE platform = $1 AND chat_id = $2 AND message_id = $3",
        )
        .bind(platform).bind(chat_id).bind(message_id).fetch_optional(p).await?))
    }

    /// The report with this id.
    pub async fn report(&self, report_id: i64) -> Result<Option<ReportRow>, StoreError> {
        Ok(with_pool!(self, p => sqlx::query_as(
            "SELECT report_id, occurrence_id, body, held, held_on, attendees, insured, late FROM report WHERE report_id = $1",
        )
        .bind(report_id).fetch_optional(p).await?))
    }
}

impl Tx {
    /// Uses one use of an invite if it is valid at `now`; returns it, or `None` when the code
    /// is unknown, used up or expired.
    pub async fn use_invite(
        &mut self,
        code: &str,
        now: i64,
    ) -> Result<Option<InviteRow>, StoreError> {
        Ok(with_tx!(self, c => sqlx::query_as(
            "UPDATE invite SET uses = uses + 1 WHERE code = $1 AND uses < max_uses \
             AND (expires_at IS NULL OR expires_at > $2) \
             RETURNING code, unit_id, role, max_uses, uses, expires_at, created_at",
        )
        .bind(code).bind(now).fetch_optional(&mut *c).await?))
    }

    /// Sets a member's language.
    pub async fn set_member_lang(
        &mut self,
        member_id: i64,
        lang: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        with_tx!(self, c => sqlx::query("UPDATE member SET lang = $2, updated_at = $3 WHERE member_id = $1")
            .bind(member_id).bind(lang).bind(now).execute(&mut *c).await.map(|_| ())?);
        Ok(())
    }

    /// Sets whether the session of a report was held (a correction by button), keeping a
    /// revision.
    pub async fn correct_held(
        &mut self,
        report_id: i64,
        member_id: i64,
        held: bool,
        now: i64,
    ) -> Result<(), StoreError> {
        with_tx!(self, c => {
            sqlx::query("UPDATE report SET held = $2, updated_at = $3 WHERE report_id = $1")
                .bind(report_id).bind(held).bind(now).execute(&mut *c).await?;
            sqlx::query(
                "INSERT INTO report_revision (report_id, member_id, body, held, held_on, attendees, insured, created_at) \
                 SELECT report_id, $2, body, held, held_on, attendees, insured, $3 FROM report WHERE report_id = $1",
            )
            .bind(report_id).bind(member_id).bind(now).execute(&mut *c).await.map(|_| ())?
        });
        Ok(())
    }

    /// Enqueues messages inside this transaction (replies to the update being handled).
    pub async fn enqueue(&mut self, messages: &[NewMessage], now: i64) -> Result<u64, StoreError> {
        super::outbox::enqueue_in(self, messages, now).await
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
        super::outbox::enqueue_claimed_in(self, messages, now, worker, until_ms).await
    }
}

/// A report received in a window, for the daily digest.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RecentReport {
    /// The obligation's key.
    pub key: String,
    /// The unit's name.
    pub unit: String,
    /// Held?
    pub held: Option<bool>,
    /// Newly insured.
    pub insured: Option<i64>,
    /// Late.
    pub late: bool,
}

impl Store {
    /// Reports first received in `[from, to)` (UTC seconds), by obligation and unit.
    pub async fn reports_between(
        &self,
        from: i64,
        to: i64,
    ) -> Result<Vec<RecentReport>, StoreError> {
        Ok(with_pool!(self, p => sqlx::query_as(
            "SELECT b.key, u.name AS unit, r.held, r.insured, r.late FROM report r \
             JOIN occurrence o ON o.occurrence_id = r.occurrence_id \
             JOIN assignment a ON a.assignment_id = o.assignment_id \
             JOIN obligation b ON b.obligation_id = a.obligation_id \
             JOIN unit u ON u.unit_id = a.unit_id \
             WHERE r.created_at >= $1 AND r.created_at < $2 ORDER BY b.key, u.name",
        )
        .bind(from).bind(to).fetch_all(p).await?))
    }
}

impl Store {
    /// The reachable members with one of `roles`.
    pub async fn members_with_roles(&self, roles: &[&str]) -> Result<Vec<MemberRow>, StoreError> {
        let members = self.members().await?;
        Ok(members
            .into_iter()
            .filter(|m| m.reachable && roles.contains(&m.role.as_str()))
            .collect())
    }
}

impl Tx {
    /// A unit's quota on an obligation: the target and the newly insured reported in periods
    /// `from..=to` (seeing this transaction's own writes).
    pub async fn quota_of(
        &mut self,
        obligation_id: i64,
        unit_id: i64,
        from: i64,
        to: i64,
    ) -> Result<Option<(i64, i64)>, StoreError> {
        let row: Option<(Option<i64>, i64)> = with_tx!(self, c => sqlx::query_as(
            "SELECT a.quota_target, CAST(COALESCE(SUM(r.insured), 0) AS BIGINT) FROM assignment a \
             LEFT JOIN occurrence o ON o.assignment_id = a.assignment_id AND o.period >= $3 AND o.period <= $4 \
             LEFT JOIN report r ON r.occurrence_id = o.occurrence_id \
             WHERE a.obligation_id = $1 AND a.unit_id = $2 GROUP BY a.assignment_id, a.quota_target",
        )
        .bind(obligation_id).bind(unit_id).bind(from).bind(to)
        .fetch_optional(&mut *c).await?);
        Ok(row.and_then(|(target, achieved)| target.filter(|t| *t > 0).map(|t| (t, achieved))))
    }
}
