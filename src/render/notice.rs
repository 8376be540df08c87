//! The wording of what the bot says on its own: the one implementation of
//! [`Compose`], with the message catalogue.

use crate::domain::Lang;
use crate::domain::notice::{Compose, MessageKind, Notice};
use crate::t;

/// Words notices with the message catalogue (Persian and English).
#[derive(Debug, Clone, Copy, Default)]
pub struct Catalogue;

/// The composer the services are given.
pub fn composer() -> std::sync::Arc<dyn Compose> {
    std::sync::Arc::new(Catalogue)
}

/// Held, not held, or unknown ("—").
pub fn held(lang: Lang, held: Option<bool>) -> String {
    match held {
        Some(true) => t!(lang, "held-yes"),
        Some(false) => t!(lang, "held-no"),
        None => "—".to_owned(),
    }
}

/// A count of queued messages of a kind ("3 reminders").
fn kind_count(lang: Lang, kind: MessageKind, count: u64) -> String {
    match kind {
        MessageKind::Remind => t!(lang, "queued-kind-remind", count = count),
        MessageKind::Nudge => t!(lang, "queued-kind-nudge", count = count),
        MessageKind::Escalate => t!(lang, "queued-kind-escalate", count = count),
        MessageKind::Alert => t!(lang, "queued-kind-alert", count = count),
        MessageKind::Digest => t!(lang, "queued-kind-digest", count = count),
        MessageKind::Notice => t!(lang, "queued-kind-notice", count = count),
    }
}

impl Compose for Catalogue {
    fn compose(&self, notice: &Notice, lang: Lang) -> String {
        let digits = lang.digits();
        match notice {
            Notice::Reminder {
                obligation,
                unit,
                period,
                due,
            }
            | Notice::Nudge {
                obligation,
                unit,
                period,
                due,
            } => {
                // The same words in the same places; only the message differs.
                macro_rules! about_due {
                    ($id:literal) => {
                        t!(
                            lang,
                            $id,
                            key = obligation.key.clone(),
                            title = obligation.title.clone(),
                            unit = unit.clone(),
                            period = period.name(lang),
                            due = due.format(digits)
                        )
                    };
                }
                match notice {
                    Notice::Reminder { .. } => about_due!("reminder"),
                    _ => about_due!("nudge"),
                }
            }
            Notice::Escalation {
                obligation,
                period,
                due,
                missing,
            } => {
                let mut text = t!(
                    lang,
                    "escalation",
                    key = obligation.key.clone(),
                    title = obligation.title.clone(),
                    period = period.name(lang),
                    due = due.format(digits),
                    count = missing.len()
                );
                for unit in missing {
                    text.push_str("\n• ");
                    text.push_str(unit);
                }
                text
            }
            Notice::Milestone {
                obligation,
                unit,
                level,
                achieved,
                target,
            } => {
                let (level, achieved, target) = (*level, *achieved, *target);
                t!(
                    lang,
                    "milestone",
                    key = obligation.key.clone(),
                    title = obligation.title.clone(),
                    unit = unit.clone(),
                    level = level,
                    achieved = achieved,
                    target = target
                )
            }
            Notice::Digest { date, reports } => {
                let mut text = t!(
                    lang,
                    "digest",
                    date = date.format(digits),
                    count = reports.len()
                );
                for r in reports {
                    let insured = r
                        .insured
                        .filter(|n| *n > 0)
                        .map(|n| t!(lang, "digest-insured", count = n))
                        .unwrap_or_default();
                    let late = if r.late {
                        t!(lang, "digest-late")
                    } else {
                        String::new()
                    };
                    text.push('\n');
                    text.push_str(&t!(
                        lang,
                        "digest-line",
                        key = r.key.clone(),
                        unit = r.unit.clone(),
                        held = held(lang, r.held),
                        insured = insured,
                        late = late
                    ));
                }
                text
            }
            Notice::Unreachable {
                name,
                unit,
                platform,
            } => t!(
                lang,
                "unreachable",
                name = name.clone(),
                unit = unit.clone(),
                platform = platform.as_str()
            ),
            Notice::LeaveEnded {
                unit,
                deputy,
                from,
                until,
            } => t!(
                lang,
                "leave-ended",
                unit = unit.clone(),
                deputy = deputy.clone(),
                from = from.format(digits),
                until = until.format(digits)
            ),
            Notice::GivenUp {
                platform,
                counts,
                last_error,
            } => {
                let kinds: Vec<String> = counts
                    .iter()
                    .map(|(kind, n)| kind_count(lang, *kind, *n))
                    .collect();
                let separator = match lang {
                    Lang::Fa => "، ",
                    Lang::En => ", ",
                };
                let total: u64 = counts.iter().map(|(_, n)| n).sum();
                let mut text = t!(
                    lang,
                    "given-up",
                    count = total,
                    platform = platform.as_str(),
                    kinds = kinds.join(separator)
                );
                if let Some(error) = last_error {
                    text.push('\n');
                    text.push_str(&t!(lang, "given-up-error", error = error.clone()));
                }
                text
            }
        }
    }
}
