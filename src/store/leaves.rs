//! Membership over time: revoking and moving members, and leaves with a deputy (who stands in
//! for an absent member, between two dates, for its unit's reminders and reports).

use sqlx::AssertSqlSafe;

use crate::domain::member::Role;

use super::{MemberRow, Store, StoreError, Tx, with_pool, with_tx};

/// A leave with a deputy, as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LeaveRow {
    /// Id.
    pub member_leave_id: i64,
    /// The member away.
    pub member_id: i64,
    /// The member standing in.
    pub deputy_id: i64,
    /// The unit (at the time the leave was recorded).
    pub unit_id: i64,
    /// From (UTC seconds, inclusive).
    pub starts_at: i64,
    /// Until (UTC seconds, exclusive).
    pub ends_at: i64,
}

/// A leave to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLeave<'a> {
    /// The member away.
    pub member_id: i64,
    /// The member standing in.
    pub deputy_id: i64,
    /// The unit.
    pub unit_id: i64,
    /// From (UTC seconds).
    pub starts_at: i64,
    /// Until (UTC seconds).
    pub ends_at: i64,
    /// Who recorded it ("cli" or "member:ID").
    pub created_by: &'a str,
}

const LEAVE_COLUMNS: &str = "member_leave_id, member_id, deputy_id, unit_id, starts_at, ends_at";

impl Store {
    /// The member with this id, unless it was revoked.
    pub async fn active_member(&self, member_id: i64) -> Result<Option<MemberRow>, StoreError> {
        Ok(with_pool!(self, p => sqlx::query_as(
            "SELECT member_id, platform, user_id, chat_id, unit_id, role, display_name, lang, reachable \
             FROM member WHERE member_id = $1 AND revoked_at IS NULL",
        )
        .bind(member_id).fetch_optional(p).await?))
    }

    /// Whether `member_id` stands in, at `now`, for a member of `unit_id` on leave.
    pub async fn is_deputy(
        &self,
        member_id: i64,
        unit_id: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        let sql = "SELECT COUNT(*) FROM member_leave \
                   WHERE deputy_id = $1 AND unit_id = $2 AND starts_at <= $3 AND ends_at > $3";
        let (n,): (i64,) = with_pool!(self, p => sqlx::query_as(sql)
            .bind(member_id).bind(unit_id).bind(now).fetch_one(p).await?);
        Ok(n > 0)
    }

    /// The leaves not yet over at `now` (current and future), by start.
    pub async fn leaves_not_over(&self, now: i64) -> Result<Vec<LeaveRow>, StoreError> {
        let sql = format!(
            "SELECT {LEAVE_COLUMNS} FROM member_leave WHERE ends_at > $1 \
             ORDER BY starts_at, member_leave_id"
        );
        Ok(
            with_pool!(self, p => sqlx::query_as(AssertSqlSafe(sql.as_str()))
            .bind(now).fetch_all(p).await?),
        )
    }

    /// The leaves that ended by `now` and whose end was not yet noticed.
    pub async fn leaves_ended(&self, now: i64) -> Result<Vec<LeaveRow>, StoreError> {
        let sql = format!(
            "SELECT {LEAVE_COLUMNS} FROM member_leave WHERE ended_at IS NULL AND ends_at <= $1 \
             ORDER BY member_leave_id"
        );
        Ok(
            with_pool!(self, p => sqlx::query_as(AssertSqlSafe(sql.as_str()))
            .bind(now).fetch_all(p).await?),
        )
    }
}

impl Tx {
    /// Revokes a member: it can no longer use the bot; its row and reports stay. Its
    /// conversation state goes. Returns false when it was already revoked (or is unknown).
    pub async fn revoke_member(&mut self, member_id: i64, now: i64) -> Result<bool, StoreError> {
        let n = with_tx!(self, c => sqlx::query(
            "UPDATE member SET revoked_at = $2, updated_at = $2 \
             WHERE member_id = $1 AND revoked_at IS NULL",
        )
        .bind(member_id).bind(now).execute(&mut *c).await?.rows_affected());
        self.set_member_state(member_id, None, now).await?;
        Ok(n > 0)
    }

    /// Moves a member to `unit_id` with `role`; its conversation state goes.
    pub async fn move_member(
        &mut self,
        member_id: i64,
        unit_id: i64,
        role: Role,
        now: i64,
    ) -> Result<(), StoreError> {
        with_tx!(self, c => sqlx::query(
            "UPDATE member SET unit_id = $2, role = $3, updated_at = $4 WHERE member_id = $1",
        )
        .bind(member_id).bind(unit_id).bind(role.as_str()).bind(now)
        .execute(&mut *c).await.map(|_| ())?);
        self.set_member_state(member_id, None, now).await
    }

    /// Records a leave; returns its id.
    pub async fn insert_leave(&mut self, l: &NewLeave<'_>, now: i64) -> Result<i64, StoreError> {
        let (id,): (i64,) = with_tx!(self, c => sqlx::query_as(
            "INSERT INTO member_leave (member_id, deputy_id, unit_id, starts_at, ends_at, \
             created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING member_leave_id",
        )
        .bind(l.member_id).bind(l.deputy_id).bind(l.unit_id).bind(l.starts_at).bind(l.ends_at)
        .bind(now).bind(l.created_by)
        .fetch_one(&mut *c).await?);
        Ok(id)
    }

    /// Marks a leave's end noticed; false when it already was (another tick noticed it).
    pub async fn mark_leave_ended(&mut self, leave_id: i64, now: i64) -> Result<bool, StoreError> {
        Ok(with_tx!(self, c => sqlx::query(
            "UPDATE member_leave SET ended_at = $2 WHERE member_leave_id = $1 AND ended_at IS NULL",
        )
        .bind(leave_id).bind(now).execute(&mut *c).await?.rows_affected())
            > 0)
    }
}
