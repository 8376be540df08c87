//! Aggregation: from the per-unit state of one period to the picture staff and fund managers
//! ask for: who reported, who held the session, who is late or missing, the numbers, quota
//! progress rolled up the unit tree, and the change from the previous month.
//!
//! Pure: the service layer loads the rows and says what "now" is.

use std::collections::{BTreeMap, HashMap};

use super::calendar::{JalaliDate, Period};
use super::obligation::Shape;
use super::unit::UnitKind;

/// Where one unit stands on one obligation in one period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Standing {
    /// Reported on time.
    Reported,
    /// Reported after the due date.
    Late,
    /// Not reported, and the due date has passed.
    Missing,
    /// Not reported yet, and still within time.
    Pending,
}

impl Standing {
    /// The message-id and CSV name.
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Reported => "reported",
            Standing::Late => "late",
            Standing::Missing => "missing",
            Standing::Pending => "pending",
        }
    }

    /// Whether a report is in.
    pub fn has_report(self) -> bool {
        matches!(self, Standing::Reported | Standing::Late)
    }
}

/// What a report said, as far as the bot could read it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// Whether the session was held.
    pub held: Option<bool>,
    /// The day it was held.
    pub held_on: Option<JalaliDate>,
    /// How many attended.
    pub attendees: Option<u32>,
    /// How many people were newly insured.
    pub insured: Option<u32>,
}

/// One unit's line in a summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitLine {
    /// The unit's database id.
    pub unit_id: i64,
    /// The unit's display name.
    pub name: String,
    /// The unit's kind.
    pub kind: UnitKind,
    /// Where it stands.
    pub standing: Standing,
    /// What its report said (empty without a report).
    pub facts: Facts,
    /// The report's text, if any.
    pub text: Option<String>,
}

/// Counts and sums over the units of one obligation in one period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Units the obligation is assigned to.
    pub assigned: u32,
    /// Units that reported (on time or late).
    pub reported: u32,
    /// Units whose report says the session was held.
    pub held: u32,
    /// Units that reported late.
    pub late: u32,
    /// Units that did not report by the due date.
    pub missing: u32,
    /// Units not reported yet but still within time.
    pub pending: u32,
    /// Attendees, summed over the reports that gave a number.
    pub attendees: u64,
    /// Newly insured, summed over the reports that gave a number.
    pub insured: u64,
}

impl Totals {
    /// Adds up `lines`.
    pub fn of(lines: &[UnitLine]) -> Totals {
        let mut t = Totals {
            assigned: lines.len() as u32,
            ..Totals::default()
        };
        for line in lines {
            match line.standing {
                Standing::Reported => t.reported += 1,
                Standing::Late => {
                    t.reported += 1;
                    t.late += 1;
                }
                Standing::Missing => t.missing += 1,
                Standing::Pending => t.pending += 1,
            }
            if line.facts.held == Some(true) {
                t.held += 1;
            }
            t.attendees += u64::from(line.facts.attendees.unwrap_or(0));
            t.insured += u64::from(line.facts.insured.unwrap_or(0));
        }
        t
    }
}

/// The change of a count from the previous month (`current − previous`).
pub fn change(current: u64, previous: u64) -> i64 {
    current as i64 - previous as i64
}

/// One obligation's part of a summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObligationSummary {
    /// The obligation's key (`R3`).
    pub key: String,
    /// The obligation's title.
    pub title: String,
    /// Its shape.
    pub shape: Shape,
    /// The due date in this period, if the obligation falls due in it.
    pub due: Option<JalaliDate>,
    /// One line per assigned unit, sorted: missing first, then late, pending, reported; by name.
    pub lines: Vec<UnitLine>,
    /// The totals of `lines`.
    pub totals: Totals,
    /// The same totals for the previous period, when it had occurrences.
    pub previous: Option<Totals>,
    /// Quota progress rolled up the tree (quota obligations only).
    pub quota: Vec<QuotaNode>,
    /// The meeting that adopted it and its share done since, if a meeting did.
    pub adoption: Option<Adoption>,
}

/// A session of the headquarters that adopted resolutions.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Meeting {
    /// The day it met (first, so that meetings order by date).
    pub date: JalaliDate,
    /// Its key in the data file.
    pub key: String,
    /// Its title (may be empty).
    pub title: String,
}

/// An obligation's adoption: its meeting, and how much of it was done since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adoption {
    /// The meeting that adopted it.
    pub meeting: Meeting,
    /// Its occurrences since its start, up to the period summarised, that were done: reported
    /// by their due date (for meetings: reporting the session held).
    pub done: u32,
    /// Those occurrences that are due (their due date passed, or reported before it).
    pub due: u32,
}

impl Adoption {
    /// The share done in whole percent (`None` while nothing is due yet).
    pub fn percent(&self) -> Option<u32> {
        (u64::from(self.done) * 100)
            .checked_div(u64::from(self.due))
            .map(|p| p as u32)
    }
}

/// The order summaries show obligations in: grouped by the meeting that adopted them, those
/// of no recorded meeting first, then by meeting date; within a group as given. Returns the
/// groups, each with its meeting.
pub fn by_meeting(
    obligations: &[std::sync::Arc<ObligationSummary>],
) -> Vec<(Option<&Meeting>, Vec<&ObligationSummary>)> {
    let mut groups: BTreeMap<Option<&Meeting>, Vec<&ObligationSummary>> = BTreeMap::new();
    for o in obligations {
        let meeting = o.adoption.as_ref().map(|a| &a.meeting);
        groups.entry(meeting).or_default().push(o);
    }
    groups.into_iter().collect()
}

impl ObligationSummary {
    /// Builds the summary of one obligation from its lines, sorting them.
    pub fn new(
        key: String,
        title: String,
        shape: Shape,
        due: Option<JalaliDate>,
        mut lines: Vec<UnitLine>,
        previous: Option<Totals>,
        quota: Vec<QuotaNode>,
    ) -> Self {
        lines.sort_by(line_order);
        let totals = Totals::of(&lines);
        ObligationSummary {
            key,
            title,
            shape,
            due,
            lines,
            totals,
            previous,
            quota,
            adoption: None,
        }
    }
}

/// The order of a summary's lines: missing first, then late, pending, reported; by name.
pub fn line_order(a: &UnitLine, b: &UnitLine) -> std::cmp::Ordering {
    let order = |s: Standing| match s {
        Standing::Missing => 0,
        Standing::Late => 1,
        Standing::Pending => 2,
        Standing::Reported => 3,
    };
    order(a.standing)
        .cmp(&order(b.standing))
        .then_with(|| a.name.cmp(&b.name))
}

/// A whole period's summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// The period summarised.
    pub period: Period,
    /// One part per obligation that has occurrences in the period (shared: a summary is
    /// built once and shown to many, each seeing the obligations of their office).
    pub obligations: Vec<std::sync::Arc<ObligationSummary>>,
}

/// A node of the unit tree, for rolling quotas up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeUnit {
    /// The unit's id.
    pub unit_id: i64,
    /// Its parent's id (`None` for the root).
    pub parent_id: Option<i64>,
    /// Its kind.
    pub kind: UnitKind,
    /// Its display name.
    pub name: String,
}

/// A unit's quota progress: its own target and achievement plus those of every unit below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaNode {
    /// The unit's id.
    pub unit_id: i64,
    /// Its display name.
    pub name: String,
    /// Its kind.
    pub kind: UnitKind,
    /// Its depth below the shallowest node shown (0 for the top).
    pub depth: u32,
    /// The target, summed over the subtree.
    pub target: u64,
    /// The newly insured reported, summed over the subtree.
    pub achieved: u64,
}

impl QuotaNode {
    /// Progress in whole percent (0 when there is no target).
    pub fn percent(&self) -> u64 {
        (self.achieved * 100).checked_div(self.target).unwrap_or(0)
    }
}

/// Rolls the per-unit quota figures `leaves` (unit id → (target, achieved)) up the tree:
/// village → district → county → province. Returns the units that have a quota below them,
/// depth-first from the root, children by name.
pub fn roll_up(tree: &[TreeUnit], leaves: &HashMap<i64, (u64, u64)>) -> Vec<QuotaNode> {
    let by_id: HashMap<i64, &TreeUnit> = tree.iter().map(|u| (u.unit_id, u)).collect();
    let mut sums: HashMap<i64, (u64, u64)> = HashMap::new();
    for (&unit_id, &(target, achieved)) in leaves {
        // Walk to the root, guarding against a cycle in bad data.
        let mut current = Some(unit_id);
        let mut steps = 0;
        while let Some(id) = current {
            let entry = sums.entry(id).or_default();
            entry.0 += target;
            entry.1 += achieved;
            current = by_id.get(&id).and_then(|u| u.parent_id);
            steps += 1;
            if steps > 64 {
                break;
            }
        }
    }
    let mut children: BTreeMap<Option<i64>, Vec<&TreeUnit>> = BTreeMap::new();
    for unit in tree.iter().filter(|u| sums.contains_key(&u.unit_id)) {
        let parent = unit.parent_id.filter(|p| sums.contains_key(p));
        children.entry(parent).or_default().push(unit);
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| a.name.cmp(&b.name));
    }
    let mut out = Vec::with_capacity(sums.len());
    let mut stack: Vec<(&TreeUnit, u32)> = children
        .get(&None)
        .into_iter()
        .flatten()
        .rev()
        .map(|u| (*u, 0))
        .collect();
    while let Some((unit, depth)) = stack.pop() {
        let (target, achieved) = sums[&unit.unit_id];
        out.push(QuotaNode {
            unit_id: unit.unit_id,
            name: unit.name.clone(),
            kind: unit.kind,
            depth,
            target,
            achieved,
        });
        if depth < 64 {
            for child in children
                .get(&Some(unit.unit_id))
                .into_iter()
                .flatten()
                .rev()
            {
                stack.push((child, depth + 1));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(name: &str, standing: Standing, held: Option<bool>, insured: Option<u32>) -> UnitLine {
        UnitLine {
            unit_id: 0,
            name: name.into(),
            kind: UnitKind::County,
            standing,
            facts: Facts {
                held,
                insured,
                ..Facts::default()
            },
            text: None,
        }
    }

    #[test]
    fn totals_count_each_standing() {
        let lines = vec![
            line("آمل", Standing::Reported, Some(true), Some(12)),
            line("بابل", Standing::Late, Some(false), None),
            line("ساری", Standing::Missing, None, None),
            line("نور", Standing::Pending, None, None),
            line("نکا", Standing::Reported, Some(true), Some(3)),
        ];
        let t = Totals::of(&lines);
        assert_eq!(
            t,
            Totals {
                assigned: 5,
                reported: 3,
                held: 2,
                late: 1,
                missing: 1,
                pending: 1,
                attendees: 0,
                insured: 15
            }
        );
        assert_eq!(change(3, 5), -2);
    }

    #[test]
    fn lines_are_sorted_missing_first() {
        let s = ObligationSummary::new(
            "R3".into(),
            "t".into(),
            Shape::Meeting,
            None,
            vec![
                line("ب", Standing::Reported, None, None),
                line("الف", Standing::Missing, None, None),
                line("پ", Standing::Late, None, None),
            ],
            None,
            vec![],
        );
        let names: Vec<_> = s.lines.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["الف", "پ", "ب"]);
    }

    #[test]
    fn obligations_group_by_meeting_the_unmet_first_then_by_date() {
        let meeting = |key: &str, month| Meeting {
            date: JalaliDate::new(1405, month, 3).unwrap(),
            key: key.into(),
            title: String::new(),
        };
        let part = |key: &str, meeting: Option<Meeting>| {
            let mut o = ObligationSummary::new(
                key.into(),
                "t".into(),
                Shape::Meeting,
                None,
                vec![],
                None,
                vec![],
            );
            o.adoption = meeting.map(|meeting| Adoption {
                meeting,
                done: 1,
                due: 3,
            });
            std::sync::Arc::new(o)
        };
        let parts = [
            part("R10", Some(meeting("b", 9))),
            part("R3", Some(meeting("a", 5))),
            part("R1", None),
            part("R11", Some(meeting("b", 9))),
        ];
        let groups: Vec<(Option<&str>, Vec<&str>)> = by_meeting(&parts)
            .into_iter()
            .map(|(m, os)| {
                (
                    m.map(|m| m.key.as_str()),
                    os.iter().map(|o| o.key.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            groups,
            [
                (None, vec!["R1"]),
                (Some("a"), vec!["R3"]),
                (Some("b"), vec!["R10", "R11"])
            ]
        );
        let share = parts[0].adoption.as_ref().unwrap();
        assert_eq!(share.percent(), Some(33));
        let nothing_due = Adoption {
            due: 0,
            done: 0,
            ..share.clone()
        };
        assert_eq!(nothing_due.percent(), None);
    }

    #[test]
    fn quotas_roll_up_the_tree() {
        let unit = |id, parent, kind, name: &str| TreeUnit {
            unit_id: id,
            parent_id: parent,
            kind,
            name: name.into(),
        };
        let tree = vec![
            unit(1, None, UnitKind::Province, "مازندران"),
            unit(2, Some(1), UnitKind::County, "آمل"),
            unit(3, Some(2), UnitKind::District, "دابودشت"),
            unit(4, Some(3), UnitKind::Village, "روستای الف"),
            unit(5, Some(3), UnitKind::Village, "روستای ب"),
            unit(6, Some(1), UnitKind::County, "بابل"),
        ];
        let leaves = HashMap::from([(4, (40, 10)), (5, (60, 65))]);
        let nodes = roll_up(&tree, &leaves);
        let got: Vec<_> = nodes
            .iter()
            .map(|n| (n.unit_id, n.depth, n.target, n.achieved))
            .collect();
        assert_eq!(
            got,
            [
                (1, 0, 100, 75),
                (2, 1, 100, 75),
                (3, 2, 100, 75),
                (4, 3, 40, 10),
                (5, 3, 60, 65)
            ]
        );
        assert_eq!(nodes[0].percent(), 75);
        assert_eq!(nodes[4].percent(), 108);
    }
}
