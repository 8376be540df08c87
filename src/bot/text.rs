//! How the bot words the outcomes of the services in a chat: confirmations, task lists,
//! prompts, help. Every string comes from the message catalogue.

use crate::domain::Lang;
use crate::domain::calendar::Period;
use crate::domain::member::Role;
use crate::domain::obligation::OccurrenceStatus;
use crate::domain::schedule::due_day;
use crate::service::OccurrenceInfo;
use crate::service::notify::Answer;
use crate::service::summary::Overdue;
use crate::t;

use crate::render::members::line;
use crate::service::MemberRow;
use crate::service::invite::{Invite, InviteError};
use crate::service::membership::admin::Listed;

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
        Some(Role::Staff) => format!("{}\n{}", t!(lang, "help-staff"), t!(lang, "help-members")),
        Some(Role::Admin) => format!("{}\n{}", t!(lang, "help-fund"), t!(lang, "help-members")),
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
        report_id: None,
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
        report_id: None,
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

/// The members listed, one line each.
pub fn members(lang: Lang, listed: &[Listed]) -> String {
    if listed.is_empty() {
        return t!(lang, "members-none");
    }
    let lines: Vec<String> = listed.iter().map(|l| line(lang, &l.line())).collect();
    format!(
        "{}\n{}",
        t!(lang, "members-title", count = listed.len()),
        lines.join("\n")
    )
}

/// `/invite`'s argument: a unit's name (several words) and a role (its last word: `governor`
/// or the role's name in either language).
pub fn unit_and_role(arg: &str) -> Option<(String, Role)> {
    let (unit, role) = arg.trim().rsplit_once(char::is_whitespace)?;
    let role = Role::parse(role).or_else(|| {
        Role::ALL.into_iter().find(|r| {
            Lang::ALL
                .into_iter()
                .any(|l| role_name(l, *r).eq_ignore_ascii_case(role.trim()))
        })
    })?;
    let unit = unit.trim();
    (!unit.is_empty()).then(|| (unit.to_owned(), role))
}

/// A created invite: the unit, the role, the code and the deep link of this messenger.
pub fn invite(ctx: &Context, lang: Lang, invite: &Invite) -> String {
    let link = crate::platform::deep_link(ctx.platform, &ctx.username, &invite.code);
    t!(
        lang,
        "invite-made",
        unit = invite.unit.name.clone(),
        role = role_name(lang, invite.role),
        code = invite.code.clone(),
        link = link
    )
}

/// A unit look-up that failed: unknown (with the closest units) or ambiguous (worded as the
/// CLI words it, [`crate::render::units`]).
pub fn unit_not_found(lang: Lang, e: InviteError) -> String {
    let (query, units, unknown) = match &e {
        InviteError::UnknownUnit { query, closest, .. } => (query, closest, true),
        InviteError::Ambiguous { query, units, .. } => (query, units, false),
        _ => return t!(lang, "error-internal"),
    };
    let listed: Vec<(&str, &str)> = units
        .iter()
        .map(|u| (u.name.as_str(), u.key.as_str()))
        .collect();
    if unknown {
        crate::render::units::unknown_unit(lang, query, &listed)
    } else {
        crate::render::units::ambiguous_unit(lang, query, &listed)
    }
}

/// The members one may revoke, as buttons (not oneself; at most 30).
pub fn revoke_choose(lang: Lang, listed: &[Listed], me: i64) -> Answer {
    let buttons: Vec<Vec<(String, String)>> = listed
        .iter()
        .filter(|l| l.member.member_id != me)
        .take(30)
        .map(|l| {
            let label = format!("{} · {}", l.member.display_name, l.unit);
            vec![(label, format!("revoke:{}", l.member.member_id))]
        })
        .collect();
    if buttons.is_empty() {
        return Answer::text(t!(lang, "members-none"));
    }
    Answer {
        buttons,
        ..Answer::text(t!(lang, "revoke-choose"))
    }
}

/// The question before revoking `target`, with the buttons to confirm or cancel.
pub fn revoke_confirm(lang: Lang, target: &MemberRow, unit: &str) -> Answer {
    Answer {
        buttons: vec![vec![
            (
                t!(lang, "revoke-yes"),
                format!("revoke:{}:yes", target.member_id),
            ),
            (t!(lang, "revoke-no"), "revoke:0:no".to_owned()),
        ]],
        ..Answer::text(t!(
            lang,
            "revoke-confirm",
            name = target.display_name.clone(),
            unit = unit,
            role = role_name(lang, target.role)
        ))
    }
}

/// The question before moving a member who joins with another unit's or role's code.
pub fn join_confirm(lang: Lang, code: &str, unit: &str, role: Role) -> Answer {
    let code: String = code.trim().chars().take(40).collect();
    Answer {
        buttons: vec![vec![
            (t!(lang, "join-move-yes"), format!("join:{code}:yes")),
            (t!(lang, "revoke-no"), "join:-:no".to_owned()),
        ]],
        ..Answer::text(t!(
            lang,
            "join-move-confirm",
            unit = unit,
            role = role_name(lang, role)
        ))
    }
}
