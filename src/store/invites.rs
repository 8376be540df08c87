//! Invite codes: created by operators, used once (or N times) to join.

use crate::domain::member::Role;

use super::{Store, StoreError, Tx, with_pool, with_tx};

/// A row of `invite`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InviteRow {
    /// The code.
    pub code: String,
    /// The unit joined.
    pub unit_id: i64,
    /// The role given.
    pub role: Role,
    /// Uses allowed.
    pub max_uses: i64,
    /// Uses made.
    pub uses: i64,
    /// Expiry, UTC seconds.
    pub expires_at: Option<i64>,
    /// Creation, UTC seconds.
    pub created_at: i64,
}

impl Store {
    /// The invite with this code.
    pub async fn invite(&self, code: &str) -> Result<Option<InviteRow>, StoreError> {
        let sql = "SELECT code, unit_id, role, max_uses, uses, expires_at, created_at \
                   FROM invite WHERE code = $1";
        Ok(with_pool!(self, p => sqlx::query_as(sql).bind(code).fetch_optional(p).await?))
    }
}

impl Tx {
    /// Inserts an invite.
    pub async fn insert_invite(
        &mut self,
        i: &InviteRow,
        created_by: &str,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO invite (code, unit_id, role, max_uses, uses, expires_at, created_at, created_by) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
        with_tx!(self, c => sqlx::query(sql)
            .bind(&i.code).bind(i.unit_id).bind(i.role.as_str()).bind(i.max_uses).bind(i.uses)
            .bind(i.expires_at).bind(i.created_at).bind(created_by)
            .execute(&mut *c).await.map(|_| ())?);
        Ok(())
    }

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
}
