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
     follow_up_unit_id, report_to_unit_id, schedule, responsible, population_below";

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

    /// Every assignment, active or not, by id.
    pub async fn assignments(&self) -> Result<Vec<AssignmentRow>, StoreError> {
        let sql = format!("SELECT {ASSIGNMENT_COLUMNS} FROM assignment ORDER BY assignment_id");
        Ok(
            with_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).fetch_all(p).await?),
        )
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
                   report_to_unit_id, schedule, responsible, population_below, created_at, updated_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING obligation_id";
        let (id,): (i64,) = with_tx!(self, c => sqlx::query_as(sql)
            .bind(&o.key).bind(&o.resolution).bind(&o.title).bind(&o.description).bind(o.shape.as_str())
            .bind(o.follow_up_unit_id).bind(o.report_to_unit_id).bind(&o.schedule)
            .bind(&o.responsible).bind(o.population_below).bind(now)
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
                   population_below = $10, updated_at = $11 WHERE obligation_id = $1";
        with_tx!(self, c => sqlx::query(sql)
            .bind(o.obligation_id).bind(&o.resolution).bind(&o.title).bind(&o.description).bind(o.shape.as_str())
            .bind(o.follow_up_unit_id).bind(o.report_to_unit_id).bind(&o.schedule)
            .bind(&o.responsible).bind(o.population_below).bind(now)
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
