//! The wording of a data file's problems (`setad import`), with the message catalogue.

use crate::domain::Lang;
use crate::domain::import::{Change, ObligationChange, ProblemKind};
use crate::t;

/// The plan of an import, one line per obligation added, changed or retired, in `lang`
/// (`setad import` prints it, with `--dry-run` before anything changes).
pub fn plan(lang: Lang, changes: &[ObligationChange]) -> Vec<String> {
    if changes.is_empty() {
        return vec![t!(lang, "import-plan-none")];
    }
    changes.iter().map(|c| plan_line(lang, c)).collect()
}

fn plan_line(lang: Lang, c: &ObligationChange) -> String {
    let window = match (c.from, c.until) {
        (None, None) => t!(lang, "import-window-always"),
        (Some(from), None) => t!(lang, "import-window-from", from = from.name(lang)),
        (None, Some(until)) => t!(lang, "import-window-until", until = until.name(lang)),
        (Some(from), Some(until)) => t!(
            lang,
            "import-window-both",
            from = from.name(lang),
            until = until.name(lang)
        ),
    };
    let change = match c.change {
        Change::Added => "added",
        Change::Changed => "changed",
        Change::Retired => "retired",
    };
    t!(
        lang,
        "import-plan-line",
        change = change,
        key = c.key.clone(),
        title = c.title.clone(),
        window = window
    )
}

/// A data file's problem in words, in `lang` (the CLI prints it as `FILE:LINE: problem`).
pub fn problem(lang: Lang, kind: &ProblemKind) -> String {
    match kind {
        ProblemKind::Syntax(m) => t!(lang, "import-syntax", message = m.clone()),
        ProblemKind::BadKey(k) => t!(lang, "import-bad-key", key = k.clone()),
        ProblemKind::DuplicateKey(k) => t!(lang, "import-duplicate-key", key = k.clone()),
        ProblemKind::UnknownKind(k) => t!(lang, "import-unknown-kind", kind = k.clone()),
        ProblemKind::MissingParent(k) => t!(lang, "import-missing-parent", key = k.clone()),
        ProblemKind::UnknownParent { key, parent } => t!(
            lang,
            "import-unknown-parent",
            key = key.clone(),
            parent = parent.clone()
        ),
        ProblemKind::UnknownUnit(k) => t!(lang, "import-unknown-unit", key = k.clone()),
        ProblemKind::UnknownObligation(k) => t!(lang, "import-unknown-obligation", key = k.clone()),
        ProblemKind::UnknownShape(s) => t!(lang, "import-unknown-shape", shape = s.clone()),
        ProblemKind::BadDate(d) => t!(lang, "import-bad-date", date = d.clone()),
        ProblemKind::BadTime(s) => t!(lang, "import-bad-time", time = s.clone()),
        ProblemKind::OutOfRange { field, value } => {
            let (field, value) = (field.to_string(), *value);
            t!(lang, "import-out-of-range", field = field, value = value)
        }
        ProblemKind::ScheduleMismatch { key, shape } => t!(
            lang,
            "import-schedule-mismatch",
            key = key.clone(),
            shape = shape.clone()
        ),
        ProblemKind::NotAQuota(k) => t!(lang, "import-not-a-quota", key = k.clone()),
        ProblemKind::QuotaNotAssigned { obligation, unit } => t!(
            lang,
            "import-quota-not-assigned",
            obligation = obligation.clone(),
            unit = unit.clone()
        ),
        ProblemKind::EmptyAssignment(e) => t!(lang, "import-empty-assignment", entry = e.clone()),
        ProblemKind::UnknownMeeting(k) => t!(lang, "import-unknown-meeting", key = k.clone()),
        ProblemKind::EndBeforeStart { key, start, end } => t!(
            lang,
            "import-end-before-start",
            key = key.clone(),
            start = start.clone(),
            end = end.clone()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_is_worded_in_both_languages_with_what_it_names() {
        let cases = [
            (
                ProblemKind::Syntax("unknown field `colour`".into()),
                "colour",
            ),
            (ProblemKind::UnknownKind("countyy".into()), "countyy"),
            (
                ProblemKind::UnknownParent {
                    key: "a".into(),
                    parent: "amoll".into(),
                },
                "amoll",
            ),
            (
                ProblemKind::OutOfRange {
                    field: "remind_day",
                    value: 40,
                },
                "remind_day",
            ),
            (ProblemKind::UnknownMeeting("1405-10".into()), "1405-10"),
            (
                ProblemKind::EndBeforeStart {
                    key: "R3".into(),
                    start: "1405/02/01".into(),
                    end: "1405/01/31".into(),
                },
                "1405/01/31",
            ),
        ];
        for lang in Lang::ALL {
            for (kind, named) in &cases {
                let text = problem(lang, kind);
                assert!(text.contains(named), "{lang:?}: {text}");
            }
        }
    }

    #[test]
    fn the_plan_says_what_changes_and_when_in_both_languages() {
        use crate::domain::calendar::Period;
        let period = |y, m| Some(Period::new(y, m).unwrap());
        let change = |change, key: &str, from, until| ObligationChange {
            change,
            key: key.into(),
            title: "t".into(),
            from,
            until,
        };
        let changes = [
            change(Change::Added, "R10", period(1405, 11), None),
            change(Change::Changed, "R1", None, None),
            change(Change::Retired, "R3", period(1397, 5), period(1405, 9)),
            change(Change::Retired, "R4", None, period(1405, 9)),
        ];
        let en = plan(Lang::En, &changes);
        assert_eq!(
            en,
            [
                "+ add R10 (t): in force from Bahman 1405",
                "~ change R1 (t): in force in every period",
                "− retire R3 (t): in force from Mordad 1397 until Azar 1405, then retired",
                "− retire R4 (t): in force until Azar 1405, then retired",
            ]
        );
        let fa = plan(Lang::Fa, &changes);
        assert!(
            fa[0].starts_with("+ افزودن R10") && fa[0].contains("بهمن ۱۴۰۵"),
            "{fa:?}"
        );
        assert!(fa[2].starts_with("− بازنشستگی R3"), "{fa:?}");
        assert_eq!(
            plan(Lang::En, &[]),
            ["No obligation is added, changed or retired."]
        );
    }
}
