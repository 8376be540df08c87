//! A data file checked into a [`Plan`]: pure, no store access. The units already stored come
//! in as plain data ([`StoredUnit`], read beforehand), so that a parent or a unit named by an
//! obligation resolves whether it is in the file or in the database, and `kind:` entries
//! expand over both.
//!
//! Checking runs in two rounds, as the file's problems are reported: first what the file says
//! on its own (keys, kinds, values, order of parents, quotas' obligations); only a file
//! without such problems is then resolved against the stored units (unknown parents and
//! units, assignments, quotas for units not assigned).

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::domain::calendar::JalaliDate;
use crate::domain::obligation::{Involvement, Shape};
use crate::domain::unit::{UnitKey, UnitKind};

use super::file::{self, DataFile, Lines};
use super::obligation::{self, CheckedObligation, Target};
use super::{Problem, ProblemKind};

/// A unit already in the database, as a plan needs it. Given in the order of their ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredUnit {
    /// Its key.
    pub key: String,
    /// Its kind.
    pub kind: UnitKind,
    /// Its inhabitants, if known.
    pub population: Option<i64>,
}

/// A data file without problems, resolved against the stored units: every row the database
/// should hold for it, with units named by key. [`super::apply`] compares it with the database.
#[derive(Debug, Clone)]
pub struct Plan {
    pub(super) meetings: Vec<PlannedMeeting>,
    pub(super) units: Vec<PlannedUnit>,
    pub(super) obligations: Vec<PlannedObligation>,
    pub(super) holidays: BTreeMap<JalaliDate, String>,
}

/// How many rows of each kind a plan holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlanCounts {
    /// Units of the file.
    pub units: usize,
    /// Obligations.
    pub obligations: usize,
    /// Assignments (responsible and collaborating), `kind:` entries expanded.
    pub assignments: usize,
    /// Assignments with a quota target.
    pub quotas: usize,
    /// Holidays.
    pub holidays: usize,
}

/// A `[[meeting]]`, checked.
#[derive(Debug, Clone)]
pub(super) struct PlannedMeeting {
    pub key: String,
    pub date: JalaliDate,
    pub title: String,
}

/// A `[[unit]]`, checked.
#[derive(Debug, Clone)]
pub(super) struct PlannedUnit {
    pub line: usize,
    pub key: UnitKey,
    pub kind: UnitKind,
    pub name: String,
    pub parent: Option<UnitKey>,
    pub population: Option<i64>,
}

/// An obligation with its assignments.
#[derive(Debug, Clone)]
pub(super) struct PlannedObligation {
    /// The entry, checked.
    pub entry: CheckedObligation,
    /// In the order of the units' ids (stored units first, then the file's new ones).
    pub assignments: Vec<PlannedAssignment>,
}

/// One unit's part in an obligation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PlannedAssignment {
    /// The unit's key.
    pub unit: String,
    pub involvement: Involvement,
    /// The kind it was assigned by (`kind:village`), if so.
    pub by_kind: Option<UnitKind>,
    pub quota_target: Option<i64>,
}

/// A `[[quota]]`, checked.
#[derive(Debug, Clone)]
struct CheckedQuota {
    line: usize,
    obligation: String,
    unit: UnitKey,
    target: i64,
}

/// What the file says, checked on its own.
#[derive(Debug, Default)]
struct Checked {
    meetings: Vec<PlannedMeeting>,
    units: Vec<PlannedUnit>,
    obligations: Vec<CheckedObligation>,
    quotas: Vec<CheckedQuota>,
    holidays: BTreeMap<JalaliDate, String>,
}

impl Plan {
    /// Reads and checks a data file's text against the units already stored (`stored`, in the
    /// order of their ids). Every problem comes with its line, sorted by line.
    pub fn new(source: &str, stored: &[StoredUnit]) -> Result<Plan, Vec<Problem>> {
        let lines = Lines::new(source);
        let file = file::read(source, &lines).map_err(|p| vec![p])?;
        resolve(check(&file, &lines)?, stored)
    }

    /// How many rows of each kind the plan holds.
    pub fn counts(&self) -> PlanCounts {
        let assignments = self.obligations.iter().flat_map(|o| &o.assignments);
        PlanCounts {
            units: self.units.len(),
            obligations: self.obligations.len(),
            assignments: assignments.clone().count(),
            quotas: assignments.filter(|a| a.quota_target.is_some()).count(),
            holidays: self.holidays.len(),
        }
    }
}

/// The first round: what the file says on its own.
fn check(file: &DataFile, lines: &Lines) -> Result<Checked, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut checked = Checked::default();

    let mut meeting_dates = HashMap::new();
    for entry in &file.meeting {
        let line = lines.of(entry);
        let m = entry.get_ref();
        let mut report = |kind| problems.push(Problem { line, kind });
        if UnitKey::parse(&m.key).is_err() {
            report(ProblemKind::BadKey(m.key.clone()));
            continue;
        }
        let Ok(date) = JalaliDate::parse(&m.date) else {
            report(ProblemKind::BadDate(m.date.clone()));
            continue;
        };
        if meeting_dates.insert(m.key.clone(), date).is_some() {
            report(ProblemKind::DuplicateKey(m.key.clone()));
            continue;
        }
        let (key, title) = (m.key.clone(), m.title.trim().to_owned());
        checked.meetings.push(PlannedMeeting { key, date, title });
    }

    let mut unit_keys = HashSet::new();
    for entry in &file.unit {
        let line = lines.of(entry);
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
        checked.units.push(PlannedUnit {
            line,
            key,
            kind,
            name: u.name.trim().to_owned(),
            parent,
            population: u.population,
        });
    }
    // A parent named in the file must come before its children; a parent not in the file
    // may already be in the database (the second round says).
    let mut seen = HashSet::new();
    let roots = checked.units.iter().filter(|u| u.parent.is_none()).count();
    for u in &checked.units {
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
        seen.insert(&u.key);
    }

    let mut obligation_keys = HashMap::new();
    for entry in &file.obligation {
        let line = lines.of(entry);
        match obligation::check(entry.get_ref(), line) {
            Ok(mut o) => {
                let mut report = |kind| problems.push(Problem { line, kind });
                if let Some(meeting) = &o.meeting {
                    match meeting_dates.get(meeting) {
                        Some(date) => o.start = o.start.or(Some(*date)),
                        None => report(ProblemKind::UnknownMeeting(meeting.clone())),
                    }
                }
                if let (Some(start), Some(end)) = (o.start, o.end)
                    && end < start
                {
                    let (start, end) = (start.to_string(), end.to_string());
                    let key = o.key.clone();
                    report(ProblemKind::EndBeforeStart { key, start, end });
                }
                if obligation_keys.insert(o.key.clone(), o.shape).is_some() {
                    problems.push(Problem {
                        line,
                        kind: ProblemKind::DuplicateKey(o.key.clone()),
                    });
                } else {
                    checked.obligations.push(o);
                }
            }
            Err(mut p) => problems.append(&mut p),
        }
    }

    let mut quota_keys = HashSet::new();
    for entry in &file.quota {
        let line = lines.of(entry);
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
                checked.quotas.push(CheckedQuota {
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
        let line = lines.of(entry);
        let h = entry.get_ref();
        match JalaliDate::parse(&h.date) {
            Ok(date) => {
                if checked
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
        Ok(checked)
    } else {
        problems.sort_by_key(|p| p.line);
        Err(problems)
    }
}

/// A unit the database will hold after the import.
#[derive(Debug, Clone, Copy)]
struct Known {
    /// Its place in the order of ids: stored units first, then the file's new ones.
    order: usize,
    kind: UnitKind,
    population: Option<i64>,
}

/// The second round: the checked file against the stored units.
fn resolve(checked: Checked, stored: &[StoredUnit]) -> Result<Plan, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut report = |line, kind| problems.push(Problem { line, kind });

    // Units, parents first (the first round made sure the file lists them so). A unit whose
    // parent is unknown is left out, so its children are reported too.
    let mut known: HashMap<&str, Known> = stored
        .iter()
        .enumerate()
        .map(|(order, u)| {
            let (kind, population) = (u.kind, u.population);
            let known = Known {
                order,
                kind,
                population,
            };
            (u.key.as_str(), known)
        })
        .collect();
    for u in &checked.units {
        if let Some(parent) = &u.parent
            && !known.contains_key(parent.as_str())
        {
            let (key, parent) = (u.key.to_string(), parent.to_string());
            report(u.line, ProblemKind::UnknownParent { key, parent });
            continue;
        }
        let order = known.get(u.key.as_str()).map_or(known.len(), |k| k.order);
        let (kind, population) = (u.kind, u.population);
        let unit = Known {
            order,
            kind,
            population,
        };
        known.insert(u.key.as_str(), unit);
    }
    let mut of_kind: HashMap<UnitKind, Vec<(&str, Known)>> = HashMap::new();
    for (key, unit) in &known {
        of_kind.entry(unit.kind).or_default().push((key, *unit));
    }
    for units in of_kind.values_mut() {
        units.sort_by_key(|(_, u)| u.order);
    }

    // Assignments: "by position" entries expanded over every unit of the kind, quotas attached.
    let targets: HashMap<(&str, &str), i64> = checked
        .quotas
        .iter()
        .map(|q| ((q.obligation.as_str(), q.unit.as_str()), q.target))
        .collect();
    let mut assigned_quotas: HashSet<(&str, &str)> = HashSet::new();
    let mut obligations = Vec::new();
    for o in &checked.obligations {
        let mut exists = |key: &UnitKey| {
            let found = known.contains_key(key.as_str());
            if !found {
                report(o.line, ProblemKind::UnknownUnit(key.to_string()));
            }
            found
        };
        let follow_up = exists(&o.follow_up);
        let report_to = exists(&o.report_to);
        if !(follow_up && report_to) {
            continue;
        }
        let mut wanted: BTreeMap<usize, PlannedAssignment> = BTreeMap::new();
        let responsible = |unit: &str, by_kind| PlannedAssignment {
            unit: unit.to_owned(),
            involvement: Involvement::Responsible,
            by_kind,
            quota_target: targets.get(&(o.key.as_str(), unit)).copied(),
        };
        for (target, text) in o.responsible.iter().zip(&o.responsible_text) {
            match target {
                Target::Unit(key) => match known.get(key.as_str()) {
                    Some(unit) => {
                        wanted.insert(unit.order, responsible(key.as_str(), None));
                    }
                    None => report(o.line, ProblemKind::UnknownUnit(key.to_string())),
                },
                Target::Kind(kind) => {
                    let mut matched = 0;
                    for (key, unit) in of_kind.get(kind).into_iter().flatten() {
                        let small_enough = match (o.population_below, unit.population) {
                            (Some(limit), Some(p)) => p < limit,
                            (Some(_), None) => false,
                            (None, _) => true,
                        };
                        if small_enough {
                            matched += 1;
                            wanted.insert(unit.order, responsible(key, Some(*kind)));
                        }
                    }
                    if matched == 0 {
                        report(o.line, ProblemKind::EmptyAssignment(text.clone()));
                    }
                }
            }
        }
        for key in &o.collaborating {
            match known.get(key.as_str()) {
                Some(unit) => {
                    wanted
                        .entry(unit.order)
                        .or_insert_with(|| PlannedAssignment {
                            unit: key.to_string(),
                            involvement: Involvement::Collaborating,
                            by_kind: None,
                            quota_target: None,
                        });
                }
                None => report(o.line, ProblemKind::UnknownUnit(key.to_string())),
            }
        }
        let assignments: Vec<PlannedAssignment> = wanted.into_values().collect();
        for a in assignments.iter().filter(|a| a.quota_target.is_some()) {
            if let Some((unit, _)) = known.get_key_value(a.unit.as_str()) {
                assigned_quotas.insert((o.key.as_str(), *unit));
            }
        }
        obligations.push(PlannedObligation {
            entry: o.clone(),
            assignments,
        });
    }
    for q in &checked.quotas {
        if !assigned_quotas.contains(&(q.obligation.as_str(), q.unit.as_str())) {
            let kind = if known.contains_key(q.unit.as_str()) {
                ProblemKind::QuotaNotAssigned {
                    obligation: q.obligation.clone(),
                    unit: q.unit.to_string(),
                }
            } else {
                ProblemKind::UnknownUnit(q.unit.to_string())
            };
            report(q.line, kind);
        }
    }

    if !problems.is_empty() {
        problems.sort_by_key(|p| p.line);
        problems.dedup();
        return Err(problems);
    }
    Ok(Plan {
        meetings: checked.meetings,
        units: checked.units,
        obligations,
        holidays: checked.holidays,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A valid file: a province, two counties, a district, two villages; a meeting for every
    /// county, a quota for every village (one target), a holiday.
    const BASE: &str = r#"[[unit]]
key = "m"
kind = "province"
name = "M"

[[unit]]
key = "c1"
kind = "county"
name = "C1"
parent = "m"

[[unit]]
key = "c2"
kind = "county"
name = "C2"
parent = "m"

[[unit]]
key = "d1"
kind = "district"
name = "D1"
parent = "c1"

[[unit]]
key = "v1"
kind = "village"
name = "V1"
parent = "d1"

[[unit]]
key = "v2"
kind = "village"
name = "V2"
parent = "d1"

[[obligation]]
key = "R3"
title = "meeting"
shape = "meeting"
responsible = ["kind:county"]
collaborating = ["m"]
follow_up = "m"

[[obligation]]
key = "R2"
title = "quota"
shape = "quota"
responsible = ["kind:village"]
follow_up = "m"
[obligation.schedule]
due_day = 28

[[quota]]
obligation = "R2"
unit = "v1"
target = 10

[[holiday]]
date = "1405/01/01"
name = "Nowruz"
"#;

    fn stored(key: &str, kind: UnitKind) -> StoredUnit {
        let (key, population) = (key.to_owned(), None);
        StoredUnit {
            key,
            kind,
            population,
        }
    }

    #[test]
    fn a_valid_file_plans_every_row() {
        let plan = Plan::new(BASE, &[]).unwrap();
        let counts = PlanCounts {
            units: 6,
            obligations: 2,
            assignments: 5,
            quotas: 1,
            holidays: 1,
        };
        assert_eq!(plan.counts(), counts);
        let r3: Vec<&str> = plan.obligations[0]
            .assignments
            .iter()
            .map(|a| a.unit.as_str())
            .collect();
        assert_eq!(r3, ["m", "c1", "c2"], "in the order of the units' ids");
        assert_eq!(plan.obligations[0].assignments[0].by_kind, None);
        let r2 = &plan.obligations[1].assignments;
        assert_eq!(r2[0].by_kind, Some(UnitKind::Village));
        assert_eq!((r2[0].quota_target, r2[1].quota_target), (Some(10), None));
    }

    #[test]
    fn stored_units_resolve_parents_and_take_part_in_kinds_first() {
        let source = "[[unit]]\nkey = \"c9\"\nkind = \"county\"\nname = \"C9\"\nparent = \"m\"\n\n\
                      [[obligation]]\nkey = \"R3\"\ntitle = \"t\"\nshape = \"meeting\"\n\
                      responsible = [\"kind:county\"]\nfollow_up = \"m\"\n";
        let units = [
            stored("m", UnitKind::Province),
            stored("c0", UnitKind::County),
        ];
        let plan = Plan::new(source, &units).unwrap();
        let r3: Vec<&str> = plan.obligations[0]
            .assignments
            .iter()
            .map(|a| a.unit.as_str())
            .collect();
        assert_eq!(r3, ["c0", "c9"]);
        let unknown = Plan::new(source, &[]).unwrap_err();
        let kind = ProblemKind::UnknownParent {
            key: "c9".into(),
            parent: "m".into(),
        };
        assert_eq!(unknown[0], Problem { line: 1, kind });
    }

    #[test]
    fn an_obligation_starts_with_its_meeting_unless_it_says_otherwise() {
        let meetings = "[[meeting]]\nkey = \"m1\"\ndate = \"1405/09/10\"\ntitle = \" HQ \"\n\n";
        let with = |extra: &str| {
            let r3 = "follow_up = \"m\"\n\n[[obligation]]\nkey = \"R2\"";
            let base = BASE.replacen(
                r3,
                &format!("follow_up = \"m\"\n{extra}\n\n[[obligation]]\nkey = \"R2\""),
                1,
            );
            Plan::new(&format!("{meetings}{base}"), &[]).unwrap()
        };
        let date = |d: &str| Some(JalaliDate::parse(d).unwrap());
        let plan = with("meeting = \"m1\"");
        assert_eq!(plan.meetings[0].title, "HQ");
        let r3 = &plan.obligations[0].entry;
        assert_eq!((r3.start, r3.end), (date("1405/09/10"), None));
        let r3 = with("meeting = \"m1\"\nstart = \"1405/11/01\"\nend = \"1406/01/31\"");
        let r3 = &r3.obligations[0].entry;
        assert_eq!((r3.start, r3.end), (date("1405/11/01"), date("1406/01/31")));
        assert_eq!(plan.obligations[1].entry.start, None, "R2 names no meeting");
        // An end on its start's day is allowed (in force for that one period).
        let same = with("start = \"1405/11/01\"\nend = \"1405/11/01\"");
        assert_eq!(same.obligations[0].entry.end, date("1405/11/01"));
    }

    #[test]
    fn each_problem_is_found_at_its_line() {
        let unit = |key: &str, kind: &str, parent: &str| {
            format!("[[unit]]\nkey = \"{key}\"\nkind = \"{kind}\"\nname = \"x\"\n{parent}\n")
        };
        let obligation = |key: &str, shape: &str, responsible: &str, extra: &str| {
            format!(
                "[[obligation]]\nkey = \"{key}\"\ntitle = \"t\"\nshape = \"{shape}\"\n\
                 responsible = [\"{responsible}\"]\nfollow_up = \"m\"\n{extra}\n"
            )
        };
        let quota = |obligation: &str, unit: &str, target: i64| {
            format!(
                "[[quota]]\nobligation = \"{obligation}\"\nunit = \"{unit}\"\ntarget = {target}\n"
            )
        };
        let s = |s: &str| s.to_owned();
        // What is appended to the valid file, the line of the problem in it (0 = its first),
        // and the problem.
        let cases: Vec<(String, usize, ProblemKind)> = vec![
            (
                s("[[holiday]]\ndate = \"1405/01/02\"\nname = \n"),
                2,
                ProblemKind::Syntax(String::new()),
            ),
            (
                unit("Bad Key", "county", "parent = \"m\""),
                0,
                ProblemKind::BadKey("Bad Key".into()),
            ),
            (
                unit("c1", "county", "parent = \"m\""),
                0,
                ProblemKind::DuplicateKey("c1".into()),
            ),
            (
                unit("c3", "countyy", "parent = \"m\""),
                0,
                ProblemKind::UnknownKind("countyy".into()),
            ),
            (
                unit("c3", "county", ""),
                0,
                ProblemKind::MissingParent("c3".into()),
            ),
            (
                unit("c3", "county", "parent = \"nowhere\""),
                0,
                ProblemKind::UnknownParent {
                    key: "c3".into(),
                    parent: "nowhere".into(),
                },
            ),
            (
                obligation("R4", "meeting", "nowhere", ""),
                0,
                ProblemKind::UnknownUnit("nowhere".into()),
            ),
            (
                quota("R99", "v1", 1),
                0,
                ProblemKind::UnknownObligation("R99".into()),
            ),
            (
                obligation("R4", "blob", "c1", ""),
                0,
                ProblemKind::UnknownShape("blob".into()),
            ),
            (
                s("[[holiday]]\ndate = \"1405/13/01\"\nname = \"x\"\n"),
                0,
                ProblemKind::BadDate("1405/13/01".into()),
            ),
            (
                obligation(
                    "R4",
                    "meeting",
                    "c1",
                    "[obligation.schedule]\nremind_time = \"25:00\"",
                ),
                0,
                ProblemKind::BadTime("25:00".into()),
            ),
            (
                quota("R2", "v2", -1),
                0,
                ProblemKind::OutOfRange {
                    field: "target",
                    value: -1,
                },
            ),
            (
                obligation(
                    "R4",
                    "meeting",
                    "c1",
                    "[obligation.schedule]\nstart = \"1405/01/01\"",
                ),
                0,
                ProblemKind::ScheduleMismatch {
                    key: "R4".into(),
                    shape: "meeting".into(),
                },
            ),
            (quota("R3", "c1", 1), 0, ProblemKind::NotAQuota("R3".into())),
            (
                quota("R2", "c1", 1),
                0,
                ProblemKind::QuotaNotAssigned {
                    obligation: "R2".into(),
                    unit: "c1".into(),
                },
            ),
            (
                obligation("R4", "meeting", "kind:town", ""),
                0,
                ProblemKind::EmptyAssignment("kind:town".into()),
            ),
            (
                obligation("R4", "meeting", "c1", "meeting = \"nowhere\""),
                0,
                ProblemKind::UnknownMeeting("nowhere".into()),
            ),
            (
                obligation(
                    "R4",
                    "meeting",
                    "c1",
                    "start = \"1405/02/01\"\nend = \"1405/01/31\"",
                ),
                0,
                ProblemKind::EndBeforeStart {
                    key: "R4".into(),
                    start: "1405/02/01".into(),
                    end: "1405/01/31".into(),
                },
            ),
            (
                obligation("R4", "meeting", "c1", "end = \"1405/01/32\""),
                0,
                ProblemKind::BadDate("1405/01/32".into()),
            ),
            (
                s("[[meeting]]\nkey = \"Bad Key\"\ndate = \"1405/01/01\"\n"),
                0,
                ProblemKind::BadKey("Bad Key".into()),
            ),
            (
                s("[[meeting]]\nkey = \"m2\"\ndate = \"1405/13/01\"\n"),
                0,
                ProblemKind::BadDate("1405/13/01".into()),
            ),
        ];
        let first = BASE.lines().count() + 2;
        for (extra, offset, expected) in cases {
            let source = format!("{BASE}\n{extra}");
            let problems = Plan::new(&source, &[]).expect_err(&extra);
            // The valid part may be affected (a second root makes the first one a problem too),
            // but the appended entry has exactly its problem.
            let appended: Vec<&Problem> = problems.iter().filter(|p| p.line >= first).collect();
            assert_eq!(appended.len(), 1, "{extra}: {problems:?}");
            let Problem { line, kind } = appended[0];
            assert_eq!(*line, first + offset, "{extra}: {kind:?}");
            match expected {
                ProblemKind::Syntax(_) => assert!(matches!(kind, ProblemKind::Syntax(_))),
                expected => assert_eq!(*kind, expected, "{extra}"),
            }
        }
    }
}
