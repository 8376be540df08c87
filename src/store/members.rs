//! Members (a person on a platform, bound to a unit with a role) and their conversation state.

use sqlx::AssertSqlSafe;

use crate::domain::Lang;
use crate::domain::member::{Platform, Role};
use crate::domain::obligation::{OccurrenceStatus, Shape};

use super::{OccurrenceInfo, Store, StoreError, Tx, with_pool, with_tx};

/// A member, as the tick and the sender need it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MemberRow {
    /// Id.
    pub member_id: i64,
    /// Platform.
    pub platform: Platform,
    /// Platform user id.
    pub user_id: i64,
    /// Chat.
    pub chat_id: i64,
    /// Unit.
    pub unit_id: i64,
    /// Role.
    pub role: Role,
    /// Name.
    pub display_name: String,
    /// Language.
    #[sqlx(try_from = "String")]
    pub lang: Lang,
    /// Reachable.
    pub reachable: bool,
}

const MEMBER_COLUMNS: &str =
    "member_id, platform, user_id, chat_id, unit_id, role, display_name, lang, reachable";

/// A member to insert or rebind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMember<'a> {
    /// Platform.
    pub platform: Platform,
    /// Platform user id.
    pub user_id: i64,
    /// Chat.
    pub chat_id: i64,
    /// Unit.
    pub unit_id: i64,
    /// Role.
    pub role: Role,
    /// Name.
    pub display_name: &'a str,
    /// Language (kept for a member already known).
    pub lang: Lang,
}

/// A member, its conversation state (JSON), if any, and the occurrence of the bot's message it
/// replies to, if asked and found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberAndState {
    /// The member.
    pub member: MemberRow,
    /// What it is in the middle of.
    pub state: Option<String>,
    /// The occurrence the replied message was about.
    pub replied: Option<OccurrenceInfo>,
    /// The report the replied message confirmed (the bot's confirmation of a report).
    pub replied_report: Option<i64>,
}

/// [`MemberAndState`] as one row: the occurrence's columns are all null when there is none.
#[derive(sqlx::FromRow)]
struct MemberAndStateRow {
    #[sqlx(flatten)]
    member: MemberRow,
    state: Option<String>,
    r_occurrence_id: Option<i64>,
    r_period: Option<i64>,
    r_due_at: Option<i64>,
    r_status: Option<OccurrenceStatus>,
    r_unit_id: Option<i64>,
    r_obligation_id: Option<i64>,
    r_key: Option<String>,
    r_title: Option<String>,
    r_shape: Option<Shape>,
    r_report_id: Option<i64>,
}

impl From<MemberAndStateRow> for MemberAndState {
    fn from(r: MemberAndStateRow) -> MemberAndState {
        let replied = (|| {
            Some(OccurrenceInfo {
                occurrence_id: r.r_occurrence_id?,
                period: r.r_period?,
                due_at: r.r_due_at?,
                status: r.r_status?,
                unit_id: r.r_unit_id?,
                obligation_id: r.r_obligation_id?,
                key: r.r_key?,
                title: r.r_title?,
                shape: r.r_shape?,
            })
        })();
        MemberAndState {
            member: r.member,
            state: r.state,
            replied,
            replied_report: r.r_report_id,
        }
    }
}

/// A person to look up: its user id and, when its message replies to one of the bot's, that
/// message's chat and id.
pub type Lookup = (i64, Option<(i64, i64)>);

/// The member of a lookup as one row: the lookup's columns, then [`MemberAndStateRow`]'s.
#[derive(sqlx::FromRow)]
struct LookedUpRow {
    q_user_id: i64,
    q_chat_id: Option<i64>,
    q_message_id: Option<i64>,
    #[sqlx(flatten)]
    found: MemberAndStateRow,
}

impl Store {
    /// The member of `platform` with this user id, with its conversation state and, given
    /// `replied` (a chat and the id of a message of the bot there), the occurrence that message
    /// was about: one read for what a member's message needs.
    pub async fn member_and_state(
        &self,
        platform: Platform,
        user_id: i64,
        replied: Option<(i64, i64)>,
    ) -> Result<Option<MemberAndState>, StoreError> {
        let mut found = self
            .members_and_states(platform, &[(user_id, replied)])
            .await?;
        Ok(found.pop().map(|(_, m)| m))
    }

    /// [`Store::member_and_state`] for several people at once (a run of updates handled
    /// together): one read per few dozen. Each member found comes with its lookup; people who
    /// are no members are left out.
    pub async fn members_and_states(
        &self,
        platform: Platform,
        lookups: &[Lookup],
    ) -> Result<Vec<(Lookup, MemberAndState)>, StoreError> {
        let mut out = Vec::with_capacity(lookups.len());
        for chunk in lookups.chunks(64) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| {
                    let n = 2 + 3 * i;
                    format!(
                        "(CAST(${n} AS BIGINT), CAST(${} AS BIGINT), CAST(${} AS BIGINT))",
                        n + 1,
                        n + 2
                    )
                })
                .collect();
            let sql = format!(
                "WITH q (user_id, chat_id, message_id) AS (VALUES {}) \
                 SELECT q.user_id AS q_user_id, q.chat_id AS q_chat_id, q.message_id AS q_message_id, \
                 m.member_id, m.platform, m.user_id, m.chat_id, m.unit_id, m.role, m.display_name, \
                 m.lang, m.reachable, s.state, o.occurrence_id AS r_occurrence_id, o.period AS r_period, \
                 o.due_at AS r_due_at, o.status AS r_status, a.unit_id AS r_unit_id, \
                 a.obligation_id AS r_obligation_id, b.key AS r_key, b.title AS r_title, \
                 b.shape AS r_shape, (SELECT x.report_id FROM outbox x WHERE x.platform = $1 \
                      AND x.chat_id = q.chat_id AND x.message_id = q.message_id \
                      AND x.report_id IS NOT NULL ORDER BY x.outbox_id DESC LIMIT 1) AS r_report_id \
                 FROM q JOIN member m ON m.platform = $1 AND m.user_id = q.user_id \
                 AND m.revoked_at IS NULL \
                 LEFT JOIN member_state s ON s.member_id = m.member_id \
                 LEFT JOIN occurrence o ON o.occurrence_id = (SELECT x.occurrence_id FROM outbox x \
                      WHERE x.platform = $1 AND x.chat_id = q.chat_id AND x.message_id = q.message_id \
                      AND x.occurrence_id IS NOT NULL ORDER BY x.outbox_id DESC LIMIT 1) \
                 LEFT JOIN assignment a ON a.assignment_id = o.assignment_id \
                 LEFT JOIN obligation b ON b.obligation_id = a.obligation_id",
                values.join(", ")
            );
            let rows: Vec<LookedUpRow> = with_pool!(self, p => {
                let mut q = sqlx::query_as(AssertSqlSafe(sql.as_str())).bind(platform.as_str());
                for (user_id, replied) in chunk {
                    let (chat_id, message_id) = replied.unzip();
                    q = q.bind(*user_id).bind(chat_id).bind(message_id);
                }
                q.fetch_all(p).await?
            });
            out.extend(rows.into_iter().map(|r| {
                let replied = r.q_chat_id.zip(r.q_message_id);
                ((r.q_user_id, replied), MemberAndState::from(r.found))
            }));
        }
        Ok(out)
    }

    /// The member of `platform` with this user id.
    pub async fn member_by_user(
        &self,
        platform: Platform,
        user_id: i64,
    ) -> Result<Option<MemberRow>, StoreError> {
        Ok(with_pool!(self, p => sqlx::query_as(
            "SELECT member_id, platform, user_id, chat_id, unit_id, role, display_name, lang, reachable \
             FROM member WHERE platform = $1 AND user_id = $2 AND revoked_at IS NULL",
        )
        .bind(platform.as_str()).bind(user_id).fetch_optional(p).await?))
    }

    /// Every member that is not revoked.
    pub async fn members(&self) -> Result<Vec<MemberRow>, StoreError> {
        let sql = format!(
            "SELECT {MEMBER_COLUMNS} FROM member WHERE revoked_at IS NULL ORDER BY member_id"
        );
        Ok(with_pool!(self, p => sqlx::query_as(AssertSqlSafe(sql.as_str())).fetch_all(p).await?))
    }

    /// The member with this id.
    pub async fn member(&self, member_id: i64) -> Result<Option<MemberRow>, StoreError> {
        let sql = format!("SELECT {MEMBER_COLUMNS} FROM member WHERE member_id = $1");
        Ok(
            with_pool!(self, p => sqlx::query_as(AssertSqlSafe(sql.as_str())).bind(member_id).fetch_optional(p).await?),
        )
    }

    /// The reachable members with one of `roles`.
    pub async fn members_with_roles(&self, roles: &[Role]) -> Result<Vec<MemberRow>, StoreError> {
        let members = self.members().await?;
        Ok(members
            .into_iter()
            .filter(|m| m.reachable && roles.contains(&m.role))
            .collect())
    }

    /// Marks the member of `platform` whose chat is `chat_id` unreachable; returns the members
    /// changed (empty if they were already unreachable).
    pub async fn mark_unreachable(
        &self,
        platform: Platform,
        chat_id: i64,
        now: i64,
    ) -> Result<Vec<MemberRow>, StoreError> {
        let sql = format!(
            "UPDATE member SET reachable = FALSE, updated_at = $3 \
             WHERE platform = $1 AND chat_id = $2 AND reachable AND revoked_at IS NULL RETURNING {MEMBER_COLUMNS}"
        );
        let mut tx = self.begin().await?;
        let rows = with_tx!(&mut tx, c => sqlx::query_as(AssertSqlSafe(sql.as_str()))
            .bind(platform.as_str()).bind(chat_id).bind(now).fetch_all(&mut *c).await?);
        tx.commit().await?;
        Ok(rows)
    }
}

impl Tx {
    /// Inserts a member (or, for an existing platform and user, rebinds it) and returns its id.
    pub async fn upsert_member(&mut self, m: &NewMember<'_>, now: i64) -> Result<i64, StoreError> {
        let sql = "INSERT INTO member (platform, user_id, chat_id, unit_id, role, display_name, lang, reachable, \
                   joined_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, TRUE, $8, $8) \
                   ON CONFLICT (platform, user_id) DO UPDATE SET chat_id = excluded.chat_id, \
                   unit_id = excluded.unit_id, role = excluded.role, display_name = excluded.display_name, \
                   reachable = TRUE, revoked_at = NULL, updated_at = excluded.updated_at RETURNING member_id";
        let (id,): (i64,) = with_tx!(self, c => sqlx::query_as(sql)
            .bind(m.platform.as_str()).bind(m.user_id).bind(m.chat_id).bind(m.unit_id).bind(m.role.as_str())
            .bind(m.display_name).bind(m.lang.code()).bind(now)
            .fetch_one(&mut *c).await?);
        Ok(id)
    }

    /// Sets a member's language.
    pub async fn set_member_lang(
        &mut self,
        member_id: i64,
        lang: Lang,
        now: i64,
    ) -> Result<(), StoreError> {
        with_tx!(self, c => sqlx::query("UPDATE member SET lang = $2, updated_at = $3 WHERE member_id = $1")
            .bind(member_id).bind(lang.code()).bind(now).execute(&mut *c).await.map(|_| ())?);
        Ok(())
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
