//! Rendering summaries for people: text (the bot's `/summary` and `setad summary`), CSV and
//! XLSX (`/export`, `setad summary --format xlsx`), splitting long text at a message limit, and
//! the wording of a data file's problems (`setad import`).
//!
//! Every word comes from `locales/`; dates are Jalali, with Persian digits in Persian.

mod import;
pub mod members;
mod notice;
pub mod units;

pub use import::{plan as import_plan, problem};
pub use notice::{Catalogue, composer, held};

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::domain::Lang;
use crate::domain::calendar::Period;
use crate::domain::summary::{
    Meeting, ObligationSummary, QuotaNode, Standing, Summary, UnitLine, by_meeting, change,
};
use crate::domain::text::localize_digits;
pub use crate::domain::text::{MESSAGE_LIMIT, split_message};
use crate::t;

fn standing_word(lang: Lang, s: Standing) -> String {
    match s {
        Standing::Reported => t!(lang, "standing-reported"),
        Standing::Late => t!(lang, "standing-late"),
        Standing::Missing => t!(lang, "standing-missing"),
        Standing::Pending => t!(lang, "standing-pending"),
    }
}

fn held_word(lang: Lang, held: Option<bool>) -> String {
    match held {
        Some(true) => t!(lang, "held-yes"),
        Some(false) => t!(lang, "held-no"),
        None => String::new(),
    }
}

fn signed(lang: Lang, n: i64) -> String {
    let s = if n > 0 {
        format!("+{n}")
    } else if n < 0 {
        format!("−{}", -n)
    } else {
        "0".to_owned()
    };
    localize_digits(&s, lang.digits())
}

fn line_text(lang: Lang, line: &UnitLine) -> String {
    let mut parts = vec![standing_word(lang, line.standing)];
    if line.standing.has_report() {
        let held = held_word(lang, line.facts.held);
        if !held.is_empty() {
            parts.push(held);
        }
        if let Some(d) = line.facts.held_on {
            parts.push(d.format(lang.digits()));
        }
        if let Some(n) = line.facts.attendees {
            parts.push(t!(lang, "summary-attendees", count = n));
        }
        if let Some(n) = line.facts.insured {
            parts.push(t!(lang, "summary-insured", count = n));
        }
    }
    let mark = match line.standing {
        Standing::Reported => "✅",
        Standing::Late => "🕓",
        Standing::Missing => "❌",
        Standing::Pending => "⏳",
    };
    format!("{mark} {}: {}", line.name, parts.join("، "))
}

fn obligation_text(lang: Lang, o: &ObligationSummary, out: &mut Vec<String>) {
    out.push(String::new());
    out.push(format!("■ {} — {}", o.key, o.title));
    if let Some(due) = o.due {
        out.push(t!(lang, "summary-due", date = due.format(lang.digits())));
    }
    if let Some(a) = &o.adoption {
        out.push(match a.percent() {
            Some(percent) => t!(
                lang,
                "summary-adoption",
                done = a.done,
                due = a.due,
                percent = percent
            ),
            None => t!(lang, "summary-adoption-nothing-due"),
        });
    }
    let t = &o.totals;
    out.push(t!(
        lang,
        "summary-totals",
        reported = t.reported,
        assigned = t.assigned,
        held = t.held,
        late = t.late,
        missing = t.missing,
        pending = t.pending
    ));
    if t.insured > 0 || t.attendees > 0 {
        out.push(t!(
            lang,
            "summary-sums",
            attendees = t.attendees,
            insured = t.insured
        ));
    }
    if let Some(p) = &o.previous {
        out.push(t!(
            lang,
            "summary-change",
            reported = signed(lang, change(u64::from(t.reported), u64::from(p.reported))),
            held = signed(lang, change(u64::from(t.held), u64::from(p.held))),
            insured = signed(lang, change(t.insured, p.insured))
        ));
    }
    if o.lines.len() <= LISTED {
        out.extend(o.lines.iter().map(|l| line_text(lang, l)));
    } else {
        // Many units (every village of a country): the missing and the late, first in the
        // sorted lines, as many as fit; the rest is counted.
        let shown: Vec<&UnitLine> = o
            .lines
            .iter()
            .take(LISTED)
            .take_while(|l| matches!(l.standing, Standing::Missing | Standing::Late))
            .collect();
        out.extend(shown.iter().map(|l| line_text(lang, l)));
        let rest = o.lines.len() - shown.len();
        out.push(t!(lang, "summary-more", count = rest));
    }
    if !o.quota.is_empty() {
        out.push(t!(lang, "summary-quota-heading"));
        let quota_line = |node: &QuotaNode| {
            format!(
                "{}{}: {}",
                "  ".repeat(node.depth as usize),
                node.name,
                t!(
                    lang,
                    "summary-quota-line",
                    achieved = node.achieved,
                    target = node.target,
                    percent = node.percent()
                )
            )
        };
        if o.quota.len() <= LISTED {
            out.extend(o.quota.iter().map(quota_line));
        } else {
            // A large tree: the top, then the units one level down that are furthest behind.
            out.extend(o.quota.iter().filter(|n| n.depth == 0).map(quota_line));
            let mut below: Vec<&QuotaNode> = o.quota.iter().filter(|n| n.depth == 1).collect();
            below.sort_by_key(|n| (n.percent(), n.achieved));
            out.push(t!(lang, "summary-quota-laggards"));
            out.extend(below.iter().take(LISTED).map(|n| quota_line(n)));
            let hidden = o.quota.len() - o.quota.iter().filter(|n| n.depth == 0).count();
            let hidden = hidden - below.len().min(LISTED);
            if hidden > 0 {
                out.push(t!(lang, "summary-more", count = hidden));
            }
        }
    }
}

/// The most units a summary's text lists one by one for an obligation (and quota lines).
pub const LISTED: usize = 40;

/// Why there is no summary of `period`: it is before the data's first obligation, or after
/// next month; summaries cover `first` to `last` (the same words in the bot and the CLI).
pub fn out_of_span(lang: Lang, period: Period, (first, last): (Period, Period)) -> String {
    let before = period < first;
    let (period, first, last) = (period.name(lang), first.name(lang), last.name(lang));
    if before {
        t!(
            lang,
            "summary-before-data",
            period = period,
            first = first,
            last = last
        )
    } else {
        t!(
            lang,
            "summary-too-late",
            period = period,
            first = first,
            last = last
        )
    }
}

/// The summary as text: one line per unit, or for an obligation of more than [`LISTED`]
/// units, its missing and late units up to that many and a count of the rest.
pub fn summary_text(summary: &Summary, lang: Lang) -> String {
    let mut out = vec![t!(
        lang,
        "summary-title",
        period = summary.period.name(lang)
    )];
    if summary.obligations.is_empty() {
        out.push(t!(lang, "summary-empty"));
    }
    let groups = by_meeting(&summary.obligations);
    let headed = has_meetings(summary);
    for (meeting, obligations) in groups {
        if headed {
            out.push(String::new());
            out.push(meeting_heading(lang, meeting));
        }
        for o in obligations {
            obligation_text(lang, o, &mut out);
        }
    }
    out.join("\n")
}

/// Whether any obligation of the summary records the meeting that adopted it: only then do
/// summaries and exports show meetings (a file without meetings reads as before).
fn has_meetings(summary: &Summary) -> bool {
    summary.obligations.iter().any(|o| o.adoption.is_some())
}

/// The heading of a meeting's obligations (or of those adopted by no recorded meeting).
fn meeting_heading(lang: Lang, meeting: Option<&Meeting>) -> String {
    match meeting {
        None => t!(lang, "summary-meeting-none"),
        Some(m) => {
            let heading = t!(
                lang,
                "summary-meeting",
                key = m.key.clone(),
                date = m.date.format_long(lang)
            );
            match m.title.as_str() {
                "" => heading,
                title => format!("{heading} — {title}"),
            }
        }
    }
}

/// The obligations in the order summaries show them (grouped by meeting).
fn in_meeting_order(summary: &Summary) -> Vec<&ObligationSummary> {
    by_meeting(&summary.obligations)
        .into_iter()
        .flat_map(|(_, os)| os)
        .collect()
}

/// The columns of the CSV and of every XLSX sheet (with the meeting and the share since
/// adoption last, when the summary records meetings).
fn headers(lang: Lang, meetings: bool) -> Vec<String> {
    let mut headers = base_headers(lang);
    if meetings {
        headers.push(t!(lang, "col-meeting"));
        headers.push(t!(lang, "col-since-adoption"));
    }
    headers
}

fn base_headers(lang: Lang) -> Vec<String> {
    vec![
        t!(lang, "col-period"),
        t!(lang, "col-obligation"),
        t!(lang, "col-unit"),
        t!(lang, "col-standing"),
        t!(lang, "col-held"),
        t!(lang, "col-held-on"),
        t!(lang, "col-attendees"),
        t!(lang, "col-insured"),
        t!(lang, "col-text"),
    ]
}

enum Cell {
    Text(String),
    Number(u32),
    Empty,
}

fn row(summary: &Summary, o: &ObligationSummary, line: &UnitLine, lang: Lang) -> Vec<Cell> {
    let mut cells = base_row(summary, o, line, lang);
    if has_meetings(summary) {
        let adoption = o.adoption.as_ref();
        cells.push(adoption.map_or(Cell::Empty, |a| Cell::Text(a.meeting.key.clone())));
        cells.push(
            adoption
                .and_then(|a| a.percent())
                .map_or(Cell::Empty, Cell::Number),
        );
    }
    cells
}

fn base_row(summary: &Summary, o: &ObligationSummary, line: &UnitLine, lang: Lang) -> Vec<Cell> {
    let text = |s: String| {
        if s.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(s)
        }
    };
    let number = |n: Option<u32>| n.map(Cell::Number).unwrap_or(Cell::Empty);
    vec![
        Cell::Text(summary.period.to_string()),
        Cell::Text(o.key.clone()),
        Cell::Text(line.name.clone()),
        Cell::Text(standing_word(lang, line.standing)),
        text(held_word(lang, line.facts.held)),
        line.facts
            .held_on
            .map(|d| Cell::Text(d.to_string()))
            .unwrap_or(Cell::Empty),
        number(line.facts.attendees),
        number(line.facts.insured),
        line.text.clone().map(Cell::Text).unwrap_or(Cell::Empty),
    ]
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The summary as CSV (UTF-8 with a byte-order mark, so Excel shows Persian correctly), one
/// row per unit and obligation. Digits are ASCII, for machines.
pub fn summary_csv(summary: &Summary, lang: Lang) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str(
        &headers(lang, has_meetings(summary))
            .iter()
            .map(|h| csv_field(h))
            .collect::<Vec<_>>()
            .join(","),
    );
    out.push_str("\r\n");
    for o in in_meeting_order(summary) {
        for line in &o.lines {
            let cells: Vec<String> = row(summary, o, line, lang)
                .into_iter()
                .map(|c| match c {
                    Cell::Text(s) => csv_field(&s),
                    Cell::Number(n) => n.to_string(),
                    Cell::Empty => String::new(),
                })
                .collect();
            out.push_str(&cells.join(","));
            out.push_str("\r\n");
        }
    }
    out
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(key: &str) -> String {
    key.chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect()
}

/// The summary as an XLSX workbook: one sheet per obligation with a row per unit, and for quota
/// obligations a second sheet with the progress rolled up the tree. Persian sheets read
/// right-to-left.
pub fn summary_xlsx(summary: &Summary, lang: Lang) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let headers = headers(lang, has_meetings(summary));
    if summary.obligations.is_empty() {
        let sheet = workbook.add_worksheet();
        sheet.write_string(0, 0, t!(lang, "summary-empty"))?;
    }
    for o in in_meeting_order(summary) {
        let sheet = workbook.add_worksheet();
        sheet.set_name(sheet_name(&o.key))?;
        sheet.set_right_to_left(lang == Lang::Fa);
        for (col, h) in headers.iter().enumerate() {
            sheet.write_string_with_format(0, col as u16, h, &bold)?;
        }
        for (r, line) in o.lines.iter().enumerate() {
            for (col, cell) in row(summary, o, line, lang).into_iter().enumerate() {
                let (r, col) = (r as u32 + 1, col as u16);
                match cell {
                    Cell::Text(s) => sheet.write_string(r, col, s)?,
                    Cell::Number(n) => sheet.write_number(r, col, f64::from(n))?,
                    Cell::Empty => sheet,
                };
            }
        }
        sheet.autofit();
        if !o.quota.is_empty() {
            let sheet = workbook.add_worksheet();
            sheet.set_name(sheet_name(&format!(
                "{} {}",
                o.key,
                t!(lang, "sheet-quota")
            )))?;
            sheet.set_right_to_left(lang == Lang::Fa);
            let quota_headers = [
                t!(lang, "col-unit"),
                t!(lang, "col-target"),
                t!(lang, "col-achieved"),
                t!(lang, "col-percent"),
            ];
            for (col, h) in quota_headers.iter().enumerate() {
                sheet.write_string_with_format(0, col as u16, h, &bold)?;
            }
            for (r, node) in o.quota.iter().enumerate() {
                let r = r as u32 + 1;
                sheet.write_string(
                    r,
                    0,
                    format!("{}{}", "  ".repeat(node.depth as usize), node.name),
                )?;
                sheet.write_number(r, 1, node.target as f64)?;
                sheet.write_number(r, 2, node.achieved as f64)?;
                sheet.write_number(r, 3, node.percent() as f64)?;
            }
            sheet.autofit();
        }
    }
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_obligation_lists_its_missing_units_and_laggards_and_counts_the_rest() {
        use crate::domain::calendar::Period;
        use crate::domain::obligation::Shape;
        use crate::domain::summary::{Facts, ObligationSummary, QuotaNode, Summary};
        use crate::domain::unit::UnitKind;
        let line = |i: usize, standing| UnitLine {
            unit_id: i as i64,
            name: format!("village {i:05}"),
            kind: UnitKind::Village,
            standing,
            facts: Facts::default(),
            text: None,
        };
        // 1,000 villages: 12 missing, 3 late, the rest reported.
        let lines: Vec<UnitLine> = (0..1000)
            .map(|i| match i {
                0..12 => line(i, Standing::Missing),
                12..15 => line(i, Standing::Late),
                _ => line(i, Standing::Reported),
            })
            .collect();
        let node = |i: u64, depth, achieved| QuotaNode {
            unit_id: i as i64,
            name: format!("county {i:03}"),
            kind: UnitKind::County,
            depth,
            target: 100,
            achieved,
        };
        let mut quota = vec![node(0, 0, 5000)];
        quota.extend((1..=100).map(|i| node(i, 1, 100 - i % 90)));
        let o = ObligationSummary::new(
            "R2".into(),
            "quota".into(),
            Shape::Quota,
            None,
            lines,
            None,
            quota,
        );
        let summary = Summary {
            period: Period::new(1405, 9).unwrap(),
            obligations: vec![std::sync::Arc::new(o)],
        };
        let text = summary_text(&summary, Lang::En);
        let shown = |mark: &str| text.lines().filter(|l| l.starts_with(mark)).count();
        assert_eq!(shown("❌"), 12, "every missing village");
        assert_eq!(shown("🕓"), 3, "every late one");
        assert_eq!(shown("✅"), 0, "no reported one");
        assert!(text.contains("… and 985 more units"), "{text}");
        let counties: Vec<&str> = text.lines().filter(|l| l.contains("county ")).collect();
        assert_eq!(counties.len(), 1 + LISTED, "the top and the laggards");
        // Laggards: lowest progress first (county 089 has 11 of 100).
        assert!(counties[1].contains("county 089"), "{}", counties[1]);
        assert!(text.contains("… and 60 more units"), "{text}");
        assert!(split_message(&text, MESSAGE_LIMIT).len() <= 2);
    }

    #[test]
    fn csv_quotes_what_needs_it() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("آمل"), "آمل");
    }

    #[test]
    fn sheet_names_are_valid() {
        assert_eq!(sheet_name("R5/quota:[x]"), "R5quotax");
        assert_eq!(sheet_name(&"x".repeat(40)).len(), 31);
    }
}
