//! How the bot words the outcomes of the services in a chat: confirmations, task lists,
//! prompts, help. Every string comes from the message catalogue.

use crate::domain::Lang;
use crate::domain::calendar::Period;
use crate::domain::member::Role;
use crate::domain::obligation::OccurrenceStatus;
use crate::domain::schedule::due_day;
use crate::domain::text::localize_digits;
use crate::service::OccurrenceInfo;
use crate::service::notify::Answer;
use crate::service::report::Submitted;
use crate::service::summary::Overdue;
use crate::t;

use super::Context;

/// A role's name.
pub fn role_name(lang: Lang, role: Role) -> String {
    match role {
        Role::Governor => t!(lang, "role-governor"),
        Role::Agency => t!(lang, "role-agency"),
        Role::Staff => t!(lang, "role-staff"),
        Role::Fund => t!(lang, "role-fund"),
        Role::Admin => t!(lang, "role-admin"),
    }
}

/// The help text for a role (or for someone not yet joined).
pub fn help(lang: Lang, role: Option<Role>) -> String {
    match role {
        None => t!(lang, "help-guest"),
        Some(r) if r.reports() => t!(lang, "help-reporter"),
        Some(Role::Staff) => t!(lang, "help-staff"),
        Some(_) => t!(lang, "help-fund"),
    }
}

pub use crate::render::held;

fn period_name(code: i64, lang: Lang) -> String {
    Period::from_code(code as i32)
        .map(|p| p.name(lang))
        .unwrap_or_default()
}

/// The last day to report on `occ`, as the member reads dates.
pub fn due(ctx: &Context, occ: &OccurrenceInfo, lang: Lang) -> String {
    due_day(occ.due_at, ctx.svc.tz).format(lang.digits())
}

/// The answer to a report: what was stored and understood, with buttons to correct it; or why
/// it was refused. `message_id` is the member's message.
pub fn submitted(lang: Lang, s: &Submitted, message_id: i64) -> Answer {
    let saved = match s {
        Submitted::Saved(saved) => saved,
        Submitted::NotYours => {
            return Answer {
                reply_to: Some(message_id),
                ..Answer::text(t!(lang, "report-not-yours"))
            };
        }
        Submitted::Empty => return Answer::text(t!(lang, "report-empty")),
        Submitted::TooLong { len, max } => {
            let (len, max) = (*len, *max);
            return Answer::text(t!(lang, "report-too-long", len = len, max = max));
        }
    };
    let occ = &saved.occurrence;
    macro_rules! heading {
        ($id:literal) => {
            t!(
                lang,
                $id,
                key = occ.key.clone(),
                title = occ.title.clone(),
                period = saved.period.name(lang)
            )
        };
    }
    let heading = match (saved.edit, saved.late) {
        (true, _) => heading!("report-updated"),
        (false, true) => heading!("report-saved-late"),
        (false, false) => heading!("report-saved"),
    };
    let number = |n: Option<u32>| {
        n.map(|n| localize_digits(&n.to_string(), lang.digits()))
            .unwrap_or_else(|| "—".to_owned())
    };
    let f = &saved.facts;
    let understood = t!(
        lang,
        "report-understood",
        held = held(lang, f.held),
        date = f
            .held_on
            .map(|d| d.format(lang.digits()))
            .unwrap_or_else(|| "—".to_owned()),
        attendees = number(f.attendees),
        insured = number(f.insured)
    );
    let report_id = saved.report_id;
    Answer {
        text: format!("{heading}\n{understood}\n{}", t!(lang, "report-fix-hint")),
        buttons: vec![vec![
            (t!(lang, "button-held"), format!("held:{report_id}:1")),
            (t!(lang, "button-not-held"), format!("held:{report_id}:0")),
        ]],
        reply_to: Some(message_id),
    }
}

/// The prompt after choosing an occurrence to report on.
pub fn prompt(ctx: &Context, lang: Lang, occ: &OccurrenceInfo) -> String {
    t!(
        lang,
        "report-prompt",
        key = occ.key.clone(),
        title = occ.title.clone(),
        period = period_name(occ.period, lang),
        due = due(ctx, occ, lang)
    )
}

fn status_word(lang: Lang, o: &OccurrenceInfo, now: i64) -> String {
    match o.status {
        OccurrenceStatus::Reported => t!(lang, "standing-reported"),
        OccurrenceStatus::Late => t!(lang, "standing-late"),
        _ if now >= o.due_at => t!(lang, "standing-missing"),
        _ => t!(lang, "standing-pending"),
    }
}

/// `/tasks`: a line per occurrence, a button per open one.
pub fn tasks(
    ctx: &Context,
    lang: Lang,
    unit: &str,
    occurrences: &[OccurrenceInfo],
    now: i64,
) -> Answer {
    let mut lines = vec![t!(lang, "tasks-title", unit = unit.to_owned())];
    let mut buttons = Vec::new();
    for o in occurrences {
        lines.push(t!(
            lang,
            "tasks-line",
            key = o.key.clone(),
            title = o.title.clone(),
            period = period_name(o.period, lang),
            status = status_word(lang, o, now),
            due = due(ctx, o, lang)
        ));
        if o.status == OccurrenceStatus::Open {
            buttons.push(vec![(
                t!(lang, "button-report", key = o.key.clone()),
                format!("rep:{}", o.occurrence_id),
            )]);
        }
    }
    Answer {
        text: lines.join("\n"),
        buttons,
        reply_to: None,
    }
}

/// `/report` with several open: a button each.
pub fn choose(lang: Lang, open: &[OccurrenceInfo]) -> Answer {
    Answer {
        buttons: open
            .iter()
            .map(|o| {
                vec![(
                    format!("{} · {}", o.key, period_name(o.period, lang)),
                    format!("rep:{}", o.occurrence_id),
                )]
            })
            .collect(),
        ..Answer::text(t!(lang, "report-choose"))
    }
}

/// A text kept as a draft: which open obligation it reports on, a button each, or none.
pub fn draft(
    lang: Lang,
    draft_id: i64,
    open: &[OccurrenceInfo],
    looks_like_report: bool,
    message_id: i64,
) -> Answer {
    let mut buttons: Vec<Vec<(String, String)>> = open
        .iter()
        .map(|o| {
            vec![(
                format!("{} · {}", o.key, period_name(o.period, lang)),
                format!("draft:{draft_id}:{}", o.occurrence_id),
            )]
        })
        .collect();
    buttons.push(vec![(
        t!(lang, "draft-none"),
        format!("draft:{draft_id}:0"),
    )]);
    let text = if looks_like_report {
        t!(lang, "draft-kept")
    } else {
        t!(lang, "draft-kept-chat")
    };
    Answer {
        text,
        buttons,
        reply_to: Some(message_id),
    }
}

/// `/overdue`: each obligation-month with its missing units.
pub fn overdue(lang: Lang, list: &[Overdue]) -> String {
    if list.is_empty() {
        return t!(lang, "overdue-none");
    }
    let mut lines = vec![t!(lang, "overdue-title")];
    for o in list {
        lines.push(t!(
            lang,
            "overdue-line",
            key = o.key.clone(),
            title = o.title.clone(),
            period = o.period.name(lang),
            count = o.missing.len()
        ));
        lines.extend(o.missing.iter().map(|n| format!("• {n}")));
    }
    lines.join("\n")
}
