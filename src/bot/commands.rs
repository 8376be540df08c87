//! One small function per command: parse its argument, call the service, say the outcome. The
//! router only routes.

use crate::domain::Lang;
use crate::domain::calendar::{JalaliDate, Period};
use crate::domain::error::Chain;
use crate::domain::summary::Summary;
use crate::domain::text::to_ascii_digits;
use crate::render::members::refusal;
use crate::render::{out_of_span, summary_text, summary_xlsx};
use crate::service::membership::admin::{self, Actor};
use crate::service::membership::{self, Joined, Person};
use crate::service::notify::Answer;
use crate::service::report::{self, Begun};
use crate::service::summary::{self, Withheld};
use crate::service::{MemberRow, StoreError, Work};
use crate::t;

use super::Context;
use super::command::Command;
use super::handlers::Effects;
use super::text;

/// Routes a command. Before joining, only `/start CODE` does anything.
pub async fn on_command(
    ctx: &Context,
    work: &mut Work<'_>,
    from: &Person,
    member: Option<MemberRow>,
    command: Command,
) -> Result<Effects, StoreError> {
    if let Command::Start(code) = command {
        return start(ctx, work, from, member.as_ref(), code).await;
    }
    let Some(member) = member else {
        return Ok(Effects::say(t!(from.lang, "not-member")));
    };
    let m = &member;
    match command {
        Command::Start(_) => Ok(Effects::default()),
        Command::Help => Ok(Effects::say(text::help(m.lang, Some(m.role)))),
        Command::Whoami => whoami(ctx, m).await,
        Command::Lang(arg) => lang(ctx, work, m, arg).await,
        Command::Tasks => tasks(ctx, m).await,
        Command::Report => begin_report(ctx, work, m).await,
        Command::Summary(arg) => summary(ctx, m, arg).await,
        Command::Export(arg) => export(ctx, m, arg).await,
        Command::Overdue => overdue(ctx, m).await,
        Command::Chart(_) if !summary::allowed(m) => Ok(not_allowed(m.lang)),
        Command::Chart(_) => Ok(Effects::say(t!(m.lang, "chart-later"))),
        Command::Members(arg) => members(ctx, m, arg).await,
        Command::Invite(arg) => invite(ctx, m, arg).await,
        Command::Revoke(arg) => revoke(ctx, m, arg).await,
        Command::Unknown(_) => Ok(Effects::say(t!(m.lang, "unknown-command"))),
    }
}

fn not_allowed(lang: Lang) -> Effects {
    Effects::say(t!(lang, "not-allowed"))
}

/// `/start [CODE]`: join with an invite, or say who the member is.
async fn start(
    ctx: &Context,
    work: &mut Work<'_>,
    from: &Person,
    member: Option<&MemberRow>,
    code: Option<String>,
) -> Result<Effects, StoreError> {
    let lang = member.map(|m| m.lang).unwrap_or(from.lang);
    let Some(code) = code else {
        return Ok(Effects::say(match member {
            Some(m) => t!(
                lang,
                "start-already",
                unit = ctx.svc.unit_name(m.unit_id).await?,
                role = text::role_name(lang, m.role)
            ),
            None => t!(lang, "start-no-code"),
        }));
    };
    let now = ctx.clock.now();
    if let Some(m) = member
        && let Some((unit, role)) = admin::join_would_move(&ctx.svc, m, &code, now).await?
    {
        return Ok(Effects {
            answers: vec![text::join_confirm(lang, &code, &unit, role)],
            ..Effects::default()
        });
    }
    join(ctx, work, from, member, &code).await
}

/// Joins with `code` (or moves the member it already is), and welcomes.
pub async fn join(
    ctx: &Context,
    work: &mut Work<'_>,
    from: &Person,
    member: Option<&MemberRow>,
    code: &str,
) -> Result<Effects, StoreError> {
    let lang = member.map(|m| m.lang).unwrap_or(from.lang);
    let now = ctx.clock.now();
    Ok(
        match membership::join(&ctx.svc, work, from, member, code, now).await? {
            Joined::BadCode => Effects::say(t!(lang, "start-bad-code")),
            Joined::Joined {
                unit, role, lang, ..
            } => Effects::say(format!(
                "{}\n\n{}",
                t!(
                    lang,
                    "start-welcome",
                    name = from.name.clone(),
                    unit = unit,
                    role = text::role_name(lang, role)
                ),
                text::help(lang, Some(role))
            )),
        },
    )
}

async fn whoami(ctx: &Context, m: &MemberRow) -> Result<Effects, StoreError> {
    Ok(Effects::say(t!(
        m.lang,
        "whoami",
        name = m.display_name.clone(),
        unit = ctx.svc.unit_name(m.unit_id).await?,
        role = text::role_name(m.lang, m.role),
        platform = ctx.platform.as_str(),
        lang = m.lang.code()
    )))
}

/// `/lang [fa|en]`: set it, or offer both.
async fn lang(
    ctx: &Context,
    work: &mut Work<'_>,
    m: &MemberRow,
    arg: Option<String>,
) -> Result<Effects, StoreError> {
    Ok(match arg.as_deref().and_then(Lang::parse) {
        Some(new) => {
            membership::set_lang(work, m, new, ctx.clock.now()).await?;
            Effects::say(t!(new, "lang-set"))
        }
        None => Effects {
            answers: vec![Answer {
                buttons: vec![vec![
                    ("فارسی".into(), "lang:fa".into()),
                    ("English".into(), "lang:en".into()),
                ]],
                ..Answer::text(t!(m.lang, "lang-choose"))
            }],
            ..Effects::default()
        },
    })
}

/// `/tasks`: the unit's occurrences of this and last month, with buttons to report.
async fn tasks(ctx: &Context, m: &MemberRow) -> Result<Effects, StoreError> {
    let now = ctx.clock.now();
    let Some(occurrences) = report::tasks(&ctx.svc, m, now).await? else {
        return Ok(not_allowed(m.lang));
    };
    if occurrences.is_empty() {
        return Ok(Effects::say(t!(m.lang, "tasks-none")));
    }
    let unit = ctx.svc.unit_name(m.unit_id).await?;
    Ok(Effects {
        answers: vec![text::tasks(
            ctx,
            m.lang,
            &unit,
            &occurrences,
            now.timestamp(),
        )],
        ..Effects::default()
    })
}

/// `/report`: the next text reports on the one open occurrence, or choose among several.
async fn begin_report(
    ctx: &Context,
    work: &mut Work<'_>,
    m: &MemberRow,
) -> Result<Effects, StoreError> {
    let lang = m.lang;
    Ok(
        match report::begin(&ctx.svc, work, m, ctx.clock.now()).await? {
            Begun::NotAllowed => not_allowed(lang),
            Begun::NothingOpen => Effects::say(t!(lang, "report-none-open")),
            Begun::Awaiting(only) => Effects::say(text::prompt(ctx, lang, &only)),
            Begun::Choose(many) => Effects {
                answers: vec![text::choose(lang, &many)],
                ..Effects::default()
            },
        },
    )
}

/// The period a command names, or this month; a translated refusal for what is not one.
fn period_arg(ctx: &Context, lang: Lang, arg: &Option<String>) -> Result<Period, String> {
    match arg {
        None => Ok(JalaliDate::today(ctx.clock.now(), ctx.svc.tz).period()),
        Some(s) => Period::parse(s).map_err(|_| t!(lang, "bad-period-short", period = s.clone())),
    }
}

/// The summary of the period a command names that the member may see, or what to say instead
/// (not allowed, not a period, a period summaries do not cover).
async fn member_summary(
    ctx: &Context,
    m: &MemberRow,
    arg: Option<String>,
) -> Result<Result<(Period, Summary), Effects>, StoreError> {
    if !summary::allowed(m) {
        return Ok(Err(not_allowed(m.lang)));
    }
    let period = match period_arg(ctx, m.lang, &arg) {
        Ok(p) => p,
        Err(refusal) => return Ok(Err(Effects::say(refusal))),
    };
    Ok(
        match summary::for_member(&ctx.svc, m, period, ctx.clock.now()).await? {
            Ok(s) => Ok((period, s)),
            Err(Withheld::NotAllowed) => Err(not_allowed(m.lang)),
            Err(Withheld::OutOfSpan(out)) => Err(Effects::say(out_of_span(
                m.lang,
                out.period,
                (out.span.first, out.span.last),
            ))),
        },
    )
}

/// `/summary [PERIOD]`.
async fn summary(ctx: &Context, m: &MemberRow, arg: Option<String>) -> Result<Effects, StoreError> {
    Ok(match member_summary(ctx, m, arg).await? {
        Ok((_, s)) => Effects::say(summary_text(&s, m.lang)),
        Err(instead) => instead,
    })
}

/// `/export [PERIOD]`: the summary as a workbook.
async fn export(ctx: &Context, m: &MemberRow, arg: Option<String>) -> Result<Effects, StoreError> {
    let (period, s) = match member_summary(ctx, m, arg).await? {
        Ok(found) => found,
        Err(instead) => return Ok(instead),
    };
    Ok(match summary_xlsx(&s, m.lang) {
        Ok(bytes) => Effects {
            document: Some((
                format!("setad-{period}.xlsx"),
                bytes,
                t!(m.lang, "export-caption", period = period.name(m.lang)),
            )),
            ..Effects::default()
        },
        Err(e) => {
            tracing::error!(error = %Chain(&e), "building the workbook");
            Effects::say(t!(m.lang, "error-internal"))
        }
    })
}

/// `/overdue`: what is missing this and last month.
async fn overdue(ctx: &Context, m: &MemberRow) -> Result<Effects, StoreError> {
    Ok(
        match summary::overdue_for_member(&ctx.svc, m, ctx.clock.now()).await? {
            Ok(list) => Effects::say(text::overdue(m.lang, &list)),
            Err(_) => not_allowed(m.lang),
        },
    )
}

/// `/members [UNIT]`: the members the sender administers (of one unit, when named).
async fn members(ctx: &Context, m: &MemberRow, arg: Option<String>) -> Result<Effects, StoreError> {
    let lang = m.lang;
    let unit = match arg {
        Some(q) => match crate::service::invite::find_unit(&ctx.svc.store, &q, None).await {
            Ok(u) => Some(u.unit_id),
            Err(e) => return Ok(Effects::say(text::unit_not_found(lang, e))),
        },
        None => None,
    };
    Ok(
        match admin::list(&ctx.svc, Actor::Member(m), unit, ctx.clock.now()).await? {
            Ok(listed) => Effects::say(text::members(lang, &listed)),
            Err(r) => Effects::say(refusal(lang, r)),
        },
    )
}

/// `/invite UNIT ROLE`: a one-time invite, printed as a deep link for this messenger.
async fn invite(ctx: &Context, m: &MemberRow, arg: Option<String>) -> Result<Effects, StoreError> {
    let lang = m.lang;
    let Some((unit, role)) = arg.as_deref().and_then(text::unit_and_role) else {
        return Ok(Effects::say(t!(lang, "invite-usage")));
    };
    let now = ctx.clock.now();
    // A seeded generator that may be held across the await (the thread's may not).
    let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::from_rng(&mut rand::rng());
    let made = admin::invite(&ctx.svc, Actor::Member(m), (&unit, role), now, &mut rng);
    Ok(Effects::say(match made.await {
        Ok(Ok(invite)) => text::invite(ctx, lang, &invite),
        Ok(Err(r)) => refusal(lang, r),
        Err(crate::service::invite::InviteError::Store(e)) => return Err(e),
        Err(e) => text::unit_not_found(lang, e),
    }))
}

/// `/revoke [ID]`: the members to choose from, or the confirmation to revoke one (nothing
/// changes before the button).
async fn revoke(ctx: &Context, m: &MemberRow, arg: Option<String>) -> Result<Effects, StoreError> {
    let lang = m.lang;
    let now = ctx.clock.now();
    let Some(arg) = arg else {
        return Ok(
            match admin::list(&ctx.svc, Actor::Member(m), None, now).await? {
                Ok(listed) => Effects {
                    answers: vec![text::revoke_choose(lang, &listed, m.member_id)],
                    ..Effects::default()
                },
                Err(r) => Effects::say(refusal(lang, r)),
            },
        );
    };
    let Ok(id) = to_ascii_digits(arg.trim().trim_start_matches('#')).parse::<i64>() else {
        return Ok(Effects::say(t!(lang, "revoke-usage")));
    };
    confirm_revoke(ctx, m, id).await
}

/// Asks to confirm revoking member `id`, if the sender may.
pub async fn confirm_revoke(ctx: &Context, m: &MemberRow, id: i64) -> Result<Effects, StoreError> {
    Ok(
        match admin::may_revoke(&ctx.svc, Actor::Member(m), id).await? {
            Ok(target) => {
                let unit = ctx.svc.unit_name(target.unit_id).await?;
                Effects {
                    answers: vec![text::revoke_confirm(m.lang, &target, &unit)],
                    ..Effects::default()
                }
            }
            Err(r) => Effects::say(refusal(m.lang, r)),
        },
    )
}
