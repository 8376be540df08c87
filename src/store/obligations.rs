//! Obligations, their assignments to units (with quota targets), and the holidays of the
//! working calendar.

use crate::domain::obligation::{Involvement, Shape};
use crate::domain::unit::UnitKind;

use super::{Store, StoreError, Tx, with_pool, with_tx};

/// A row of `obligation`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ObligationRow {
    /// Id.
    pub obligation_id: i64,
    /// Key ("R3").
    pub key: String,
    /// Resolution ("R3").
    pub resolution: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// The obligation's shape.
    pub shape: Shape,
    /// The follower-up office.
    pub follow_up_unit_id: i64,
    /// The office reported to.
    pub report_to_unit_id: i64,
    /// JSON of the schedule rule.
    pub schedule: String,
    /// JSON list of the responsible entries of the data file.
    pub responsible: String,
    /// Town population filter.
    pub population_below: Option<i64>,
    /// The meeting that adopted it.
    pub meeting_id: Option<i64>,
    /// The first period with occurrences (`Period::code`); none: from always.
    pub start_period: Option<i64>,
    /// The last period with occurrences; none: not retired.
    pub end_period: Option<i64>,
}

impl ObligationRow {
    /// Whether the obligation has occurrences in the period of code `period`: from its start's
    /// period to its end's, both included.
    pub fn in_force(&self, period: i64) -> bool {
        self.start_period.is_none_or(|s| s <= period) && self.end_period.is_none_or(|e| period <= e)
    }
}

/// A row of `meeting`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MeetingRow {
    /// Id.
    pub meeting_id: i64,
    /// Key ("1397-05").
    pub key: String,
    /// Gregorian ISO date of the session.
    pub held_on: String,
    /// Title (may be empty).
    pub title: String,
}

/// A row of `assignment`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AssignmentRow {
    /// Id.
    pub assignment_id: i64,
    /// The obligation.
    pub obligation_id: i64,
    /// The unit.
    pub unit_id: i64,
    /// How the unit takes part.
    pub involvement: Involvement,
    /// The kind it was assigned by.
    pub by_kind: Option<UnitKind>,
    /// Quota target.
    pub quota_target: Option<i64>,
    /// Still assigned.
    pub active: bool,
}

/// A row of `holiday`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct HolidayRow {
    /// Gregorian ISO date.
    pub holiday_date: String,
    /// Name.
    pub name: String,
}

const OBLIGATION_COLUMNS: &str = "obligation_id, key, resolution, title, description, shape, \
     follow_up_unit_id, report_to_unit_id, schedule, responsible, population_below, meeting_id, \
     start_period, end_period";

const ASSIGNMENT_COLUMNS: &str =
    "assignment_id, obligation_id, unit_id, involvement, by_kind, quota_target, active";

impl Store {
    /// Every obligation, by id.
    pub async fn obligations(&self) -> Result<Vec<ObligationRow>, StoreError> {
        let sql = format!("SELECT {OBLIGATION_COLUMNS} FROM obligation ORDER BY obligation_id");
        Ok(
            with_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).fetch_all(p).await?),
        )
    }

    /// When each obligation was first stored (UTC seconds), by id: the month an obligation
    /// without a start of its own came into the bot.
    pub async fn obligations_created(&self) -> Result<Vec<(i64, i64)>, StoreError> {
        let sql = "SELECT obligation_id, created_at FROM obligation ORDER BY obligation_id";
        Ok(with_pool!(self, p => sqlx::query_as(sql).fetch_all(p).await?))
    }

    /// Every assignment, active or not, by id.
    pub async fn assignments(&self) -> Result<Vec<AssignmentRow>, StoreError> {
        let sql = format!("SELECT {ASSIGNMENT_COLUMNS} FROM assignment ORDER BY assignment_id");
        Ok(
            with_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).fetch_all(p).await?),
        )
    }

    /// Every meeting, by id.
    pub async fn meetings(&self) -> Result<Vec<MeetingRow>, StoreError> {
        let sql = "SELECT meeting_id, key, held_on, title FROM meeting ORDER BY meeting_id";
        Ok(with_pool!(self, p => sqlx::query_as(sql).fetch_all(p).await?))
    }

    /// For every obligation adopted by a meeting: its occurrences from its start's period to
    /// `period` (and its end's), as (obligation id, done, due) as of `now`: due are those whose
    /// due time passed or that were reported by it; done, those reported by their due time
    /// (for meetings, with the session held). Responsible assignments, inactive ones included;
    /// occurrences created after their due time (a month caught up, never asked of anyone),
    /// as for the notices, not.
    pub async fn adoption_shares(
        &self,
        period: i64,
        now: i64,
    ) -> Result<Vec<(i64, i64, i64)>, StoreError> {
        let sql = "SELECT a.obligation_id, \
                   SUM(CASE WHEN o.status = 'reported' AND (b.shape <> 'meeting' OR r.held) \
                       THEN 1 ELSE 0 END), \
                   SUM(CASE WHEN o.due_at <= $2 OR o.status = 'reported' THEN 1 ELSE 0 END) \
                   FROM occurrence o JOIN assignment a ON a.assignment_id = o.assignment_id \
                   JOIN obligation b ON b.obligation_id = a.obligation_id \
                   LEFT JOIN report r ON r.occurrence_id = o.occurrence_id \
                   WHERE b.meeting_id IS NOT NULL AND a.involvement = 'responsible' \
                     AND o.created_at <= o.due_at \
                     AND o.period >= COALESCE(b.start_period, 0) AND o.period <= $1 \
                     AND (b.end_period IS NULL OR o.period <= b.end_period) \
                   GROUP BY a.obligation_id ORDER BY a.obligation_id";
        Ok(with_pool!(self, p => sqlx::query_as(sql).bind(period).bind(now).fetch_all(p).await?))
    }

    /// Every holiday, by date.
    pub async fn holidays(&self) -> Result<Vec<HolidayRow>, StoreError> {
        let sql = "SELECT holiday_date, name FROM holiday ORDER BY holiday_date";
        Ok(with_pool!(self, p => sqlx::query_as(sql).fetch_all(p).await?))
    }
}

impl Tx {
    /// Inserts an obligation and returns its id.
    pub async fn insert_obligation(
        &mut self,
        o: &ObligationRow,
        now: i64,
    ) -> Result<i64, StoreError> {
        let sql = "INSERT INTO obligation (key, resolution, title, description, shape, follow_up_unit_id, \
                   report_to_unit_id, schedule, responsible, population_below, meeting_id, start_period, end_period, \
                   created_at, updated_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING obligation_id";
        let (id,): (i64,) = with_tx!(self, c => sqlx::query_as(sql)
            .bind(&o.key).bind(&o.resolution).bind(&o.title).bind(&o.description).bind(o.shape.as_str())
            .bind(o.follow_up_unit_id).bind(o.report_to_unit_id).bind(&o.schedule)
            .bind(&o.responsible).bind(o.population_below).bind(o.meeting_id).bind(o.start_period)
            .bind(o.end_period).bind(now)
            .fetch_one(&mut *c).await?);
        Ok(id)
    }

    /// Rewrites an obligation's fields (by `o.obligation_id`).
    pub async fn update_obligation(
        &mut self,
        o: &ObligationRow,
        now: i64,
    ) -> Result<(), StoreError> {
        let sql = "UPDATE obligation SET resolution = $2, title = $3, description = $4, shape = $5, \
                   follow_up_unit_id = $6, report_to_unit_id = $7, schedule = $8, responsible = $9, \
                   population_below = $10, meeting_id = $11, start_period = $12, end_period = $13, \
                   updated_at = $14 WHERE obligation_id = $1";
        with_tx!(self, c => sqlx::query(sql)
            .bind(o.obligation_id).bind(&o.resolution).bind(&o.title).bind(&o.description).bind(o.shape.as_str())
            .bind(o.follow_up_unit_id).bind(o.report_to_unit_id).bind(&o.schedule)
            .bind(&o.responsible).bind(o.population_below).bind(o.meeting_id).bind(o.start_period)
            .bind(o.end_period).bind(now)
            .execute(&mut *c).await.map(|_| ())?);
        Ok(())
    }

    /// Removes the occurrences of obligation `obligation_id` outside its window (`start`..=`end`
    /// periods) that nothing refers to yet: open, without a report and without a queued
    /// message (created ahead by a tick before the import moved the window). What has history is
    /// kept, and the tick's queries leave it alone.
    pub async fn drop_stray_occurrences(
        &mut self,
        obligation_id: i64,
        start: Option<i64>,
        end: Option<i64>,
    ) -> Result<u64, StoreError> {
        let sql = "DELETE FROM occurrence WHERE occurrence_id IN (SELECT o.occurrence_id \
                   FROM occurrence o JOIN assignment a ON a.assignment_id = o.assignment_id \
                   WHERE a.obligation_id = $1 AND o.status = 'open' \
                   AND (o.period < COALESCE($2, o.period) OR o.period > COALESCE($3, o.period)) \
                   AND NOT EXISTS (SELECT 1 FROM report r WHERE r.occurrence_id = o.occurrence_id) \
                   AND NOT EXISTS (SELECT 1 FROM outbox x WHERE x.occurrence_id = o.occurrence_id))";
        Ok(
            with_tx!(self, c => sqlx::query(sql).bind(obligation_id).bind(start).bind(end)
            .execute(&mut *c).await.map(|r| r.rows_affected())?),
        )
    }

    /// Inserts a meeting and returns its id.
    pub async fn insert_meeting(&mut self, m: &MeetingRow, now: i64) -> Result<i64, StoreError> {
        let sql = "INSERT INTO meeting (key, held_on, title, created_at) VALUES ($1, $2, $3, $4) \
                   RETURNING meeting_id";
        let (id,): (i64,) = with_tx!(self, c => sqlx::query_as(sql)
            .bind(&m.key).bind(&m.held_on).bind(&m.title).bind(now)
            .fetch_one(&mut *c).await?);
        Ok(id)
    }

    /// Rewrites a meeting's date and title (by `m.meeting_id`).
    pub async fn update_meeting(&mut self, m: &MeetingRow) -> Result<(), StoreError> {
        let sql = "UPDATE meeting SET held_on = $2, title = $3 WHERE meeting_id = $1";
        with_tx!(self, c => sqlx::query(sql).bind(m.meeting_id).bind(&m.held_on).bind(&m.title)
            .execute(&mut *c).await.map(|_| ())?);
        Ok(())
    }

    /// Inserts assignments, several to a statement (their `assignment_id` is ignored).
    pub async fn insert_assignments(
        &mut self,
        assignments: &[AssignmentRow],
        now: i64,
    ) -> Result<(), StoreError> {
        for chunk in assignments.chunks(super::outbox::CHUNK) {
            let sql = format!(
                "INSERT INTO assignment (obligation_id, unit_id, involvement, by_kind, \
                 quota_target, active, created_at, updated_at) VALUES {}",
                super::values(chunk.len(), 8)
            );
            with_tx!(self, c => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
                for a in chunk {
                    q = q.bind(a.obligation_id).bind(a.unit_id).bind(a.involvement.as_str())
                        .bind(a.by_kind.map(UnitKind::as_str)).bind(a.quota_target).bind(a.active).bind(now).bind(now);
                }
                q.execute(&mut *c).await.map(|_| ())?
            });
        }
        Ok(())
    }

    /// Rewrites an assignment's fields (by `a.assignment_id`).
    pub async fn update_assignment(
        &mut self,
        a: &AssignmentRow,
        now: i64,
    ) -> Result<(), StoreError> {
        let sql = "UPDATE assignment SET involvement = $2, by_kind = $3, quota_target = $4, active = $5, \
                   updated_at = $6 WHERE assignment_id = $1";
        with_tx!(self, c => sqlx::query(sql)
            .bind(a.assignment_id).bind(a.involvement.as_str()).bind(a.by_kind.map(UnitKind::as_str)).bind(a.quota_target)
            .bind(a.active).bind(now)
            .execute(&mut *c).await.map(|_| ())?);
        Ok(())
    }

    /// Inserts or renames a holiday.
    pub async fn upsert_holiday(&mut self, h: &HolidayRow, now: i64) -> Result<(), StoreError> {
        let sql = "INSERT INTO holiday (holiday_date, name, created_at) VALUES ($1, $2, $3) \
                   ON CONFLICT (holiday_date) DO UPDATE SET name = excluded.name";
        with_tx!(self, c => sqlx::query(sql).bind(&h.holiday_date).bind(&h.name).bind(now)
            .execute(&mut *c).await.map(|_| ())?);
        Ok(())
    }
}
