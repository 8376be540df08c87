//! Units of the administrative tree (province, county, district, …, directorates and offices).

use std::collections::HashMap;

use crate::domain::unit::UnitKind;

use super::{Store, StoreError, Tx, with_pool, with_tx};

/// A row of `unit`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UnitRow {
    /// Id.
    pub unit_id: i64,
    /// Stable slug.
    pub key: String,
    /// The kind of unit.
    pub kind: UnitKind,
    /// Display name.
    pub name: String,
    /// Normalised name.
    pub name_key: String,
    /// Parent unit.
    pub parent_id: Option<i64>,
    /// Inhabitants (towns).
    pub population: Option<i64>,
}

const UNIT_COLUMNS: &str = "unit_id, key, kind, name, name_key, parent_id, population";

impl Store {
    /// Every unit, by id.
    pub async fn units(&self) -> Result<Vec<UnitRow>, StoreError> {
        let sql = format!("SELECT {UNIT_COLUMNS} FROM unit ORDER BY unit_id");
        Ok(
            with_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).fetch_all(p).await?),
        )
    }

    /// The unit with this id.
    pub async fn unit(&self, unit_id: i64) -> Result<Option<UnitRow>, StoreError> {
        let sql = format!("SELECT {UNIT_COLUMNS} FROM unit WHERE unit_id = $1");
        Ok(
            with_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(unit_id).fetch_optional(p).await?),
        )
    }

    /// The unit with this key.
    pub async fn unit_by_key(&self, key: &str) -> Result<Option<UnitRow>, StoreError> {
        let sql = format!("SELECT {UNIT_COLUMNS} FROM unit WHERE key = $1");
        Ok(
            with_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(key).fetch_optional(p).await?),
        )
    }

    /// The units whose normalised name is `name_key`.
    pub async fn units_by_name_key(&self, name_key: &str) -> Result<Vec<UnitRow>, StoreError> {
        let sql = format!("SELECT {UNIT_COLUMNS} FROM unit WHERE name_key = $1 ORDER BY unit_id");
        Ok(
            with_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(name_key).fetch_all(p).await?),
        )
    }
}

impl Tx {
    /// Inserts units, several to a statement, and sets their ids (`unit_id` is ignored on the
    /// way in). A unit's parent must be stored before: in an earlier call.
    pub async fn insert_units(
        &mut self,
        units: &mut [UnitRow],
        now: i64,
    ) -> Result<(), StoreError> {
        for chunk in units.chunks_mut(super::outbox::CHUNK) {
            let sql = format!(
                "INSERT INTO unit (key, kind, name, name_key, parent_id, population, created_at, \
                 updated_at) VALUES {} RETURNING key, unit_id",
                super::values(chunk.len(), 8)
            );
            let ids: Vec<(String, i64)> = with_tx!(self, c => {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()));
                for u in chunk.iter() {
                    q = q.bind(&u.key).bind(u.kind.as_str()).bind(&u.name).bind(&u.name_key)
                        .bind(u.parent_id).bind(u.population).bind(now).bind(now);
                }
                q.fetch_all(&mut *c).await?
            });
            // RETURNING promises no order: the ids are matched by key.
            let ids: HashMap<String, i64> = ids.into_iter().collect();
            for u in chunk {
                u.unit_id = ids.get(&u.key).copied().ok_or(StoreError::Corrupt {
                    table: "unit",
                    column: "unit_id".into(),
                    value: format!("no id returned for {}", u.key),
                })?;
            }
        }
        Ok(())
    }

    /// Rewrites a unit's fields (by `unit.unit_id`).
    pub async fn update_unit(&mut self, unit: &UnitRow, now: i64) -> Result<(), StoreError> {
        let sql = "UPDATE unit SET kind = $2, name = $3, name_key = $4, parent_id = $5, population = $6, \
                   updated_at = $7 WHERE unit_id = $1";
        with_tx!(self, c => sqlx::query(sql)
            .bind(unit.unit_id).bind(unit.kind.as_str()).bind(&unit.name).bind(&unit.name_key)
            .bind(unit.parent_id).bind(unit.population).bind(now)
            .execute(&mut *c).await.map(|_| ())?);
        Ok(())
    }
}
