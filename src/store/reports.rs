//! Reports on occurrences, their revisions and corrections, and what they add up to (quota
//! progress, the digest's window).

use crate::domain::member::Platform;

use super::{Store, StoreError, Tx, with_pool, with_tx};

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

/// A report's content, as written to `report` and `report_revision`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReportInput {
    /// The member who sent it (`None`: an operator).
    pub member_id: Option<i64>,
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
    /// The message it came from: platform, chat id, message id.
    pub source: Option<(Platform, i64, i64)>,
}

/// Facts a member sets on a stored report (a button, or a reply to the confirmation), and the
/// reply's text to keep with it. `None` leaves a fact as stored.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReportFill {
    /// A reply's text, appended to the report's body on a line of its own, so that what the
    /// member typed is kept with the report (and in its revision) whatever was read from it.
    pub note: Option<String>,
    /// Held?
    pub held: Option<bool>,
    /// Gregorian ISO date held.
    pub held_on: Option<String>,
    /// Attendees.
    pub attendees: Option<i64>,
    /// Newly insured.
    pub insured: Option<i64>,
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
    /// The report that came from this message (for edits).
    pub async fn report_of_message(
        &self,
        platform: Platform,
        chat_id: i64,
        message_id: i64,
    ) -> Result<Option<ReportRow>, StoreError> {
        Ok(with_pool!(self, p => sqlx::query_as(
            "SELECT report_id, occurrence_id, body, held, held_on, attendees, insured, late FROM report \
             WHERE platform = $1 AND chat_id = $2 AND message_id = $3",
        )
        .bind(platform.as_str()).bind(chat_id).bind(message_id).fetch_optional(p).await?))
    }

    /// The report with this id.
    pub async fn report(&self, report_id: i64) -> Result<Option<ReportRow>, StoreError> {
        Ok(with_pool!(self, p => sqlx::query_as(
            "SELECT report_id, occurrence_id, body, held, held_on, attendees, insured, late FROM report WHERE report_id = $1",
        )
        .bind(report_id).fetch_optional(p).await?))
    }

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

    /// The occurrences whose report changed after report revision `since`: (occurrence,
    /// period, obligation, unit).
    pub async fn reported_since(
        &self,
        since: i64,
    ) -> Result<Vec<(i64, i64, i64, i64)>, StoreError> {
        let sql = "SELECT DISTINCT o.occurrence_id, o.period, a.obligation_id, a.unit_id \
                   FROM report_revision v JOIN report r ON r.report_id = v.report_id \
                   JOIN occurrence o ON o.occurrence_id = r.occurrence_id \
                   JOIN assignment a ON a.assignment_id = o.assignment_id \
                   WHERE v.report_revision_id > $1";
        Ok(with_pool!(self, p => sqlx::query_as(sql).bind(since).fetch_all(p).await?))
    }

    /// Quota progress of `obligation_id`: for every unit with a target, the target and the newly
    /// insured reported in the periods `from..=to`.
    /// With `units`, only those units'.
    pub async fn quota_progress(
        &self,
        obligation_id: i64,
        from: i64,
        to: i64,
        units: Option<&[i64]>,
    ) -> Result<Vec<(i64, i64, i64)>, StoreError> {
        let filter = match units {
            Some(ids) => {
                let list: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 4)).collect();
                format!("AND a.unit_id IN ({})", list.join(", "))
            }
            None => String::new(),
        };
        let sql = format!(
            "SELECT a.unit_id, a.quota_target, \
                    CAST(COALESCE(SUM(r.insured), 0) AS BIGINT) AS achieved \
             FROM assignment a \
             LEFT JOIN occurrence o ON o.assignment_id = a.assignment_id \
                  AND o.period >= $2 AND o.period <= $3 \
             LEFT JOIN report r ON r.occurrence_id = o.occurrence_id \
             WHERE a.obligation_id = $1 AND a.active AND a.quota_target IS NOT NULL {filter} \
             GROUP BY a.unit_id, a.quota_target \
             ORDER BY a.unit_id"
        );
        Ok(with_pool!(self, p => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(obligation_id).bind(from).bind(to);
            for id in units.unwrap_or_default() {
                q = q.bind(id);
            }
            q.fetch_all(p).await?
        }))
    }
}

impl Tx {
    /// Stores a report on an occurrence: the first one inserts, later ones replace the current
    /// content; every version goes to `report_revision`. Marks the occurrence reported (or late
    /// when `now` is past its due time). Returns the report id.
    pub async fn save_report(
        &mut self,
        occurrence_id: i64,
        input: &ReportInput,
        now: i64,
    ) -> Result<i64, StoreError> {
        let (platform, chat_id, message_id) = match &input.source {
            Some((p, c, m)) => (Some(p.as_str()), Some(*c), Some(*m)),
            None => (None, None, None),
        };
        let upsert = "INSERT INTO report (occurrence_id, member_id, body, held, held_on, attendees, insured, \
                      late, platform, chat_id, message_id, created_at, updated_at) \
                      SELECT $1, $2, $3, $4, $5, $6, $7, due_at < $8, $9, $10, $11, $8, $8 \
                      FROM occurrence WHERE occurrence_id = $1 \
                      ON CONFLICT (occurrence_id) DO UPDATE SET member_id = excluded.member_id, \
                      body = excluded.body, held = excluded.held, held_on = excluded.held_on, \
                      attendees = excluded.attendees, insured = excluded.insured, \
                      platform = excluded.platform, chat_id = excluded.chat_id, \
                      message_id = excluded.message_id, updated_at = excluded.updated_at \
                      RETURNING report_id";
        // The revision and the occurrence's status are written by the report's triggers
        // (migration 0006).
        let (report_id,): (i64,) = with_tx!(self, c => sqlx::query_as(upsert)
            .bind(occurrence_id).bind(input.member_id).bind(&input.body).bind(input.held)
            .bind(&input.held_on).bind(input.attendees).bind(input.insured).bind(now)
            .bind(platform).bind(chat_id).bind(message_id)
            .fetch_one(&mut *c).await?);
        Ok(report_id)
    }

    /// Sets whether the session of a report was held (a correction by button), as corrected
    /// by `member_id`; its revision is written by the report's trigger.
    pub async fn correct_held(
        &mut self,
        report_id: i64,
        member_id: i64,
        held: bool,
        now: i64,
    ) -> Result<(), StoreError> {
        with_tx!(self, c => sqlx::query(
            "UPDATE report SET held = $2, member_id = $3, updated_at = $4 WHERE report_id = $1",
        )
        .bind(report_id).bind(held).bind(member_id).bind(now).execute(&mut *c).await.map(|_| ())?);
        Ok(())
    }

    /// Sets facts of a report and appends a note to its body (see [`ReportFill`]), as done by
    /// `member_id`, in one statement: a press or a reply changes only what it states, even when
    /// another change came in between. Its revision is written by the report's trigger.
    pub async fn fill_report(
        &mut self,
        report_id: i64,
        member_id: i64,
        fill: &ReportFill,
        now: i64,
    ) -> Result<(), StoreError> {
        let note = fill
            .note
            .as_ref()
            .map(|n| format!("\n{n}"))
            .unwrap_or_default();
        with_tx!(self, c => sqlx::query(
            "UPDATE report SET body = body || $2, held = COALESCE($3, held), \
             held_on = COALESCE($4, held_on), attendees = COALESCE($5, attendees), \
             insured = COALESCE($6, insured), member_id = $7, updated_at = $8 WHERE report_id = $1",
        )
        .bind(report_id).bind(&note).bind(fill.held).bind(&fill.held_on).bind(fill.attendees)
        .bind(fill.insured).bind(member_id).bind(now).execute(&mut *c).await.map(|_| ())?);
        Ok(())
    }

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
