//! `setad import`: the idempotent upsert of a TOML data file (the unit tree, obligations,
//! assignments, quotas and holidays).
//!
//! The file is read and checked as a whole first; every problem is reported with its line
//! number. Only a file without problems is applied, in one transaction: the database is either
//! brought to what the file says or left untouched. Importing the same file again changes
//! nothing (no row, no timestamp, no audit entry).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use serde::Deserialize;
use toml::Spanned;

use crate::domain::Lang;
use crate::domain::calendar::JalaliDate;
use crate::domain::obligation::{DueRule, Involvement, JalaliDateText, Schedule, Shape, TimeOfDay};
use crate::domain::text::normalize_key;
use crate::domain::unit::{UnitKey, UnitKind};
use crate::store::{
    AssignmentRow, AuditEntry, HolidayRow, ObligationRow, Store, StoreError, UnitRow,
};
use crate::t;

/// The actor recorded in the audit trail for imports.
const ACTOR: &str = "cli:import";

/// One problem in a data file, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub kind: ProblemKind,
}

/// What can be wrong in a data file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// Not TOML, or not the expected fields (the parser's words).
    Syntax(String),
    /// A key that is not a lowercase slug.
    BadKey(String),
    /// A key used twice.
    DuplicateKey(String),
    /// An unknown unit kind.
    UnknownKind(String),
    /// A unit without a parent that is not the first one, or a second root.
    MissingParent(String),
    /// A parent that is not defined earlier in the file nor in the database.
    UnknownParent {
        /// The unit.
        key: String,
        /// The parent named.
        parent: String,
    },
    /// A unit key named by an obligation or quota that does not exist.
    UnknownUnit(String),
    /// An obligation key named by a quota that does not exist.
    UnknownObligation(String),
    /// An unknown obligation shape.
    UnknownShape(String),
    /// A date that is not a valid Jalali date.
    BadDate(String),
    /// A time that is not HH:MM.
    BadTime(String),
    /// A value out of range.
    OutOfRange {
        /// The field.
        field: &'static str,
        /// The value.
        value: i64,
    },
    /// Schedule fields that do not fit the shape (a deadline's fields on a monthly obligation…).
    ScheduleMismatch {
        /// The obligation.
        key: String,
        /// Its shape.
        shape: String,
    },
    /// A quota on an obligation that is not a quota.
    NotAQuota(String),
    /// A quota for a unit the obligation is not assigned to.
    QuotaNotAssigned {
        /// The obligation.
        obligation: String,
        /// The unit.
        unit: String,
    },
    /// A responsible entry that names nothing (`kind:` with no unit of that kind).
    EmptyAssignment(String),
}

impl ProblemKind {
    /// The problem in words, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            ProblemKind::Syntax(m) => t!(lang, "import-syntax", message = m.clone()),
            ProblemKind::BadKey(k) => t!(lang, "import-bad-key", key = k.clone()),
            ProblemKind::DuplicateKey(k) => t!(lang, "import-duplicate-key", key = k.clone()),
            ProblemKind::UnknownKind(k) => t!(lang, "import-unknown-kind", kind = k.clone()),
            ProblemKind::MissingParent(k) => t!(lang, "import-missing-parent", key = k.clone()),
            ProblemKind::UnknownParent { key, parent } => {
                t!(
                    lang,
                    "import-unknown-parent",
                    key = key.clone(),
                    parent = parent.clone()
                )
            }
            ProblemKind::UnknownUnit(k) => t!(lang, "import-unknown-unit", key = k.clone()),
            ProblemKind::UnknownObligation(k) => {
                t!(lang, "import-unknown-obligation", key = k.clone())
            }
            ProblemKind::UnknownShape(s) => t!(lang, "import-unknown-shape", shape = s.clone()),
            ProblemKind::BadDate(d) => t!(lang, "import-bad-date", date = d.clone()),
            ProblemKind::BadTime(s) => t!(lang, "import-bad-time", time = s.clone()),
            ProblemKind::OutOfRange { field, value } => {
                let (field, value) = (field.to_string(), *value);
                t!(lang, "import-out-of-range", field = field, value = value)
            }
            ProblemKind::ScheduleMismatch { key, shape } => {
                t!(
                    lang,
                    "import-schedule-mismatch",
                    key = key.clone(),
                    shape = shape.clone()
                )
            }
            ProblemKind::NotAQuota(k) => t!(lang, "import-not-a-quota", key = k.clone()),
            ProblemKind::QuotaNotAssigned { obligation, unit } => {
                t!(
                    lang,
                    "import-quota-not-assigned",
                    obligation = obligation.clone(),
                    unit = unit.clone()
                )
            }
            ProblemKind::EmptyAssignment(e) => {
                t!(lang, "import-empty-assignment", entry = e.clone())
            }
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.kind.message(Lang::En))
    }
}

/// Why an import did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file has problems; nothing was changed.
    #[error("the data file has {} problem(s); nothing was changed", .0.len())]
    Invalid(Vec<Problem>),
    /// The database failed; the transaction was rolled back.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How many rows of one kind an import inserted, updated or found unchanged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Changes {
    /// Rows added.
    pub inserted: u32,
    /// Rows changed (including assignments deactivated).
    pub updated: u32,
    /// Rows already as the file says.
    pub unchanged: u32,
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Units.
    pub units: Changes,
    /// Obligations.
    pub obligations: Changes,
    /// Assignments (with their quotas).
    pub assignments: Changes,
    /// Holidays.
    pub holidays: Changes,
}

impl ImportSummary {
    /// Whether the import changed anything.
    pub fn changed_anything(&self) -> bool {
        [
            self.units,
            self.obligations,
            self.assignments,
            self.holidays,
        ]
        .iter()
        .any(|c| c.inserted + c.updated > 0)
    }
}

// ---- The file, as written ------------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DataFile {
    #[allow(dead_code)]
    meta: Option<toml::Table>,
    #[serde(default)]
    unit: Vec<Spanned<UnitEntry>>,
    #[serde(default)]
    obligation: Vec<Spanned<ObligationEntry>>,
    #[serde(default)]
    quota: Vec<Spanned<QuotaEntry>>,
    #[serde(default)]
    holiday: Vec<Spanned<HolidayEntry>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UnitEntry {
    key: String,
    kind: String,
    name: String,
    parent: Option<String>,
    population: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ObligationEntry {
    key: String,
    resolution: Option<String>,
    title: String,
    #[serde(default)]
    description: String,
    shape: String,
    responsible: Vec<String>,
    #[serde(default)]
    collaborating: Vec<String>,
    follow_up: String,
    report_to: Option<String>,
    population_below: Option<i64>,
    schedule: Option<ScheduleEntry>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScheduleEntry {
    remind_day: Option<i64>,
    remind_time: Option<String>,
    due_day: Option<i64>,
    due_before_end: Option<i64>,
    nudge_days: Option<i64>,
    escalate_days: Option<i64>,
    start: Option<String>,
    within_months: Option<i64>,
    remind_days_before: Option<Vec<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct QuotaEntry {
    obligation: String,
    unit: String,
    target: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HolidayEntry {
    date: String,
    name: String,
}

// ---- The file, checked ---------------------------------------------------------------------

/// A data file that has passed every check that does not need the database.
#[derive(Debug, Clone)]
pub struct Plan {
    units: Vec<PlannedUnit>,
    obligations: Vec<PlannedObligation>,
    quotas: Vec<PlannedQuota>,
    holidays: BTreeMap<JalaliDate, String>,
}

#[derive(Debug, Clone)]
struct PlannedUnit {
    line: usize,
    key: UnitKey,
    kind: UnitKind,
    name: String,
    parent: Option<UnitKey>,
    population: Option<i64>,
}

#[derive(Debug, Clone)]
enum Target {
    Unit(UnitKey),
    Kind(UnitKind),
}

#[derive(Debug, Clone)]
struct PlannedObligation {
    line: usize,
    key: String,
    resolution: String,
    title: String,
    description: String,
    shape: Shape,
    responsible: Vec<Target>,
    responsible_text: Vec<String>,
    collaborating: Vec<UnitKey>,
    follow_up: UnitKey,
    report_to: UnitKey,
    population_below: Option<i64>,
    schedule: Schedule,
}

#[derive(Debug, Clone)]
struct PlannedQuota {
    line: usize,
    obligation: String,
    unit: UnitKey,
    target: i64,
}

fn line_of(source: &str, offset: usize) -> usize {
    source.as_bytes()[..offset.min(source.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

impl Plan {
    /// Reads and checks a data file's text. Unit references to units that are not in the file
    /// are left for [`apply`] to resolve against the database.
    pub fn parse(source: &str) -> Result<Plan, Vec<Problem>> {
        let file: DataFile = toml::from_str(source).map_err(|e| {
            let line = e.span().map(|s| line_of(source, s.start)).unwrap_or(1);
            vec![Problem {
                line,
                kind: ProblemKind::Syntax(e.message().to_owned()),
            }]
        })?;
        let mut problems = Vec::new();
        let mut plan = Plan {
            units: Vec::new(),
            obligations: Vec::new(),
            quotas: Vec::new(),
            holidays: BTreeMap::new(),
        };

        let mut unit_keys = HashSet::new();
        for entry in &file.unit {
            let line = line_of(source, entry.span().start);
            let u = entry.get_ref();
            let mut report = |kind| problems.push(Problem { line, kind });
            let Ok(key) = UnitKey::parse(&u.key) else {
                report(ProblemKind::BadKey(u.key.clone()));
                continue;
            };
            if !unit_keys.insert(key.clone()) {
                report(ProblemKind::DuplicateKey(u.key.clone()));
                continue;
            }
            let Some(kind) = UnitKind::parse(&u.kind) else {
                report(ProblemKind::UnknownKind(u.kind.clone()));
                continue;
            };
            let parent = match &u.parent {
                Some(p) => match UnitKey::parse(p) {
                    Ok(p) => Some(p),
                    Err(_) => {
                        report(ProblemKind::BadKey(p.clone()));
                        continue;
                    }
                },
                None => None,
            };
            if let Some(p) = u.population.filter(|p| *p < 0) {
                report(ProblemKind::OutOfRange {
                    field: "population",
                    value: p,
                });
            }
            if u.name.trim().is_empty() {
                report(ProblemKind::Syntax(format!(
                    "unit `{}` has an empty name",
                    u.key
                )));
            }
            plan.units.push(PlannedUnit {
                line,
                key,
                kind,
                name: u.name.trim().to_owned(),
                parent,
                population: u.population,
            });
        }
        // A parent named in the file must come before its children; a parent not in the file
        // may already be in the database (checked by `apply`).
        let mut seen = HashSet::new();
        let roots = plan.units.iter().filter(|u| u.parent.is_none()).count();
        for u in &plan.units {
            match &u.parent {
                Some(p) if unit_keys.contains(p) && !seen.contains(p) => problems.push(Problem {
                    line: u.line,
                    kind: ProblemKind::UnknownParent {
                        key: u.key.to_string(),
                        parent: p.to_string(),
                    },
                }),
                None if roots > 1 || u.kind != UnitKind::Province => problems.push(Problem {
                    line: u.line,
                    kind: ProblemKind::MissingParent(u.key.to_string()),
                }),
                _ => {}
            }
            seen.insert(u.key.clone());
        }

        let mut obligation_keys = HashMap::new();
        for entry in &file.obligation {
            let line = line_of(source, entry.span().start);
            match plan_obligation(entry.get_ref(), line) {
                Ok(o) => {
                    if obligation_keys.insert(o.key.clone(), o.shape).is_some() {
                        problems.push(Problem {
                            line,
                            kind: ProblemKind::DuplicateKey(o.key.clone()),
                        });
                    } else {
                        plan.obligations.push(o);
                    }
                }
                Err(mut p) => problems.append(&mut p),
            }
        }

        let mut quota_keys = HashSet::new();
        for entry in &file.quota {
            let line = line_of(source, entry.span().start);
            let q = entry.get_ref();
            let mut report = |kind| problems.push(Problem { line, kind });
            match obligation_keys.get(&q.obligation) {
                None => report(ProblemKind::UnknownObligation(q.obligation.clone())),
                Some(shape) if *shape != Shape::Quota => {
                    report(ProblemKind::NotAQuota(q.obligation.clone()))
                }
                Some(_) => {}
            }
            if !(0..=10_000_000).contains(&q.target) {
                report(ProblemKind::OutOfRange {
                    field: "target",
                    value: q.target,
                });
            }
            match UnitKey::parse(&q.unit) {
                Ok(unit) => {
                    if !quota_keys.insert((q.obligation.clone(), unit.clone())) {
                        report(ProblemKind::DuplicateKey(format!(
                            "{}/{}",
                            q.obligation, q.unit
                        )));
                    }
                    plan.quotas.push(PlannedQuota {
                        line,
                        obligation: q.obligation.clone(),
                        unit,
                        target: q.target,
                    });
                }
                Err(_) => report(ProblemKind::BadKey(q.unit.clone())),
            }
        }

        for entry in &file.holiday {
            let line = line_of(source, entry.span().start);
            let h = entry.get_ref();
            match JalaliDate::parse(&h.date) {
                Ok(date) => {
                    if plan
                        .holidays
                        .insert(date, h.name.trim().to_owned())
                        .is_some()
                    {
                        problems.push(Problem {
                            line,
                            kind: ProblemKind::DuplicateKey(h.date.clone()),
                        });
                    }
                }
                Err(_) => problems.push(Problem {
                    line,
                    kind: ProblemKind::BadDate(h.date.clone()),
                }),
            }
        }

        if problems.is_empty() {
            Ok(plan)
        } else {
            problems.sort_by_key(|p| p.line);
            Err(problems)
        }
    }
}

fn plan_obligation(o: &ObligationEntry, line: usize) -> Result<PlannedObligation, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut report = |kind| problems.push(Problem { line, kind });
    if o.key.trim().is_empty() || o.key.len() > 32 {
        report(ProblemKind::BadKey(o.key.clone()));
    }
    let shape = Shape::parse(&o.shape);
    if shape.is_none() {
        report(ProblemKind::UnknownShape(o.shape.clone()));
    }
    let mut responsible = Vec::new();
    for entry in &o.responsible {
        match entry.strip_prefix("kind:") {
            Some(kind) => match UnitKind::parse(kind) {
                Some(kind) => responsible.push(Target::Kind(kind)),
                None => report(ProblemKind::UnknownKind(kind.to_owned())),
            },
            None => match UnitKey::parse(entry) {
                Ok(key) => responsible.push(Target::Unit(key)),
                Err(_) => report(ProblemKind::BadKey(entry.clone())),
            },
        }
    }
    if o.responsible.is_empty() {
        report(ProblemKind::EmptyAssignment(o.key.clone()));
    }
    let mut key_of = |s: &str| {
        UnitKey::parse(s)
            .map_err(|_| report(ProblemKind::BadKey(s.to_owned())))
            .ok()
    };
    let collaborating: Vec<UnitKey> = o.collaborating.iter().filter_map(|c| key_of(c)).collect();
    let follow_up = key_of(&o.follow_up);
    let report_to = match &o.report_to {
        Some(r) => key_of(r),
        None => follow_up.clone(),
    };
    let schedule = shape
        .and_then(|shape| plan_schedule(&o.key, shape, o.schedule.as_ref(), line, &mut problems));
    match (shape, follow_up, report_to, schedule) {
        (Some(shape), Some(follow_up), Some(report_to), Some(schedule)) if problems.is_empty() => {
            Ok(PlannedObligation {
                line,
                key: o.key.clone(),
                resolution: o.resolution.clone().unwrap_or_else(|| o.key.clone()),
                title: o.title.trim().to_owned(),
                description: o.description.trim().to_owned(),
                shape,
                responsible,
                responsible_text: o.responsible.clone(),
                collaborating,
                follow_up,
                report_to,
                population_below: o.population_below,
                schedule,
            })
        }
        _ => Err(problems),
    }
}

fn plan_schedule(
    key: &str,
    shape: Shape,
    s: Option<&ScheduleEntry>,
    line: usize,
    problems: &mut Vec<Problem>,
) -> Option<Schedule> {
    let default = ScheduleEntry::default();
    let s = s.unwrap_or(&default);
    let before = problems.len();
    let mut report = |kind| problems.push(Problem { line, kind });
    let mut small = |field: &'static str, value: Option<i64>, default: u8, max: i64| -> u8 {
        match value {
            None => default,
            Some(v) if (0..=max).contains(&v) => v as u8,
            Some(v) => {
                report(ProblemKind::OutOfRange { field, value: v });
                default
            }
        }
    };
    let remind_day = small("remind_day", s.remind_day, 1, 31);
    let due_day = small("due_day", s.due_day, 25, 31);
    let due_before_end = small("due_before_end", s.due_before_end, 0, 28);
    let nudge_days = small("nudge_days", s.nudge_days, 3, 28);
    let escalate_days = small("escalate_days", s.escalate_days, 1, 28);
    let within_months = small("within_months", s.within_months, 1, 24);
    let days_before: Vec<u8> = s
        .remind_days_before
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|d| small("remind_days_before", Some(d), 0, 365))
        .collect();
    if remind_day == 0 {
        report(ProblemKind::OutOfRange {
            field: "remind_day",
            value: 0,
        });
    }
    let remind_time = match &s.remind_time {
        None => TimeOfDay::NINE,
        Some(t) => TimeOfDay::parse(t).unwrap_or_else(|| {
            report(ProblemKind::BadTime(t.clone()));
            TimeOfDay::NINE
        }),
    };
    let monthly_fields = s.remind_day.is_some()
        || s.due_day.is_some()
        || s.due_before_end.is_some()
        || s.nudge_days.is_some()
        || s.escalate_days.is_some();
    let deadline_fields =
        s.start.is_some() || s.within_months.is_some() || s.remind_days_before.is_some();
    let mismatch = || ProblemKind::ScheduleMismatch {
        key: key.to_owned(),
        shape: shape.as_str().to_owned(),
    };
    let schedule = if shape == Shape::Deadline {
        if monthly_fields || s.start.is_none() {
            report(mismatch());
        }
        let start = s.start.as_deref().and_then(|d| match JalaliDate::parse(d) {
            Ok(date) => Some(date),
            Err(_) => {
                report(ProblemKind::BadDate(d.to_owned()));
                None
            }
        });
        start.map(|start| Schedule::Deadline {
            start: JalaliDateText(start),
            within_months,
            remind_days_before: days_before,
            remind_time,
        })
    } else {
        if deadline_fields || (s.due_day.is_some() && s.due_before_end.is_some()) {
            report(mismatch());
        }
        let due = if s.due_before_end.is_some() {
            DueRule::BeforeEnd(due_before_end)
        } else {
            DueRule::Day(due_day)
        };
        Some(Schedule::Monthly {
            remind_day,
            remind_time,
            due,
            nudge_days,
            escalate_days,
        })
    };
    (problems.len() == before).then_some(schedule).flatten()
}

// ---- Applying ------------------------------------------------------------------------------

/// Reads, checks and applies the data file at `source` (its text) in one transaction.
pub async fn import(store: &Store, source: &str, now: i64) -> Result<ImportSummary, ImportError> {
    let plan = Plan::parse(source).map_err(ImportError::Invalid)?;
    apply(store, &plan, now).await
}

/// Applies a checked plan in one transaction. Problems that need the database (a parent or a
/// unit that is neither in the file nor stored, a quota for a unit that is not assigned) roll
/// everything back and are returned with their lines.
#[tracing::instrument(skip_all)]
pub async fn apply(store: &Store, plan: &Plan, now: i64) -> Result<ImportSummary, ImportError> {
    let mut summary = ImportSummary::default();
    let mut problems = Vec::new();
    let mut tx = store.begin().await?;

    // Units, parents first (the file lists them so).
    let mut units: HashMap<String, UnitRow> = store
        .units()
        .await?
        .into_iter()
        .map(|u| (u.key.clone(), u))
        .collect();
    for planned in &plan.units {
        let parent_id = match &planned.parent {
            Some(p) => match units.get(p.as_str()) {
                Some(parent) => Some(parent.unit_id),
                None => {
                    problems.push(Problem {
                        line: planned.line,
                        kind: ProblemKind::UnknownParent {
                            key: planned.key.to_string(),
                            parent: p.to_string(),
                        },
                    });
                    continue;
                }
            },
            None => None,
        };
        let mut row = UnitRow {
            unit_id: 0,
            key: planned.key.to_string(),
            kind: planned.kind,
            name: planned.name.clone(),
            name_key: normalize_key(&planned.name),
            parent_id,
            population: planned.population,
        };
        match units.get(planned.key.as_str()) {
            Some(existing) => {
                row.unit_id = existing.unit_id;
                if *existing == row {
                    summary.units.unchanged += 1;
                } else {
                    tx.update_unit(&row, now).await?;
                    audit(
                        &mut tx,
                        "update",
                        "unit",
                        &row.key,
                        diff_detail(existing, &row),
                        now,
                    )
                    .await?;
                    summary.units.updated += 1;
                }
            }
            None => {
                row.unit_id = tx.insert_unit(&row, now).await?;
                audit(&mut tx, "insert", "unit", &row.key, format!("{row:?}"), now).await?;
                summary.units.inserted += 1;
            }
        }
        units.insert(row.key.clone(), row);
    }

    // Obligations.
    let mut obligations: HashMap<String, ObligationRow> = store
        .obligations()
        .await?
        .into_iter()
        .map(|o| (o.key.clone(), o))
        .collect();
    let unit_id =
        |key: &UnitKey, line: usize, problems: &mut Vec<Problem>| match units.get(key.as_str()) {
            Some(u) => Some(u.unit_id),
            None => {
                problems.push(Problem {
                    line,
                    kind: ProblemKind::UnknownUnit(key.to_string()),
                });
                None
            }
        };
    let mut planned_ids = Vec::new();
    for o in &plan.obligations {
        let follow_up = unit_id(&o.follow_up, o.line, &mut problems);
        let report_to = unit_id(&o.report_to, o.line, &mut problems);
        let (Some(follow_up), Some(report_to)) = (follow_up, report_to) else {
            continue;
        };
        let mut row = ObligationRow {
            obligation_id: 0,
            key: o.key.clone(),
            resolution: o.resolution.clone(),
            title: o.title.clone(),
            description: o.description.clone(),
            shape: o.shape,
            follow_up_unit_id: follow_up,
            report_to_unit_id: report_to,
            schedule: serde_json::to_string(&o.schedule).unwrap_or_default(),
            responsible: serde_json::to_string(&o.responsible_text).unwrap_or_default(),
            population_below: o.population_below,
        };
        match obligations.get(&o.key) {
            Some(existing) => {
                row.obligation_id = existing.obligation_id;
                if *existing == row {
                    summary.obligations.unchanged += 1;
                } else {
                    tx.update_obligation(&row, now).await?;
                    audit(
                        &mut tx,
                        "update",
                        "obligation",
                        &row.key,
                        diff_detail(existing, &row),
                        now,
                    )
                    .await?;
                    summary.obligations.updated += 1;
                }
            }
            None => {
                row.obligation_id = tx.insert_obligation(&row, now).await?;
                audit(
                    &mut tx,
                    "insert",
                    "obligation",
                    &row.key,
                    format!("{row:?}"),
                    now,
                )
                .await?;
                summary.obligations.inserted += 1;
            }
        }
        planned_ids.push((o, row.obligation_id));
        obligations.insert(row.key.clone(), row);
    }

    // Assignments: expand "by position" entries over every unit of the kind, attach quotas.
    let quotas: HashMap<(&str, &str), &PlannedQuota> = plan
        .quotas
        .iter()
        .map(|q| ((q.obligation.as_str(), q.unit.as_str()), q))
        .collect();
    let mut existing: HashMap<(i64, i64), AssignmentRow> = store
        .assignments()
        .await?
        .into_iter()
        .map(|a| ((a.obligation_id, a.unit_id), a))
        .collect();
    let mut all_units: Vec<&UnitRow> = units.values().collect();
    all_units.sort_by_key(|u| u.unit_id);
    let mut assigned_quota_units: HashSet<(&str, &str)> = HashSet::new();
    for (o, obligation_id) in &planned_ids {
        let mut wanted: BTreeMap<i64, AssignmentRow> = BTreeMap::new();
        for (target, text) in o.responsible.iter().zip(&o.responsible_text) {
            let mut matched = 0;
            let mut add = |unit: &UnitRow, by_kind: Option<String>| {
                matched += 1;
                wanted.insert(
                    unit.unit_id,
                    AssignmentRow {
                        assignment_id: 0,
                        obligation_id: *obligation_id,
                        unit_id: unit.unit_id,
                        involvement: Involvement::Responsible,
                        by_kind,
                        quota_target: quotas
                            .get(&(o.key.as_str(), unit.key.as_str()))
                            .map(|q| q.target),
                        active: true,
                    },
                );
            };
            match target {
                Target::Unit(key) => {
                    if let Some(unit) = units.get(key.as_str()) {
                        add(unit, None);
                    } else {
                        problems.push(Problem {
                            line: o.line,
                            kind: ProblemKind::UnknownUnit(key.to_string()),
                        });
                    }
                }
                Target::Kind(kind) => {
                    for unit in all_units.iter().filter(|u| u.kind == *kind) {
                        let small_enough = match (o.population_below, unit.population) {
                            (Some(limit), Some(p)) => p < limit,
                            (Some(_), None) => false,
                            (None, _) => true,
                        };
                        if small_enough {
                            add(unit, Some(kind.as_str().to_owned()));
                        }
                    }
                }
            }
            if matched == 0 && matches!(target, Target::Kind(_)) {
                problems.push(Problem {
                    line: o.line,
                    kind: ProblemKind::EmptyAssignment(text.clone()),
                });
            }
        }
        for key in &o.collaborating {
            match units.get(key.as_str()) {
                Some(unit) => {
                    wanted.entry(unit.unit_id).or_insert_with(|| AssignmentRow {
                        assignment_id: 0,
                        obligation_id: *obligation_id,
                        unit_id: unit.unit_id,
                        involvement: Involvement::Collaborating,
                        by_kind: None,
                        quota_target: None,
                        active: true,
                    });
                }
                None => problems.push(Problem {
                    line: o.line,
                    kind: ProblemKind::UnknownUnit(key.to_string()),
                }),
            }
        }
        let key_of_unit: HashMap<i64, &str> = all_units
            .iter()
            .map(|u| (u.unit_id, u.key.as_str()))
            .collect();
        for row in wanted.values() {
            if row.quota_target.is_some()
                && let Some(unit_key) = key_of_unit.get(&row.unit_id)
            {
                assigned_quota_units.insert((o.key.as_str(), unit_key));
            }
        }
        for (unit_id, mut row) in wanted {
            match existing.remove(&(*obligation_id, unit_id)) {
                Some(old) => {
                    row.assignment_id = old.assignment_id;
                    if old == row {
                        summary.assignments.unchanged += 1;
                    } else {
                        tx.update_assignment(&row, now).await?;
                        let key =
                            format!("{}/{}", o.key, key_of_unit.get(&unit_id).unwrap_or(&"?"));
                        audit(
                            &mut tx,
                            "update",
                            "assignment",
                            &key,
                            diff_detail(&old, &row),
                            now,
                        )
                        .await?;
                        summary.assignments.updated += 1;
                    }
                }
                None => {
                    tx.insert_assignment(&row, now).await?;
                    let key = format!("{}/{}", o.key, key_of_unit.get(&unit_id).unwrap_or(&"?"));
                    audit(
                        &mut tx,
                        "insert",
                        "assignment",
                        &key,
                        format!("{row:?}"),
                        now,
                    )
                    .await?;
                    summary.assignments.inserted += 1;
                }
            }
        }
    }
    // Assignments of the file's obligations that the file no longer makes: kept, inactive.
    let file_obligations: HashSet<i64> = planned_ids.iter().map(|(_, id)| *id).collect();
    for old in existing
        .into_values()
        .filter(|a| file_obligations.contains(&a.obligation_id) && a.active)
    {
        let row = AssignmentRow {
            active: false,
            ..old.clone()
        };
        tx.update_assignment(&row, now).await?;
        audit(
            &mut tx,
            "deactivate",
            "assignment",
            &old.assignment_id.to_string(),
            String::new(),
            now,
        )
        .await?;
        summary.assignments.updated += 1;
    }
    for q in &plan.quotas {
        if !assigned_quota_units.contains(&(q.obligation.as_str(), q.unit.as_str())) {
            let kind = if units.contains_key(q.unit.as_str()) {
                ProblemKind::QuotaNotAssigned {
                    obligation: q.obligation.clone(),
                    unit: q.unit.to_string(),
                }
            } else {
                ProblemKind::UnknownUnit(q.unit.to_string())
            };
            problems.push(Problem { line: q.line, kind });
        }
    }

    // Holidays.
    let stored: HashMap<String, String> = store
        .holidays()
        .await?
        .into_iter()
        .map(|h| (h.holiday_date, h.name))
        .collect();
    for (date, name) in &plan.holidays {
        let row = HolidayRow {
            holiday_date: date.to_gregorian().to_string(),
            name: name.clone(),
        };
        match stored.get(&row.holiday_date) {
            Some(old) if *old == row.name => summary.holidays.unchanged += 1,
            old => {
                tx.upsert_holiday(&row, now).await?;
                let action = if old.is_some() { "update" } else { "insert" };
                audit(
                    &mut tx,
                    action,
                    "holiday",
                    &row.holiday_date,
                    row.name.clone(),
                    now,
                )
                .await?;
                if old.is_some() {
                    summary.holidays.updated += 1;
                } else {
                    summary.holidays.inserted += 1;
                }
            }
        }
    }

    if !problems.is_empty() {
        problems.sort_by_key(|p| p.line);
        problems.dedup();
        return Err(ImportError::Invalid(problems)); // dropping `tx` rolls back
    }
    tx.commit().await?;
    Ok(summary)
}

async fn audit(
    tx: &mut crate::store::Tx,
    action: &str,
    entity: &str,
    key: &str,
    detail: String,
    now: i64,
) -> Result<(), StoreError> {
    tx.audit(
        &AuditEntry {
            actor: ACTOR,
            action,
            entity,
            entity_key: key,
            detail,
        },
        now,
    )
    .await
}

fn diff_detail<T: fmt::Debug>(old: &T, new: &T) -> String {
    serde_json::json!({ "old": format!("{old:?}"), "new": format!("{new:?}") }).to_string()
}
