//! `setad schedule`: the coming reminders, nudges, due dates and escalations, computed from the
//! stored obligations, assignments and holidays.

use std::collections::HashMap;

use crate::domain::calendar::JalaliDate;
use crate::domain::schedule::{Event, EventKind, WorkCalendar, occasions};
use crate::store::{Store, StoreError};

use super::occurrence::parse_schedule;

/// One line of the schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleLine {
    /// The event (day, time, kind, where it was moved from).
    pub event: Event,
    /// The obligation's key.
    pub obligation: String,
    /// The obligation's title.
    pub title: String,
    /// Who it goes to: the responsible unit, or for an escalation the follower-up office.
    pub unit: String,
    /// The due date of the occurrence the event belongs to.
    pub due: JalaliDate,
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct ScheduleQuery {
    /// Only this obligation (by key, case-insensitive).
    pub obligation: Option<String>,
    /// Only this unit (by key).
    pub unit: Option<String>,
}

/// The events from `from` (inclusive) through the end of the `months`-th Jalali month
/// starting with `from`'s month, in time order; reminders and nudges per responsible unit,
/// due dates per unit, one escalation per obligation.
pub async fn upcoming(
    store: &Store,
    cal: &WorkCalendar,
    from: JalaliDate,
    months: u32,
    query: &ScheduleQuery,
) -> Result<Vec<ScheduleLine>, StoreError> {
    let units: HashMap<i64, (String, String)> = store
        .units()
        .await?
        .into_iter()
        .map(|u| (u.unit_id, (u.key, u.name)))
        .collect();
    let assignments = store.assignments().await?;
    let mut lines = Vec::new();
    for obligation in store.obligations().await? {
        if query
            .obligation
            .as_ref()
            .is_some_and(|k| !k.eq_ignore_ascii_case(&obligation.key))
        {
            continue;
        }
        let schedule = parse_schedule(&obligation.schedule)?;
        let mut responsible: Vec<&(String, String)> = assignments
            .iter()
            .filter(|a| {
                a.obligation_id == obligation.obligation_id
                    && a.active
                    && a.involvement == crate::domain::obligation::Involvement::Responsible
            })
            .filter_map(|a| units.get(&a.unit_id))
            .filter(|(key, _)| query.unit.as_ref().is_none_or(|u| u == key))
            .collect();
        if responsible.is_empty() {
            continue;
        }
        responsible.sort_by(|a, b| a.1.cmp(&b.1));
        let follow_up = units
            .get(&obligation.follow_up_unit_id)
            .map(|u| u.1.clone())
            .unwrap_or_default();
        for offset in 0..months.min(600) as i32 {
            let period = from.period().offset(offset);
            if !obligation.in_force(i64::from(period.code())) {
                continue; // before its start or after its end
            }
            let Some(occ) = occasions(&schedule, period, cal) else {
                continue;
            };
            for event in occ.events() {
                if event.date < from {
                    continue;
                }
                let line = |unit: &str| ScheduleLine {
                    event: event.clone(),
                    obligation: obligation.key.clone(),
                    title: obligation.title.clone(),
                    unit: unit.to_owned(),
                    due: occ.due.date,
                };
                match event.kind {
                    EventKind::Escalate => lines.push(line(&follow_up)),
                    _ => lines.extend(responsible.iter().map(|(_, name)| line(name))),
                }
            }
        }
    }
    lines.sort_by(|a, b| {
        (
            a.event.date,
            a.event.time,
            a.event.kind,
            &a.obligation,
            &a.unit,
        )
            .cmp(&(
                b.event.date,
                b.event.time,
                b.event.kind,
                &b.obligation,
                &b.unit,
            ))
    });
    Ok(lines)
}
