//! Summaries: the picture of a period for staff and fund managers, the same for `/summary`,
//! `/export` and `setad summary`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::domain::calendar::{JalaliDate, Period};
use crate::domain::obligation::Shape;
use crate::domain::schedule::{WorkCalendar, occasions};
use crate::domain::summary::{
    Facts, ObligationSummary, Standing, Summary, Totals, TreeUnit, UnitLine, roll_up,
};
use crate::domain::unit::UnitKind;
use crate::store::{PeriodRow, Store, StoreError, SummaryMark};

use super::occurrence::{ensure_period, parse_schedule};

fn standing(row: &PeriodRow, now: i64) -> Standing {
    match row.status.as_str() {
        "reported" => Standing::Reported,
        "late" => Standing::Late,
        "missed" => Standing::Missing,
        _ if now >= row.due_at => Standing::Missing,
        _ => Standing::Pending,
    }
}

fn facts(row: &PeriodRow) -> Facts {
    let count = |n: Option<i64>| n.and_then(|n| u32::try_from(n).ok());
    Facts {
        held: row.held,
        held_on: row
            .held_on
            .as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .map(JalaliDate::from_gregorian),
        attendees: count(row.attendees),
        insured: count(row.insured),
    }
}

/// Summaries built before, each with the mark of the data it was built from: at national
/// scale (37,000 villages) building one reads some 75,000 rows, while a summary is asked for
/// far more often than the data under it changes. Shared by every handler of the process.
#[derive(Default)]
pub struct SummaryCache {
    built: Mutex<HashMap<i32, Built>>,
}

struct Built {
    mark: SummaryMark,
    until: i64,
    summary: Arc<Summary>,
}

impl std::fmt::Debug for SummaryCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SummaryCache").finish_non_exhaustive()
    }
}

/// The summary of `period` as [`build`] makes it, or the one built before when nothing it
/// depends on has changed: no report or correction (each adds a revision), no new occurrence,
/// no import (each writes the audit trail), and no due time passed (a pending unit becomes
/// missing). The mark is read from the database, so a change made by another process counts
/// too. It is read before building: a change during the build makes the next call build again.
pub async fn build_cached(
    cache: &SummaryCache,
    store: &Store,
    period: Period,
    cal: &WorkCalendar,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<Arc<Summary>, StoreError> {
    let mark = store.summary_mark().await?;
    let ts = now.timestamp();
    if let Ok(built) = cache.built.lock()
        && let Some(b) = built.get(&period.code())
        && b.mark == mark
        && ts < b.until
    {
        return Ok(b.summary.clone());
    }
    let (summary, until) = build_until(store, period, cal, tz, now).await?;
    let summary = Arc::new(summary);
    if let Ok(mut built) = cache.built.lock() {
        if built.len() > 64 {
            built.clear();
        }
        built.insert(
            period.code(),
            Built {
                mark,
                until,
                summary: summary.clone(),
            },
        );
    }
    Ok(summary)
}

/// Builds the summary of `period` as of `now`. Periods up to the current one get their
/// occurrences created first (idempotently), so a month nobody has reported in yet shows every
/// unit as pending or missing; a future period shows what is assigned, with nothing due yet.
pub async fn build(
    store: &Store,
    period: Period,
    cal: &WorkCalendar,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<Summary, StoreError> {
    Ok(build_until(store, period, cal, tz, now).await?.0)
}

/// [`build`], and until when (UTC seconds) the summary holds if no data changes: the next due
/// time of the period or the one before, at most an hour on.
#[tracing::instrument(skip(store, cal))]
async fn build_until(
    store: &Store,
    period: Period,
    cal: &WorkCalendar,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<(Summary, i64), StoreError> {
    let current = JalaliDate::today(now, tz).period();
    if period <= current {
        ensure_period(store, period, cal, tz, now).await?;
        if period.prev() < current {
            ensure_period(store, period.prev(), cal, tz, now).await?;
        }
    }
    let units = store.units().await?;
    let by_id: HashMap<i64, &crate::store::UnitRow> =
        units.iter().map(|u| (u.unit_id, u)).collect();
    let rows = store.period_rows(i64::from(period.code())).await?;
    let previous_rows = store.period_rows(i64::from(period.prev().code())).await?;
    let ts = now.timestamp();
    let until = rows
        .iter()
        .chain(&previous_rows)
        .map(|r| r.due_at)
        .filter(|due| *due > ts)
        .fold(ts + 3600, i64::min);

    // Units below a county are named with their county: there are many "central districts".
    let display: HashMap<i64, String> = units
        .iter()
        .map(|u| {
            let below_county = matches!(
                u.kind.as_str(),
                "district" | "rural_district" | "village" | "town"
            );
            let mut county = None;
            let mut parent = u.parent_id;
            for _ in 0..8 {
                let Some(p) = parent.and_then(|id| by_id.get(&id)) else {
                    break;
                };
                if p.kind == "county" {
                    county = Some(p.name.as_str());
                    break;
                }
                parent = p.parent_id;
            }
            let name = match county {
                Some(c) if below_county => format!("{} ({c})", u.name),
                _ => u.name.clone(),
            };
            (u.unit_id, name)
        })
        .collect();
    let lines_of = |rows: &[PeriodRow], obligation_id: i64| -> Vec<UnitLine> {
        rows.iter()
            .filter(|r| r.obligation_id == obligation_id)
            .map(|r| {
                let unit = by_id.get(&r.unit_id);
                UnitLine {
                    unit_id: r.unit_id,
                    name: display
                        .get(&r.unit_id)
                        .cloned()
                        .or_else(|| unit.map(|u| u.name.clone()))
                        .unwrap_or_default(),
                    kind: unit
                        .and_then(|u| UnitKind::parse(&u.kind))
                        .unwrap_or(UnitKind::Office),
                    standing: standing(r, ts),
                    facts: facts(r),
                    text: r.body.clone(),
                }
            })
            .collect()
    };

    let tree: Vec<TreeUnit> = units
        .iter()
        .map(|u| TreeUnit {
            unit_id: u.unit_id,
            parent_id: u.parent_id,
            kind: UnitKind::parse(&u.kind).unwrap_or(UnitKind::Office),
            name: u.name.clone(),
        })
        .collect();

    let mut obligations = Vec::new();
    for o in store.obligations().await? {
        let lines = lines_of(&rows, o.obligation_id);
        if lines.is_empty() {
            continue;
        }
        let shape = Shape::parse(&o.shape).unwrap_or(Shape::Continuous);
        let due = occasions(&parse_schedule(&o.schedule)?, period, cal).map(|occ| occ.due.date);
        let previous_lines = lines_of(&previous_rows, o.obligation_id);
        let previous = (!previous_lines.is_empty()).then(|| Totals::of(&previous_lines));
        let quota = if shape == Shape::Quota {
            // Quotas count from the start of the Jalali year.
            let from = i64::from(period.year()) * 100 + 1;
            let progress = store
                .quota_progress(o.obligation_id, from, i64::from(period.code()))
                .await?;
            let leaves = progress
                .into_iter()
                .map(|(unit_id, target, achieved)| {
                    (unit_id, (target.max(0) as u64, achieved.max(0) as u64))
                })
                .collect();
            roll_up(&tree, &leaves)
        } else {
            Vec::new()
        };
        obligations.push(Arc::new(ObligationSummary::new(
            o.key, o.title, shape, due, lines, previous, quota,
        )));
    }
    Ok((
        Summary {
            period,
            obligations,
        },
        until,
    ))
}
