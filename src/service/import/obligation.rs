//! One `[[obligation]]` entry checked: its key, its shape, the units it names (as keys) and its
//! schedule against the shape. Pure; whether the units exist is [`super::plan`]'s to say.

use crate::domain::calendar::JalaliDate;
use crate::domain::obligation::{DueRule, JalaliDateText, Schedule, Shape, TimeOfDay};
use crate::domain::unit::{UnitKey, UnitKind};

use super::file::{ObligationEntry, ScheduleEntry};
use super::{Problem, ProblemKind};

/// Whom a `responsible` entry names: one unit, or every unit of a kind (`kind:county`).
#[derive(Debug, Clone)]
pub(super) enum Target {
    Unit(UnitKey),
    Kind(UnitKind),
}

/// An obligation entry without problems of its own.
#[derive(Debug, Clone)]
pub(super) struct CheckedObligation {
    pub line: usize,
    pub key: String,
    pub resolution: String,
    pub title: String,
    pub description: String,
    pub shape: Shape,
    pub responsible: Vec<Target>,
    /// The `responsible` entries as written (stored with the obligation).
    pub responsible_text: Vec<String>,
    pub collaborating: Vec<UnitKey>,
    pub follow_up: UnitKey,
    pub report_to: UnitKey,
    pub population_below: Option<i64>,
    /// The meeting that adopted it (a `[[meeting]]` key).
    pub meeting: Option<String>,
    /// The first day in force: explicit, or (after [`super::plan`]) its meeting's date.
    pub start: Option<JalaliDate>,
    /// The last day in force.
    pub end: Option<JalaliDate>,
    pub schedule: Schedule,
}

/// Checks an obligation entry at `line`: its key, shape, the units it names (as keys; whether
/// they exist is [`super::plan`]'s to say) and its schedule.
pub(super) fn check(o: &ObligationEntry, line: usize) -> Result<CheckedObligation, Vec<Problem>> {
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
    let mut date = |d: &Option<String>| {
        d.as_deref().and_then(|d| {
            JalaliDate::parse(d)
                .map_err(|_| report(ProblemKind::BadDate(d.to_owned())))
                .ok()
        })
    };
    let (start, end) = (date(&o.start), date(&o.end));
    let schedule =
        shape.and_then(|shape| schedule(&o.key, shape, o.schedule.as_ref(), line, &mut problems));
    match (shape, follow_up, report_to, schedule) {
        (Some(shape), Some(follow_up), Some(report_to), Some(schedule)) if problems.is_empty() => {
            Ok(CheckedObligation {
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
                meeting: o.meeting.clone(),
                start,
                end,
                schedule,
            })
        }
        _ => Err(problems),
    }
}

/// Checks a schedule against its obligation's shape; `None` when it has problems (added to
/// `problems`).
fn schedule(
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
