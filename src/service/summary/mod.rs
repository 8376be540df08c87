//! Summaries: the picture of a period for staff and fund managers, the same for `/summary`,
//! `/export` and `setad summary`.
//!
//! A summary only reads: a period whose occurrences the tick has not created (yet: next month,
//! a fresh import; or never: a month before the bot was installed) shows the units its
//! occurrences would be created for, planned in memory by the rule that creates them
//! ([`super::occurrence::planned`]). Which periods may be asked for at all is [`span`]'s to say.

mod adoption;
mod member;
mod span;

pub use member::{Overdue, Withheld, allowed, for_member, overdue_for_member};
pub use span::{OutOfSpan, Span, span};

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::domain::calendar::{JalaliDate, Period};
use crate::domain::obligation::{OccurrenceStatus, Shape};
use crate::domain::schedule::{WorkCalendar, occasions};
use crate::domain::summary::{
    Facts, ObligationSummary, QuotaNode, Standing, Summary, Totals, TreeUnit, UnitLine, line_order,
    roll_up,
};
use crate::domain::unit::UnitKind;
use crate::store::{PeriodRow, Store, StoreError, SummaryMark};

use super::occurrence::{parse_schedule, planned};

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

/// Summaries built before, with what they were built from and the mark of the data then: at
/// national scale (37,000 villages) reading a month takes some 75,000 rows, while a summary
/// is asked for far more often than the data under it changes, and when it changes, it is a
/// few reports at a time. Shared by every handler of the process; one summary is built at a
/// time (the others wait for it rather than read the same rows again).
#[derive(Default)]
pub struct SummaryCache {
    built: tokio::sync::Mutex<HashMap<i32, Built>>,
    loads: std::sync::atomic::AtomicU64,
}

impl SummaryCache {
    /// How many times everything was read (not served or patched from memory).
    pub fn full_loads(&self) -> u64 {
        self.loads.load(std::sync::atomic::Ordering::Relaxed)
    }
}

struct Built {
    mark: SummaryMark,
    loaded: Loaded,
    summary: Arc<Summary>,
}

impl std::fmt::Debug for SummaryCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SummaryCache").finish_non_exhaustive()
    }
}

/// The summary of `period`, the same as [`build`] makes it, from what was read before where
/// possible. The mark of the data (the latest report revision, occurrence and audit entry) is
/// read from the database, so changes by other processes count:
/// - nothing changed and no due time passed: the summary built before;
/// - only reports changed (the usual case): the changed occurrences and their units' quota
///   progress are read again and the summary is patched (their lines moved to their new
///   place, the totals counted again, the quota figures of their ancestors adjusted);
/// - anything else (new occurrences, an import, a due time passed): everything is read again.
///
/// The mark is read before the data, so a change made meanwhile is read again next time.
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
    let mut built = cache.built.lock().await;
    if let Some(b) = built.get_mut(&period.code())
        && ts < b.loaded.until
    {
        if b.mark == mark {
            return Ok(b.summary.clone());
        }
        if b.mark.occurrence == mark.occurrence
            && b.mark.audit == mark.audit
            && mark.revision > b.mark.revision
        {
            match patch(store, b, ts).await {
                Ok(()) => {
                    b.mark = mark;
                    return Ok(b.summary.clone());
                }
                Err(e) => {
                    built.remove(&period.code());
                    return Err(e);
                }
            }
        }
    }
    cache
        .loads
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let loaded = load(store, period, cal, tz, now).await?;
    let summary = Arc::new(assemble(&loaded, ts));
    if built.len() > 24 {
        built.clear();
    }
    built.insert(
        period.code(),
        Built {
            mark,
            loaded,
            summary: summary.clone(),
        },
    );
    Ok(summary)
}

/// Builds the summary of `period` as of `now`, reading only. A month whose occurrences are not
/// created shows the units they would be created for, so a month nobody has reported in yet
/// shows every unit as pending or missing; a future period shows what is assigned, with
/// nothing due yet. Callers refuse periods outside the [`span`] first.
pub async fn build(
    store: &Store,
    period: Period,
    cal: &WorkCalendar,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<Summary, StoreError> {
    let loaded = load(store, period, cal, tz, now).await?;
    Ok(assemble(&loaded, now.timestamp()))
}

/// What a summary is assembled from, as read from the database.
struct Loaded {
    period: Period,
    /// Until when (UTC seconds) it holds if no data changes: the next due time of the period
    /// or the one before (a pending unit becomes missing), at most an hour on.
    until: i64,
    /// Unit id → (display name, kind).
    units: HashMap<i64, (String, UnitKind)>,
    tree: Arc<Vec<TreeUnit>>,
    obligations: Vec<LoadedObligation>,
    /// The rows of the period and of the one before, and where each occurrence's row is.
    rows: Vec<PeriodRow>,
    previous: Vec<PeriodRow>,
    at: HashMap<i64, (bool, usize)>,
    /// (obligation, unit) → the index of its row in `rows` (ties in the lines' order go by it).
    rank: HashMap<(i64, i64), usize>,
    /// Obligation id → the meeting that adopted it; and its share done since (done, due).
    meetings: HashMap<i64, crate::domain::summary::Meeting>,
    shares: HashMap<i64, (u32, u32)>,
}

struct LoadedObligation {
    obligation_id: i64,
    key: String,
    title: String,
    shape: Shape,
    due: Option<JalaliDate>,
    /// Quota obligations: unit id → (target, achieved this year up to the period).
    leaves: HashMap<i64, (u64, u64)>,
    /// The leaves rolled up the tree, and where each unit's node is.
    quota: Vec<QuotaNode>,
    nodes: HashMap<i64, usize>,
}

#[tracing::instrument(skip(store, cal))]
async fn load(
    store: &Store,
    period: Period,
    cal: &WorkCalendar,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<Loaded, StoreError> {
    let stored = store.obligations().await?;
    let units = store.units().await?;
    let by_id: HashMap<i64, &crate::store::UnitRow> =
        units.iter().map(|u| (u.unit_id, u)).collect();
    let rows = with_planned(store, &stored, period, cal, tz).await?;
    let previous = with_planned(store, &stored, period.prev(), cal, tz).await?;
    let ts = now.timestamp();
    let until = rows
        .iter()
        .chain(&previous)
        .map(|r| r.due_at)
        .filter(|due| *due > ts)
        .fold(ts + 3600, i64::min);

    // Units below a county are named with their county: there are many "central districts".
    let names: HashMap<i64, (String, UnitKind)> = units
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
                if p.kind == UnitKind::County {
                    county = Some(p.name.as_str());
                    break;
                }
                parent = p.parent_id;
            }
            let name = match county {
                Some(c) if below_county => format!("{} ({c})", u.name),
                _ => u.name.clone(),
            };
            let kind = u.kind;
            (u.unit_id, (name, kind))
        })
        .collect();
    let tree: Vec<TreeUnit> = units
        .iter()
        .map(|u| TreeUnit {
            unit_id: u.unit_id,
            parent_id: u.parent_id,
            kind: u.kind,
            name: u.name.clone(),
        })
        .collect();

    let mut obligations = Vec::new();
    let meetings = adoption::meetings(store, &stored).await?;
    let shares = adoption::shares(store, &meetings, period, ts).await?;
    for o in stored {
        let shape = o.shape;
        let due = occasions(&parse_schedule(&o.schedule)?, period, cal).map(|occ| occ.due.date);
        let leaves = if shape == Shape::Quota {
            let (from, to) = quota_span(period);
            store
                .quota_progress(o.obligation_id, from, to, None)
                .await?
                .into_iter()
                .map(|(unit_id, target, achieved)| {
                    (unit_id, (target.max(0) as u64, achieved.max(0) as u64))
                })
                .collect()
        } else {
            HashMap::new()
        };
        let quota = if shape == Shape::Quota {
            roll_up(&tree, &leaves)
        } else {
            Vec::new()
        };
        obligations.push(LoadedObligation {
            obligation_id: o.obligation_id,
            key: o.key,
            title: o.title,
            shape,
            due,
            leaves,
            nodes: nodes_of(&quota),
            quota,
        });
    }
    let at = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.occurrence_id, (false, i)))
        .chain(
            previous
                .iter()
                .enumerate()
                .map(|(i, r)| (r.occurrence_id, (true, i))),
        )
        // Planned rows have no occurrence a report could change.
        .filter(|(id, _)| *id > 0)
        .collect();
    let rank = rows
        .iter()
        .enumerate()
        .map(|(i, r)| ((r.obligation_id, r.unit_id), i))
        .collect();
    Ok(Loaded {
        period,
        until,
        units: names,
        tree: Arc::new(tree),
        obligations,
        rows,
        previous,
        at,
        rank,
        meetings,
        shares,
    })
}

/// The rows of `period`: those stored, then one for every active responsible assignment whose
/// occurrence is not created yet but would be (its obligation in force and due that month),
/// open, with the times [`planned`] gives it and a negative id of its own (it has no
/// occurrence to report on). Nothing is written.
async fn with_planned(
    store: &Store,
    obligations: &[crate::store::ObligationRow],
    period: Period,
    cal: &WorkCalendar,
    tz: Tz,
) -> Result<Vec<PeriodRow>, StoreError> {
    let code = i64::from(period.code());
    let mut rows = store.period_rows(code).await?;
    let unplanned = store.unplanned_assignments(code).await?;
    if unplanned.is_empty() {
        return Ok(rows);
    }
    let mut times = HashMap::new();
    for o in obligations {
        if let Some(p) = planned(o, period, cal, tz)? {
            times.insert(o.obligation_id, p);
        }
    }
    let mut id = 0;
    for (obligation_id, unit_id) in unplanned {
        let Some(p) = times.get(&obligation_id) else {
            continue;
        };
        id -= 1;
        rows.push(PeriodRow {
            occurrence_id: id,
            due_at: p.due_at,
            status: OccurrenceStatus::Open,
            obligation_id,
            unit_id,
            body: None,
            held: None,
            held_on: None,
            attendees: None,
            insured: None,
            late: None,
        });
    }
    Ok(rows)
}

/// Quotas count from the start of the Jalali year up to the period: (from, to) as codes.
fn quota_span(period: Period) -> (i64, i64) {
    (i64::from(period.year()) * 100 + 1, i64::from(period.code()))
}

fn nodes_of(quota: &[QuotaNode]) -> HashMap<i64, usize> {
    quota
        .iter()
        .enumerate()
        .map(|(i, n)| (n.unit_id, i))
        .collect()
}

/// Reads again what reports changed since the entry was built, and patches its summary.
async fn patch(store: &Store, b: &mut Built, ts: i64) -> Result<(), StoreError> {
    let loaded = &mut b.loaded;
    let changed = store.reported_since(b.mark.revision).await?;
    let ids: Vec<i64> = changed
        .iter()
        .map(|c| c.0)
        .filter(|id| loaded.at.contains_key(id))
        .collect();
    let mut moved = Vec::new();
    let mut previous_changed = std::collections::HashSet::new();
    for row in store.period_rows_of(&ids).await? {
        let Some(&(previous, i)) = loaded.at.get(&row.occurrence_id) else {
            continue;
        };
        if previous {
            previous_changed.insert(row.obligation_id);
            loaded.previous[i] = row;
        } else {
            moved.push(i);
            loaded.rows[i] = row;
        }
    }
    // Quota progress of the units whose reports changed this year.
    let (from, to) = quota_span(loaded.period);
    let mut quota_changed = std::collections::HashSet::new();
    for o in loaded
        .obligations
        .iter_mut()
        .filter(|o| o.shape == Shape::Quota)
    {
        let units: Vec<i64> = changed
            .iter()
            .filter(|c| c.2 == o.obligation_id && (from..=to).contains(&c.1))
            .map(|c| c.3)
            .collect();
        let mut whole = false;
        for units in units.chunks(64) {
            for (unit_id, target, achieved) in store
                .quota_progress(o.obligation_id, from, to, Some(units))
                .await?
            {
                let new = (target.max(0) as u64, achieved.max(0) as u64);
                let Some(old) = o.leaves.insert(unit_id, new) else {
                    whole = true;
                    continue;
                };
                whole |= !adjust(o, &loaded.tree, unit_id, old, new);
                quota_changed.insert(o.obligation_id);
            }
        }
        if whole {
            o.quota = roll_up(&loaded.tree, &o.leaves);
            o.nodes = nodes_of(&o.quota);
            quota_changed.insert(o.obligation_id);
        }
    }

    // The summary is patched in place when nobody else holds it (then its parts are not
    // copied either); otherwise a copy of the part that changes is.
    let placeholder = Arc::new(Summary {
        period: loaded.period,
        obligations: Vec::new(),
    });
    let mut summary = Arc::try_unwrap(std::mem::replace(&mut b.summary, placeholder))
        .unwrap_or_else(|shared| Summary::clone(&shared));
    for o in &loaded.obligations {
        let lines_moved: Vec<usize> = moved
            .iter()
            .copied()
            .filter(|i| loaded.rows[*i].obligation_id == o.obligation_id)
            .collect();
        let touched = !lines_moved.is_empty()
            || previous_changed.contains(&o.obligation_id)
            || quota_changed.contains(&o.obligation_id);
        let Some(part) = summary.obligations.iter_mut().find(|p| p.key == o.key) else {
            continue;
        };
        if !touched {
            continue;
        }
        let part = Arc::make_mut(part);
        let rank = |l: &UnitLine| loaded.rank.get(&(o.obligation_id, l.unit_id)).copied();
        for i in lines_moved {
            let new = line_of(loaded, &loaded.rows[i], ts);
            if let Some(at) = part.lines.iter().position(|l| l.unit_id == new.unit_id) {
                part.lines.remove(at);
            }
            let at = part.lines.partition_point(|l| {
                line_order(l, &new).then_with(|| rank(l).cmp(&rank(&new))) == Ordering::Less
            });
            part.lines.insert(at, new);
        }
        part.totals = Totals::of(&part.lines);
        if previous_changed.contains(&o.obligation_id) {
            part.previous = previous_totals(loaded, o.obligation_id, ts);
        }
        if quota_changed.contains(&o.obligation_id) {
            part.quota = o.quota.clone();
        }
    }
    // Shares since adoption (a report may have done an occurrence of any period since).
    loaded.shares = adoption::shares(store, &loaded.meetings, loaded.period, ts).await?;
    for part in summary.obligations.iter_mut() {
        let Some(o) = loaded.obligations.iter().find(|o| o.key == part.key) else {
            continue;
        };
        let new = adoption::of(o.obligation_id, &loaded.meetings, &loaded.shares);
        if part.adoption != new {
            Arc::make_mut(part).adoption = new;
        }
    }
    b.summary = Arc::new(summary);
    Ok(())
}

/// Moves a leaf's quota figures from `old` to `new` in its node and every node above it.
/// Returns false when a node is missing (the tree must be rolled up again).
fn adjust(
    o: &mut LoadedObligation,
    tree: &[TreeUnit],
    unit_id: i64,
    old: (u64, u64),
    new: (u64, u64),
) -> bool {
    let mut current = Some(unit_id);
    let mut steps = 0;
    while let Some(id) = current {
        let Some(&k) = o.nodes.get(&id) else {
            return false;
        };
        let node = &mut o.quota[k];
        node.target = (node.target + new.0).saturating_sub(old.0);
        node.achieved = (node.achieved + new.1).saturating_sub(old.1);
        // The tree is in unit id order (as the units are read).
        current = tree
            .binary_search_by_key(&id, |u| u.unit_id)
            .ok()
            .and_then(|i| tree[i].parent_id);
        steps += 1;
        if steps > 64 {
            break;
        }
    }
    true
}

fn previous_totals(loaded: &Loaded, obligation_id: i64, ts: i64) -> Option<Totals> {
    // Last month counts only: its lines need no names.
    let lines: Vec<UnitLine> = loaded
        .previous
        .iter()
        .filter(|r| r.obligation_id == obligation_id)
        .map(|r| UnitLine {
            unit_id: r.unit_id,
            name: String::new(),
            kind: UnitKind::Office,
            standing: standing(r, ts),
            facts: facts(r),
            text: None,
        })
        .collect();
    (!lines.is_empty()).then(|| Totals::of(&lines))
}

fn line_of(loaded: &Loaded, r: &PeriodRow, ts: i64) -> UnitLine {
    let (name, kind) = loaded
        .units
        .get(&r.unit_id)
        .cloned()
        .unwrap_or((String::new(), UnitKind::Office));
    UnitLine {
        unit_id: r.unit_id,
        name,
        kind,
        standing: standing(r, ts),
        facts: facts(r),
        text: r.body.clone(),
    }
}

/// Assembles the summary from what was read, as of `ts` (UTC seconds).
fn assemble(loaded: &Loaded, ts: i64) -> Summary {
    let mut obligations = Vec::new();
    for o in &loaded.obligations {
        let lines: Vec<UnitLine> = loaded
            .rows
            .iter()
            .filter(|r| r.obligation_id == o.obligation_id)
            .map(|r| line_of(loaded, r, ts))
            .collect();
        if lines.is_empty() {
            continue;
        }
        let mut part = ObligationSummary::new(
            o.key.clone(),
            o.title.clone(),
            o.shape,
            o.due,
            lines,
            previous_totals(loaded, o.obligation_id, ts),
            o.quota.clone(),
        );
        part.adoption = adoption::of(o.obligation_id, &loaded.meetings, &loaded.shares);
        obligations.push(Arc::new(part));
    }
    Summary {
        period: loaded.period,
        obligations,
    }
}
