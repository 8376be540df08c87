//! Applying a [`Plan`]: what the database holds is read once ([`Stored`]), every row the plan
//! wants is compared with the stored row of its key, and only what differs is written, with
//! an audit entry, in the caller's transaction. Every kind of row goes through the one
//! [`upsert`]; what differs between them is their [`Audited`] implementation.
//!
//! Writes go several rows to a statement (a national file has 75,000 rows to insert and as
//! many audit entries): new units one generation of parents at a time, then their audit entries
//! in the order of the rows.

use std::collections::{HashMap, HashSet};
use std::fmt;

use crate::domain::import::{Change, ObligationChange};
use crate::domain::text::normalize_key;
use crate::store::{
    AssignmentRow, AuditEntry, HolidayRow, MeetingRow, ObligationRow, Store, StoreError, Tx,
    UnitRow,
};

use super::plan::{Plan, StoredUnit};
use super::{Changes, ImportError, ImportSummary, Problem, ProblemKind};

/// The actor recorded in the audit trail for imports.
const ACTOR: &str = "cli:import";

/// What the database holds before the import.
#[derive(Debug)]
pub(super) struct Stored {
    meetings: Vec<MeetingRow>,
    units: Vec<UnitRow>,
    obligations: Vec<ObligationRow>,
    assignments: Vec<AssignmentRow>,
    holidays: Vec<HolidayRow>,
}

impl Stored {
    /// Reads every row an import may change.
    pub async fn read(store: &Store) -> Result<Stored, StoreError> {
        Ok(Stored {
            meetings: store.meetings().await?,
            units: store.units().await?,
            obligations: store.obligations().await?,
            assignments: store.assignments().await?,
            holidays: store.holidays().await?,
        })
    }

    /// The stored units as a plan needs them, in the order of their ids.
    pub fn units(&self) -> Vec<StoredUnit> {
        let unit = |u: &UnitRow| StoredUnit {
            key: u.key.clone(),
            kind: u.kind,
            population: u.population,
        };
        self.units.iter().map(unit).collect()
    }
}

/// A row the import writes: how it is compared with the stored row of its key, written and
/// audited.
trait Audited: fmt::Debug + PartialEq + Sized {
    /// The audit trail's entity.
    const ENTITY: &'static str;

    /// Takes the stored row's id, so that the two compare by what the file says.
    fn adopt(&mut self, stored: &Self);

    /// Inserts new rows, setting the ids that their audit entries show.
    async fn insert(tx: &mut Tx, rows: &mut [Self], now: i64) -> Result<(), StoreError>;

    /// Rewrites a stored row.
    async fn update(tx: &mut Tx, row: &Self, now: i64) -> Result<(), StoreError>;

    /// The audit detail of an insert.
    fn inserted(&self) -> String {
        format!("{self:?}")
    }

    /// The audit detail of an update.
    fn updated(old: &Self, new: &Self) -> String {
        serde_json::json!({ "old": format!("{old:?}"), "new": format!("{new:?}") }).to_string()
    }
}

impl Audited for UnitRow {
    const ENTITY: &'static str = "unit";

    fn adopt(&mut self, stored: &Self) {
        self.unit_id = stored.unit_id;
    }

    async fn insert(tx: &mut Tx, rows: &mut [Self], now: i64) -> Result<(), StoreError> {
        tx.insert_units(rows, now).await
    }

    async fn update(tx: &mut Tx, row: &Self, now: i64) -> Result<(), StoreError> {
        tx.update_unit(row, now).await
    }
}

impl Audited for ObligationRow {
    const ENTITY: &'static str = "obligation";

    fn adopt(&mut self, stored: &Self) {
        self.obligation_id = stored.obligation_id;
    }

    async fn insert(tx: &mut Tx, rows: &mut [Self], now: i64) -> Result<(), StoreError> {
        for row in rows {
            row.obligation_id = tx.insert_obligation(row, now).await?;
        }
        Ok(())
    }

    async fn update(tx: &mut Tx, row: &Self, now: i64) -> Result<(), StoreError> {
        tx.update_obligation(row, now).await
    }
}

impl Audited for MeetingRow {
    const ENTITY: &'static str = "meeting";

    fn adopt(&mut self, stored: &Self) {
        self.meeting_id = stored.meeting_id;
    }

    async fn insert(tx: &mut Tx, rows: &mut [Self], now: i64) -> Result<(), StoreError> {
        for row in rows {
            row.meeting_id = tx.insert_meeting(row, now).await?;
        }
        Ok(())
    }

    async fn update(tx: &mut Tx, row: &Self, _now: i64) -> Result<(), StoreError> {
        tx.update_meeting(row).await
    }
}

impl Audited for AssignmentRow {
    const ENTITY: &'static str = "assignment";

    fn adopt(&mut self, stored: &Self) {
        self.assignment_id = stored.assignment_id;
    }

    /// The new rows keep `assignment_id: 0` (their audit entries have always shown it so).
    async fn insert(tx: &mut Tx, rows: &mut [Self], now: i64) -> Result<(), StoreError> {
        tx.insert_assignments(rows, now).await
    }

    async fn update(tx: &mut Tx, row: &Self, now: i64) -> Result<(), StoreError> {
        tx.update_assignment(row, now).await
    }
}

impl Audited for HolidayRow {
    const ENTITY: &'static str = "holiday";

    fn adopt(&mut self, _stored: &Self) {}

    async fn insert(tx: &mut Tx, rows: &mut [Self], now: i64) -> Result<(), StoreError> {
        for row in rows {
            tx.upsert_holiday(row, now).await?;
        }
        Ok(())
    }

    async fn update(tx: &mut Tx, row: &Self, now: i64) -> Result<(), StoreError> {
        tx.upsert_holiday(row, now).await
    }

    fn inserted(&self) -> String {
        self.name.clone()
    }

    fn updated(_old: &Self, new: &Self) -> String {
        new.name.clone()
    }
}

/// A row the file wants: its audit key, the stored row of that key if any, and the row.
struct Wanted<'s, R> {
    key: String,
    stored: Option<&'s R>,
    row: R,
}

/// An audit entry to write: action, key, detail.
type Audit = (&'static str, String, String);

/// The one audited upsert: each wanted row is compared with its stored row and inserted,
/// updated or left alone; `changes` counts which, and every insert and update gets an audit
/// entry, in the order of `wanted`. Returns the rows as stored (with their ids), in that order.
async fn upsert<R: Audited>(
    tx: &mut Tx,
    wanted: Vec<Wanted<'_, R>>,
    changes: &mut Changes,
    now: i64,
) -> Result<Vec<R>, StoreError> {
    enum Step<R> {
        Kept(R),
        Updated(R, String),
        /// The row is the next one of the new rows.
        Inserted,
    }
    let mut new_rows = Vec::new();
    let mut steps = Vec::with_capacity(wanted.len());
    for Wanted {
        key,
        stored,
        mut row,
    } in wanted
    {
        let step = match stored {
            Some(old) => {
                row.adopt(old);
                if *old == row {
                    changes.unchanged += 1;
                    Step::Kept(row)
                } else {
                    R::update(tx, &row, now).await?;
                    changes.updated += 1;
                    let detail = R::updated(old, &row);
                    Step::Updated(row, detail)
                }
            }
            None => {
                new_rows.push(row);
                changes.inserted += 1;
                Step::Inserted
            }
        };
        steps.push((key, step));
    }
    R::insert(tx, &mut new_rows, now).await?;

    let mut new_rows = new_rows.into_iter();
    let mut audits = Vec::new();
    let mut rows = Vec::with_capacity(steps.len());
    for (key, step) in steps {
        let row = match step {
            Step::Kept(row) => row,
            Step::Updated(row, detail) => {
                audits.push(("update", key, detail));
                row
            }
            Step::Inserted => {
                // As many new rows as `Inserted` steps, in their order.
                let Some(row) = new_rows.next() else { break };
                audits.push(("insert", key, row.inserted()));
                row
            }
        };
        rows.push(row);
    }
    audit(tx, R::ENTITY, &audits, now).await?;
    Ok(rows)
}

/// Writes `audits` of `entity` to the trail, in their order.
async fn audit(tx: &mut Tx, entity: &str, audits: &[Audit], now: i64) -> Result<(), StoreError> {
    let entries: Vec<AuditEntry<'_>> = audits
        .iter()
        .map(|(action, key, detail)| AuditEntry {
            actor: ACTOR,
            action,
            entity,
            entity_key: key,
            detail: detail.clone(),
        })
        .collect();
    tx.audit_all(&entries, now).await
}

/// The id of unit `key`, named at `line`. The plan was resolved against the same stored
/// units, so a miss is a plan that does not belong to this database: refused as a problem.
fn unit_id(ids: &HashMap<String, i64>, key: &str, line: usize) -> Result<i64, ImportError> {
    ids.get(key).copied().ok_or_else(|| {
        ImportError::Invalid(vec![Problem {
            line,
            kind: ProblemKind::UnknownUnit(key.to_owned()),
        }])
    })
}

/// Brings the database to what `plan` says, in `tx`; `stored` is what it held before (the
/// rows `plan` was resolved against).
#[tracing::instrument(skip_all)]
pub(super) async fn apply(
    tx: &mut Tx,
    plan: &Plan,
    stored: &Stored,
    now: i64,
) -> Result<ImportSummary, ImportError> {
    let mut summary = ImportSummary::default();

    // Units, parents first: a generation of new units is written before its children.
    let mut ids: HashMap<String, i64> = stored
        .units
        .iter()
        .map(|u| (u.key.clone(), u.unit_id))
        .collect();
    let stored_units: HashMap<&str, &UnitRow> =
        stored.units.iter().map(|u| (u.key.as_str(), u)).collect();
    let mut wave: Vec<Wanted<UnitRow>> = Vec::new();
    let mut unwritten = HashSet::new();
    for u in &plan.units {
        if let Some(parent) = &u.parent
            && unwritten.contains(parent.as_str())
        {
            for row in upsert(tx, std::mem::take(&mut wave), &mut summary.units, now).await? {
                ids.insert(row.key, row.unit_id);
            }
            unwritten.clear();
        }
        let parent_id = match &u.parent {
            Some(parent) => Some(unit_id(&ids, parent.as_str(), u.line)?),
            None => None,
        };
        let stored = stored_units.get(u.key.as_str()).copied();
        if stored.is_none() {
            unwritten.insert(u.key.as_str());
        }
        let row = UnitRow {
            unit_id: 0,
            key: u.key.to_string(),
            kind: u.kind,
            name: u.name.clone(),
            name_key: normalize_key(&u.name),
            parent_id,
            population: u.population,
        };
        let key = row.key.clone();
        wave.push(Wanted { key, stored, row });
    }
    for row in upsert(tx, wave, &mut summary.units, now).await? {
        ids.insert(row.key, row.unit_id);
    }

    // Meetings, before the obligations that name them.
    let stored_meetings: HashMap<&str, &MeetingRow> = stored
        .meetings
        .iter()
        .map(|m| (m.key.as_str(), m))
        .collect();
    let wanted = plan
        .meetings
        .iter()
        .map(|m| {
            let row = MeetingRow {
                meeting_id: 0,
                key: m.key.clone(),
                held_on: m.date.to_gregorian().to_string(),
                title: m.title.clone(),
            };
            let stored = stored_meetings.get(m.key.as_str()).copied();
            let key = m.key.clone();
            Wanted { key, stored, row }
        })
        .collect();
    let meeting_ids: HashMap<String, i64> = upsert(tx, wanted, &mut summary.meetings, now)
        .await?
        .into_iter()
        .map(|m| (m.key, m.meeting_id))
        .collect();

    // Obligations.
    let stored_obligations: HashMap<&str, &ObligationRow> = stored
        .obligations
        .iter()
        .map(|o| (o.key.as_str(), o))
        .collect();
    let mut wanted = Vec::with_capacity(plan.obligations.len());
    for o in plan.obligations.iter().map(|o| &o.entry) {
        let row = ObligationRow {
            obligation_id: 0,
            key: o.key.clone(),
            resolution: o.resolution.clone(),
            title: o.title.clone(),
            description: o.description.clone(),
            shape: o.shape,
            follow_up_unit_id: unit_id(&ids, o.follow_up.as_str(), o.line)?,
            report_to_unit_id: unit_id(&ids, o.report_to.as_str(), o.line)?,
            schedule: serde_json::to_string(&o.schedule).unwrap_or_default(),
            responsible: serde_json::to_string(&o.responsible_text).unwrap_or_default(),
            population_below: o.population_below,
            meeting_id: o.meeting.as_ref().and_then(|m| meeting_ids.get(m).copied()),
            start_period: o.start.map(|d| i64::from(d.period().code())),
            end_period: o.end.map(|d| i64::from(d.period().code())),
        };
        let stored = stored_obligations.get(o.key.as_str()).copied();
        if let Some(change) = change_of(stored, &row) {
            let (from, until) = (o.start.map(|d| d.period()), o.end.map(|d| d.period()));
            let (key, title) = (o.key.clone(), o.title.clone());
            summary.plan.push(ObligationChange {
                change,
                key,
                title,
                from,
                until,
            });
        }
        let key = o.key.clone();
        wanted.push(Wanted { key, stored, row });
    }
    let windows: Vec<Option<(Option<i64>, Option<i64>)>> = wanted
        .iter()
        .map(|w| w.stored.map(|old| (old.start_period, old.end_period)))
        .collect();
    let obligations = upsert(tx, wanted, &mut summary.obligations, now).await?;
    // A stored obligation whose window moved loses the occurrences created ahead outside it.
    for (row, old) in obligations.iter().zip(windows) {
        if old.is_some_and(|old| old != (row.start_period, row.end_period)) {
            let (start, end) = (row.start_period, row.end_period);
            tx.drop_stray_occurrences(row.obligation_id, start, end)
                .await?;
        }
    }

    // Assignments, with their quotas.
    let mut stored_assignments: HashMap<(i64, i64), &AssignmentRow> = stored
        .assignments
        .iter()
        .map(|a| ((a.obligation_id, a.unit_id), a))
        .collect();
    let mut wanted = Vec::new();
    for (planned, obligation) in plan.obligations.iter().zip(&obligations) {
        let o = &planned.entry;
        for a in &planned.assignments {
            let row = AssignmentRow {
                assignment_id: 0,
                obligation_id: obligation.obligation_id,
                unit_id: unit_id(&ids, &a.unit, o.line)?,
                involvement: a.involvement,
                by_kind: a.by_kind,
                quota_target: a.quota_target,
                active: true,
            };
            let stored = stored_assignments.remove(&(row.obligation_id, row.unit_id));
            let key = format!("{}/{}", o.key, a.unit);
            wanted.push(Wanted { key, stored, row });
        }
    }
    upsert(tx, wanted, &mut summary.assignments, now).await?;
    // Assignments of the file's obligations that the file no longer makes: kept, inactive.
    let file_obligations: HashSet<i64> = obligations.iter().map(|o| o.obligation_id).collect();
    let mut gone: Vec<&AssignmentRow> = stored_assignments
        .into_values()
        .filter(|a| file_obligations.contains(&a.obligation_id) && a.active)
        .collect();
    gone.sort_by_key(|a| a.assignment_id);
    let mut audits = Vec::with_capacity(gone.len());
    for old in gone {
        let row = AssignmentRow {
            active: false,
            ..old.clone()
        };
        tx.update_assignment(&row, now).await?;
        audits.push(("deactivate", old.assignment_id.to_string(), String::new()));
        summary.assignments.updated += 1;
    }
    audit(tx, AssignmentRow::ENTITY, &audits, now).await?;

    // Holidays.
    let stored_holidays: HashMap<&str, &HolidayRow> = stored
        .holidays
        .iter()
        .map(|h| (h.holiday_date.as_str(), h))
        .collect();
    let wanted = plan
        .holidays
        .iter()
        .map(|(date, name)| {
            let row = HolidayRow {
                holiday_date: date.to_gregorian().to_string(),
                name: name.clone(),
            };
            let stored = stored_holidays.get(row.holiday_date.as_str()).copied();
            let key = row.holiday_date.clone();
            Wanted { key, stored, row }
        })
        .collect();
    upsert(tx, wanted, &mut summary.holidays, now).await?;
    Ok(summary)
}

/// What the import does to an obligation whose stored row is `stored` and wanted row `row`
/// (ids aside); `None` when nothing.
fn change_of(stored: Option<&ObligationRow>, row: &ObligationRow) -> Option<Change> {
    let Some(old) = stored else {
        return Some(Change::Added);
    };
    let row = ObligationRow {
        obligation_id: old.obligation_id,
        ..row.clone()
    };
    if *old == row {
        None
    } else if row.end_period.is_some() && row.end_period != old.end_period {
        Some(Change::Retired)
    } else {
        Some(Change::Changed)
    }
}
