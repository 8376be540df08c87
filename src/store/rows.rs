//! Row types and the queries that read and write them.

use super::{Store, StoreError, Tx, with_pool, with_tx};

/// A row of `unit`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UnitRow {
    /// Id.
    pub unit_id: i64,
    /// Stable slug.
    pub key: String,
    /// `domain::unit::UnitKind` name.
    pub kind: String,
    /// Display name.
    pub name: String,
    /// Normalised name.
    pub name_key: String,
    /// Parent unit.
    pub parent_id: Option<i64>,
    /// Inhabitants (towns).
    pub population: Option<i64>,
}

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
    /// `domain::obligation::Shape` name.
    pub shape: String,
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
    /// `responsible` or `collaborating`.
    pub involvement: String,
    /// The kind it was assigned by.
    pub by_kind: Option<String>,
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

/// A row of `invite`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InviteRow {
    /// The code.
    pub code: String,
    /// The unit joined.
    pub unit_id: i64,
    /// The role given.
    pub role: String,
    /// Uses allowed.
    pub max_uses: i64,
    /// Uses made.
    pub uses: i64,
    /// Expiry, UTC seconds.
    pub expires_at: Option<i64>,
    /// Creation, UTC seconds.
    pub created_at: i64,
}

/// One occurrence of a period with its assignment and report, as the summary reads it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PeriodRow {
    /// The occurrence.
    pub occurrence_id: i64,
    /// Its due time, UTC seconds.
    pub due_at: i64,
    /// `open`, `reported`, `late` or `missed`.
    pub status: String,
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
    pub source: Option<(String, i64, i64)>,
}

/// A row of `audit`, to insert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry<'a> {
    /// Who.
    pub actor: &'a str,
    /// Did what.
    pub action: &'a str,
    /// To which table.
    pub entity: &'a str,
    /// To which row.
    pub entity_key: &'a str,
    /// JSON detail.
    pub detail: String,
}

const UNIT_COLUMNS: &str = "unit_id, key, kind, name, name_key, parent_id, population";
const OBLIGATION_COLUMNS: &str = "obligation_id, key, resolution, title, description, shape, \
     follow_up_unit_id, report_to_unit_id, schedule, responsible, population_below";
const ASSIGNMENT_COLUMNS: &str =
    "assignment_id, obligation_id, unit_id, involvement, by_kind, quota_target, active";

const PERIOD_ROW: &str = "SELECT o.occurrence_id, o.due_at, o.status, a.obligation_id, a.unit_id, \
     r.body, r.held, r.held_on, r.attendees, r.insured, r.late \
     FROM occurrence o \
     JOIN assignment a ON a.assignment_id = o.assignment_id \
     LEFT JOIN report r ON r.occurrence_id = o.occurrence_id";

/// See [`Store::summary_mark`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SummaryMark {
    /// The latest report revision.
    pub revision: i64,
    /// The latest occurrence.
    pub occurrence: i64,
    /// The latest audit entry.
    pub audit: i64,
}

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

    /// The invite with this code.
    pub async fn invite(&self, code: &str) -> Result<Option<InviteRow>, StoreError> {
        let sql = "SELECT code, unit_id, role, max_uses, uses, expires_at, created_at \
                   FROM invite WHERE code = $1";
        Ok(with_pool!(self, p => sqlx::query_as(sql).bind(code).fetch_optional(p).await?))
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

    /// What a summary depends on, read in one cheap query (each part is the largest key of
    /// a table that only grows): the latest report revision (every report and correction adds
    /// one), the latest occurrence, and the latest audit entry (every import writes some).
    pub async fn summary_mark(&self) -> Result<SummaryMark, StoreError> {
        let sql = "SELECT COALESCE((SELECT MAX(report_revision_id) FROM report_revision), 0), \
                   COALESCE((SELECT MAX(occurrence_id) FROM occurrence), 0), \
                   COALESCE((SELECT MAX(audit_id) FROM audit), 0)";
        let (revision, occurrence, audit): (i64, i64, i64) = match self {
            Store::Sqlite(s) => sqlx::query_as(sql).fetch_one(s.pool()).await?,
            Store::Postgres(p) => {
                // PostgreSQL only: wait for the writers in flight (they hold WRITERS_LOCK
                // shared), so that no lower id is still to be committed after this read.
                let mut tx = p.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(super::WRITERS_LOCK)
                    .execute(&mut *tx)
                    .await?;
                let mark = sqlx::query_as(sql).fetch_one(&mut *tx).await?;
                tx.commit().await?;
                mark
            }
        };
        Ok(SummaryMark {
            revision,
            occurrence,
            audit,
        })
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

    /// How many rows `table` has (for tests and the operator's sanity checks). `table` must be
    /// one of the schema's tables.
    pub async fn count(&self, table: &str) -> Result<i64, StoreError> {
        const TABLES: [&str; 13] = [
            "inbox",
            "member_state",
            "outbox",
            "unit",
            "obligation",
            "assignment",
            "holiday",
            "member",
            "invite",
            "occurrence",
            "report",
            "report_revision",
            "audit",
        ];
        let table = TABLES
            .into_iter()
            .find(|t| *t == table)
            .ok_or(StoreError::Unsupported("unknown table"))?;
        let sql = format!("SELECT COUNT(*) FROM {table}");
        let (n,): (i64,) = with_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).fetch_one(p).await?);
        Ok(n)
    }
}

impl Tx {
    /// Inserts a unit and returns its id.
    pub async fn insert_unit(&mut self, unit: &UnitRow, now: i64) -> Result<i64, StoreError> {
        let sql = "INSERT INTO unit (key, kind, name, name_key, parent_id, population, created_at, updated_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING unit_id";
        let (id,): (i64,) = with_tx!(self, c => sqlx::query_as(sql)
            .bind(&unit.key).bind(&unit.kind).bind(&unit.name).bind(&unit.name_key)
            .bind(unit.parent_id).bind(unit.population).bind(now)
            .fetch_one(&mut *c).await?);
        Ok(id)
    }

    /// Rewrites a unit's fields (by `unit.unit_id`).
    pub async fn update_unit(&mut self, unit: &UnitRow, now: i64) -> Result<(), StoreError> {
        let sql = "UPDATE unit SET kind = $2, name = $3, name_key = $4, parent_id = $5, population = $6, \
                   updated_at = $7 WHERE unit_id = $1";
        with_tx!(self, c => sqlx::query(sql)
            .bind(unit.unit_id).bind(&unit.kind).bind(&unit.name).bind(&unit.name_key)
            .bind(unit.parent_id).bind(unit.population).bind(now)
            .execute(&mut *c).await.map(|_| ())?);
        Ok(())
    }

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
            .bind(&o.key).bind(&o.resolution).bind(&o.title).bind(&o.description).bind(&o.shape)
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
            .bind(o.obligation_id).bind(&o.resolution).bind(&o.title).bind(&o.description).bind(&o.shape)
            .bind(o.follow_up_unit_id).bind(o.report_to_unit_id).bind(&o.schedule)
            .bind(&o.responsible).bind(o.population_below).bind(now)
            .execute(&mut *c).await.map(|_| ())?);
        Ok(())
    }

    /// Inserts an assignment and returns its id.
    pub async fn insert_assignment(
        &mut self,
        a: &AssignmentRow,
        now: i64,
    ) -> Result<i64, StoreError> {
        let sql = "INSERT INTO assignment (obligation_id, unit_id, involvement, by_kind, quota_target, \
                   active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
                   RETURNING assignment_id";
        let (id,): (i64,) = with_tx!(self, c => sqlx::query_as(sql)
            .bind(a.obligation_id).bind(a.unit_id).bind(&a.involvement).bind(&a.by_kind)
            .bind(a.quota_target).bind(a.active).bind(now)
            .fetch_one(&mut *c).await?);
        Ok(id)
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
            .bind(a.assignment_id).bind(&a.involvement).bind(&a.by_kind).bind(a.quota_target)
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

    /// Inserts an invite.
    pub async fn insert_invite(
        &mut self,
        i: &InviteRow,
        created_by: &str,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO invite (code, unit_id, role, max_uses, uses, expires_at, created_at, created_by) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
        with_tx!(self, c => sqlx::query(sql)
            .bind(&i.code).bind(i.unit_id).bind(&i.role).bind(i.max_uses).bind(i.uses)
            .bind(i.expires_at).bind(i.created_at).bind(created_by)
            .execute(&mut *c).await.map(|_| ())?);
        Ok(())
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
                      RETURNING report_id, late";
        let revision = "INSERT INTO report_revision (report_id, member_id, body, held, held_on, attendees, \
                        insured, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
        let status = "UPDATE occurrence SET status = $2, updated_at = $3 WHERE occurrence_id = $1";
        let (report_id,): (i64,) = with_tx!(self, c => {
            let (report_id, late): (i64, bool) = sqlx::query_as(upsert)
                .bind(occurrence_id).bind(input.member_id).bind(&input.body).bind(input.held)
                .bind(&input.held_on).bind(input.attendees).bind(input.insured).bind(now)
                .bind(platform).bind(chat_id).bind(message_id)
                .fetch_one(&mut *c).await?;
            sqlx::query(revision)
                .bind(report_id).bind(input.member_id).bind(&input.body).bind(input.held)
                .bind(&input.held_on).bind(input.attendees).bind(input.insured).bind(now)
                .execute(&mut *c).await?;
            sqlx::query(status).bind(occurrence_id).bind(if late { "late" } else { "reported" }).bind(now)
                .execute(&mut *c).await?;
            (report_id,)
        });
        Ok(report_id)
    }

    /// Appends to the audit trail.
    pub async fn audit(&mut self, entry: &AuditEntry<'_>, now: i64) -> Result<(), StoreError> {
        let sql = "INSERT INTO audit (at, actor, action, entity, entity_key, detail) \
                   VALUES ($1, $2, $3, $4, $5, $6)";
        with_tx!(self, c => sqlx::query(sql)
            .bind(now).bind(entry.actor).bind(entry.action).bind(entry.entity)
            .bind(entry.entity_key).bind(&entry.detail)
            .execute(&mut *c).await.map(|_| ())?);
        Ok(())
    }
}
