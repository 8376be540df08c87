//! One small function per command: parse its argument, call the service, say the outcome. The
//! router only routes.

use crate::domain::Lang;
use crate::domain::calendar::{JalaliDate, Period};
use crate::domain::summary::Summary;
use crate::render::{summary_text, summary_xlsx};
use crate::service::membership::{self, Joined, Person};
use crate::service::notify::Answer;
use crate::service::report::{self, Begun};
use crate::service::summary::{self, NotAllowed};
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
    Ok(
        match membership::join(&ctx.svc, work, from, member, &code, now).await? {
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
/// (not allowed, not a period).
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
            Err(NotAllowed) => Err(not_allowed(m.lang)),
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
            tracing::error!(error = %e, "building the workbook");
            Effects::say(t!(m.lang, "error-internal"))
        }
    })
}

/// `/overdue`: what is missing this and last month.
async fn overdue(ctx: &Context, m: &MemberRow) -> Result<Effects, StoreError> {
    Ok(
        match summary::overdue_for_member(&ctx.svc, m, ctx.clock.now()).await? {
            Ok(list) => Effects::say(text::overdue(m.lang, &list)),
            Err(NotAllowed) => not_allowed(m.lang),
        },
    )
}
