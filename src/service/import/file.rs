//! The data file as written: the TOML entries `setad import` reads, each with the line it
//! starts on, and [`Lines`], which turns a byte offset into a line number.
//!
//! Nothing here checks more than TOML and serde do (the fields and their types); what the
//! values mean is [`super::plan`]'s.

use serde::Deserialize;
use toml::Spanned;

use super::{Problem, ProblemKind};

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DataFile {
    #[allow(dead_code)]
    pub meta: Option<toml::Table>,
    #[serde(default)]
    pub meeting: Vec<Spanned<MeetingEntry>>,
    #[serde(default)]
    pub unit: Vec<Spanned<UnitEntry>>,
    #[serde(default)]
    pub obligation: Vec<Spanned<ObligationEntry>>,
    #[serde(default)]
    pub quota: Vec<Spanned<QuotaEntry>>,
    #[serde(default)]
    pub holiday: Vec<Spanned<HolidayEntry>>,
}

/// A `[[meeting]]`: a session of the headquarters that adopted resolutions.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct MeetingEntry {
    pub key: String,
    pub date: String,
    #[serde(default)]
    pub title: String,
}

/// A `[[unit]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct UnitEntry {
    pub key: String,
    pub kind: String,
    pub name: String,
    pub parent: Option<String>,
    pub population: Option<i64>,
}

/// An `[[obligation]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ObligationEntry {
    pub key: String,
    pub resolution: Option<String>,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub shape: String,
    pub responsible: Vec<String>,
    #[serde(default)]
    pub collaborating: Vec<String>,
    pub follow_up: String,
    pub report_to: Option<String>,
    pub population_below: Option<i64>,
    /// The key of the `[[meeting]]` that adopted it.
    pub meeting: Option<String>,
    /// The first day it is in force (default: its meeting's date).
    pub start: Option<String>,
    /// The last day it is in force: retired from the following period.
    pub end: Option<String>,
    pub schedule: Option<ScheduleEntry>,
}

/// An obligation's `[obligation.schedule]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ScheduleEntry {
    pub remind_day: Option<i64>,
    pub remind_time: Option<String>,
    pub due_day: Option<i64>,
    pub due_before_end: Option<i64>,
    pub nudge_days: Option<i64>,
    pub escalate_days: Option<i64>,
    pub start: Option<String>,
    pub within_months: Option<i64>,
    pub remind_days_before: Option<Vec<i64>>,
}

/// A `[[quota]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct QuotaEntry {
    pub obligation: String,
    pub unit: String,
    pub target: i64,
}

/// A `[[holiday]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct HolidayEntry {
    pub date: String,
    pub name: String,
}

/// Where every line of a text starts, to find the line of a byte offset by binary search (a
/// national file has 75,000 entries; counting newlines from the start for each was quadratic).
#[derive(Debug, Clone)]
pub(super) struct Lines {
    /// The byte offset of each line's first byte, ascending; the first is 0.
    starts: Vec<usize>,
}

impl Lines {
    /// The line table of `source`.
    pub fn new(source: &str) -> Lines {
        let newlines = source
            .bytes()
            .enumerate()
            .filter(|(_, b)| *b == b'\n')
            .map(|(i, _)| i + 1);
        Lines {
            starts: std::iter::once(0).chain(newlines).collect(),
        }
    }

    /// The 1-based line that holds byte `offset` (the last line for an offset past the end).
    pub fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|start| *start <= offset)
    }

    /// The line an entry starts on.
    pub fn of<T>(&self, entry: &Spanned<T>) -> usize {
        self.line(entry.span().start)
    }
}

/// Reads `source` as a data file; a syntax error is one problem, at its line.
pub(super) fn read(source: &str, lines: &Lines) -> Result<DataFile, Problem> {
    toml::from_str(source).map_err(|e| Problem {
        line: e.span().map(|s| lines.line(s.start)).unwrap_or(1),
        kind: ProblemKind::Syntax(e.message().to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `Lines` replaced: the newlines before `offset`, counted from the start.
    fn counted(source: &str, offset: usize) -> usize {
        source.as_bytes()[..offset.min(source.len())]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    }

    #[test]
    fn the_line_table_agrees_with_counting_newlines() {
        let sources = [
            "",
            "\n",
            "a",
            "a\n",
            "\n\n\n",
            "[[unit]]\nkey = \"m\"\r\nkind = \"province\"\n\nname = \"مازندران\"\n# end",
            "no newline at the end\nsecond ☃ line\n\nfourth",
        ];
        for source in sources {
            let lines = Lines::new(source);
            for offset in 0..=source.len() + 2 {
                assert_eq!(
                    lines.line(offset),
                    counted(source, offset),
                    "{source:?} at {offset}"
                );
            }
        }
    }

    #[test]
    fn a_syntax_error_is_one_problem_at_its_line() {
        let source = "[[unit]]\nkey = \"m\"\nkind = \"province\"\nname = \n";
        let problem = read(source, &Lines::new(source)).unwrap_err();
        assert_eq!(problem.line, 4, "{problem:?}");
        assert!(matches!(problem.kind, ProblemKind::Syntax(_)));
    }
}
