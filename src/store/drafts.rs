//! Drafts: texts a member sent that the bot could not tie to an occurrence, kept until the
//! member says which obligation they report on (then they become a report) or that they are
//! none. Nothing a member typed is dropped.

use crate::domain::member::Platform;

use super::{Store, StoreError, Tx, with_pool, with_tx};

/// A kept text.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DraftRow {
    /// Id.
    pub draft_id: i64,
    /// Who sent it.
    pub member_id: i64,
    /// The text (sanitised).
    pub body: String,
    /// The message it came from.
    pub platform: Platform,
    /// Its chat.
    pub chat_id: i64,
    /// Its id.
    pub message_id: i64,
    /// The report it became, once tied.
    pub report_id: Option<i64>,
    /// When it was tied or set aside as no report (UTC seconds); `None` while it waits.
    pub settled_at: Option<i64>,
}

const DRAFT_COLUMNS: &str =
    "draft_id, member_id, body, platform, chat_id, message_id, report_id, settled_at";

impl Store {
    /// The draft with this id.
    pub async fn draft(&self, draft_id: i64) -> Result<Option<DraftRow>, StoreError> {
        let sql = format!("SELECT {DRAFT_COLUMNS} FROM draft WHERE draft_id = $1");
        Ok(
            with_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(draft_id).fetch_optional(p).await?),
        )
    }
}

impl Tx {
    /// Keeps a text as a draft; returns its id.
    pub async fn insert_draft(
        &mut self,
        member_id: i64,
        body: &str,
        (platform, chat_id, message_id): (Platform, i64, i64),
        now: i64,
    ) -> Result<i64, StoreError> {
        let sql = "INSERT INTO draft (member_id, body, platform, chat_id, message_id, created_at, \
                   updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING draft_id";
        let (id,): (i64,) = with_tx!(self, c => sqlx::query_as(sql)
            .bind(member_id).bind(body).bind(platform.as_str()).bind(chat_id).bind(message_id)
            .bind(now).fetch_one(&mut *c).await?);
        Ok(id)
    }

    /// Replaces the text of the waiting draft that came from this message (its sender edited
    /// it); returns whether there was one.
    pub async fn edit_draft(
        &mut self,
        (platform, chat_id, message_id): (Platform, i64, i64),
        body: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let sql = "UPDATE draft SET body = $4, updated_at = $5 WHERE platform = $1 \
                   AND chat_id = $2 AND message_id = $3 AND settled_at IS NULL";
        Ok(with_tx!(self, c => sqlx::query(sql)
            .bind(platform.as_str()).bind(chat_id).bind(message_id).bind(body).bind(now)
            .execute(&mut *c).await?.rows_affected())
            > 0)
    }

    /// Settles a waiting draft: tied to `report_id` (or to the report recorded next with
    /// [`Tx::draft_became`]), or set aside as no report. Returns false when it was settled
    /// already.
    pub async fn settle_draft(
        &mut self,
        draft_id: i64,
        report_id: Option<i64>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let sql = "UPDATE draft SET report_id = $2, settled_at = $3, updated_at = $3 \
                   WHERE draft_id = $1 AND settled_at IS NULL";
        Ok(with_tx!(self, c => sqlx::query(sql)
            .bind(draft_id).bind(report_id).bind(now).execute(&mut *c).await?.rows_affected())
            > 0)
    }

    /// Records the report a draft became.
    pub async fn draft_became(
        &mut self,
        draft_id: i64,
        report_id: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        let sql = "UPDATE draft SET report_id = $2, updated_at = $3 WHERE draft_id = $1";
        with_tx!(self, c => sqlx::query(sql)
            .bind(draft_id).bind(report_id).bind(now).execute(&mut *c).await.map(|_| ())?);
        Ok(())
    }
}
