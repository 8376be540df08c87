//! The report corpus (`tests/data/reports/`, see its README): every labelled report read, each
//! fact scored as right, asked, unknown (the reader left it out though the label has it) or
//! wrong (stated with confidence and not the label), for the held-out part alone and for the
//! whole corpus. Fails below the targets of issue 12:
//!
//! - all four facts right in at least 97% of the reports (a question does not count as right);
//! - for each fact, wrong values in at most 1 report in 200;
//! - questions on at most 1 report in 10.
//!
//! Those targets are not met yet: `meets_the_targets` is ignored until they are (run it with
//! `-- --ignored`), and `does_not_fall_below_today` holds the reader to the figures it reaches
//! now, so that no change makes it worse unnoticed; raise them as it improves.
//!
//! `cargo test -p setad-reading --test corpus -- --nocapture` prints the table; set
//! `SETAD_CORPUS_SHOW=tuning` (or `held-out`, or `all`) to list the cases not read right.

use std::fmt;
use std::path::{Path, PathBuf};

use setad_reading::calendar::{JalaliDate, Period};
use setad_reading::report::{Fact, Reading, read_report};

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    case: Vec<Case>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    id: String,
    period: String,
    sent: String,
    text: String,
    held: Option<bool>,
    held_on: Option<String>,
    attendees: Option<u32>,
    insured: Option<u32>,
    #[allow(dead_code)]
    note: Option<String>,
}

/// How one fact of one report was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Score {
    Right,
    Asked,
    Unknown,
    Wrong,
}

fn score<T: PartialEq + Copy>(label: Option<T>, read: &Fact<T>) -> Score {
    match (read, label) {
        (Fact::Known(v), Some(l)) if *v == l => Score::Right,
        (Fact::Known(_), _) => Score::Wrong,
        (Fact::Unknown, None) => Score::Right,
        (Fact::Unknown, Some(_)) => Score::Unknown,
        (Fact::Asked(..), _) => Score::Asked,
    }
}

const FACTS: [&str; 4] = ["held", "held_on", "attendees", "insured"];

/// A labelled report, read.
struct Scored {
    id: String,
    text: String,
    label: String,
    reading: Reading,
    scores: [Score; 4],
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/reports")
}

fn load(part: &str) -> Vec<Scored> {
    let dir = corpus_dir().join(part);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("a corpus file");
        let file: File =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for c in file.case {
            let period = Period::parse(&c.period).unwrap_or_else(|e| panic!("{}: {e}", c.id));
            let sent = JalaliDate::parse(&c.sent).unwrap_or_else(|e| panic!("{}: {e}", c.id));
            let held_on = c
                .held_on
                .as_deref()
                .map(|d| JalaliDate::parse(d).unwrap_or_else(|e| panic!("{}: {e}", c.id)));
            assert!(
                sent >= period.first_day(),
                "{}: sent before its period",
                c.id
            );
            assert!(
                held_on.is_none_or(|d| d <= sent),
                "{}: held after sent",
                c.id
            );
            let reading = read_report(&c.text, period, sent);
            let scores = [
                score(c.held, &reading.held),
                score(held_on, &reading.held_on),
                score(c.attendees, &reading.attendees),
                score(c.insured, &reading.insured),
            ];
            let label = format!(
                "held {:?} · held_on {:?} · attendees {:?} · insured {:?} ({period}, sent {sent})",
                c.held,
                held_on.map(|d| d.to_string()),
                c.attendees,
                c.insured
            );
            out.push(Scored {
                id: c.id,
                text: c.text,
                label,
                reading,
                scores,
            });
        }
    }
    out
}

/// The figures of a set of reports.
struct Table {
    name: &'static str,
    reports: usize,
    all_right: usize,
    asked: usize,
    /// Per fact: right, asked, unknown, wrong.
    facts: [[usize; 4]; 4],
}

impl Table {
    fn of(name: &'static str, set: &[&Scored]) -> Table {
        let mut facts = [[0; 4]; 4];
        for s in set {
            for (f, sc) in s.scores.iter().enumerate() {
                facts[f][*sc as usize] += 1;
            }
        }
        Table {
            name,
            reports: set.len(),
            all_right: set
                .iter()
                .filter(|s| s.scores.iter().all(|&x| x == Score::Right))
                .count(),
            asked: set
                .iter()
                .filter(|s| s.scores.contains(&Score::Asked))
                .count(),
            facts,
        }
    }

    fn pct(n: usize, of: usize) -> f64 {
        100.0 * n as f64 / of.max(1) as f64
    }

    /// The targets this set misses, worded.
    fn misses(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.all_right * 100 < self.reports * 97 {
            out.push(format!(
                "{}: all four right in {:.1}% (target 97%)",
                self.name,
                Self::pct(self.all_right, self.reports)
            ));
        }
        if self.asked * 10 > self.reports {
            out.push(format!(
                "{}: questions on {:.1}% (target at most 10%)",
                self.name,
                Self::pct(self.asked, self.reports)
            ));
        }
        for (f, counts) in self.facts.iter().enumerate() {
            if counts[3] * 200 > self.reports {
                out.push(format!(
                    "{}: {} wrong in {} of {} (target at most 1 in 200)",
                    self.name, FACTS[f], counts[3], self.reports
                ));
            }
        }
        out
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}: {} reports · all four right {} ({:.1}%) · asked on {} ({:.1}%)",
            self.name,
            self.reports,
            self.all_right,
            Self::pct(self.all_right, self.reports),
            self.asked,
            Self::pct(self.asked, self.reports)
        )?;
        writeln!(
            f,
            "  {:<10} {:>7} {:>6} {:>8} {:>6}",
            "fact", "right", "asked", "unknown", "wrong"
        )?;
        for (i, c) in self.facts.iter().enumerate() {
            writeln!(
                f,
                "  {:<10} {:>6.1}% {:>6} {:>8} {:>6}",
                FACTS[i],
                Self::pct(c[0], self.reports),
                c[1],
                c[2],
                c[3]
            )?;
        }
        Ok(())
    }
}

/// The corpus scored: held-out, tuning and the whole.
fn tables() -> [Table; 3] {
    let held_out = load("held-out");
    let tuning = load("tuning");
    assert!(
        held_out.len() >= 150,
        "the held-out part has {}",
        held_out.len()
    );
    assert!(held_out.len() + tuning.len() >= 300);
    let mut ids: Vec<&str> = held_out
        .iter()
        .chain(&tuning)
        .map(|s| s.id.as_str())
        .collect();
    ids.sort_unstable();
    let before = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), before, "ids are unique");

    let show = std::env::var("SETAD_CORPUS_SHOW").unwrap_or_default();
    for (part, set) in [("held-out", &held_out), ("tuning", &tuning)] {
        if show == part || show == "all" {
            for s in set
                .iter()
                .filter(|s| s.scores.iter().any(|&x| x != Score::Right))
            {
                let wrong: Vec<String> = s
                    .scores
                    .iter()
                    .enumerate()
                    .filter(|(_, x)| **x != Score::Right)
                    .map(|(f, x)| format!("{} {x:?}", FACTS[f]))
                    .collect();
                eprintln!(
                    "── {} [{}]\n{}\n  label: {}\n  read:  {:?}\n",
                    s.id,
                    wrong.join(", "),
                    s.text.trim(),
                    s.label,
                    s.reading
                );
            }
        }
    }

    let all: Vec<&Scored> = held_out.iter().chain(&tuning).collect();
    let tables = [
        Table::of("held-out", &held_out.iter().collect::<Vec<_>>()),
        Table::of("tuning", &tuning.iter().collect::<Vec<_>>()),
        Table::of("whole corpus", &all),
    ];
    for t in &tables {
        eprintln!("{t}");
    }
    tables
}

/// At least this many reports of the held-out part, and of the whole corpus, read right.
const FLOOR_ALL_RIGHT: [usize; 2] = [149, 528];

/// At most this many wrong values, per fact (held, held_on, attendees, insured), in the
/// held-out part and in the whole corpus.
const CEILING_WRONG: [[usize; 4]; 2] = [[1, 0, 3, 4], [2, 0, 4, 4]];

#[test]
fn does_not_fall_below_today() {
    let tables = tables();
    let mut worse = Vec::new();
    for (k, t) in [&tables[0], &tables[2]].into_iter().enumerate() {
        if t.all_right < FLOOR_ALL_RIGHT[k] {
            worse.push(format!(
                "{}: {} read right, below {}",
                t.name, t.all_right, FLOOR_ALL_RIGHT[k]
            ));
        }
        for f in 0..4 {
            if t.facts[f][3] > CEILING_WRONG[k][f] {
                worse.push(format!(
                    "{}: {} wrong {} times, more than {}",
                    t.name, FACTS[f], t.facts[f][3], CEILING_WRONG[k][f]
                ));
            }
        }
        if t.asked * 10 > t.reports {
            worse.push(format!(
                "{}: asked on {} reports, more than 1 in 10",
                t.name, t.asked
            ));
        }
    }
    assert!(
        worse.is_empty(),
        "the reader got worse:\n{}",
        worse.join("\n")
    );
}

#[test]
#[ignore = "issue 12's targets are not met yet (held-out: 93.1% read right, 8 wrong values); see the README"]
fn meets_the_targets() {
    let tables = tables();
    let misses: Vec<String> = [&tables[0], &tables[2]]
        .iter()
        .flat_map(|t| t.misses())
        .collect();
    assert!(misses.is_empty(), "targets missed:\n{}", misses.join("\n"));
}
