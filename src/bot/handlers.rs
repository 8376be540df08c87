//! What a message or a button press asks for: read it from teloxide's types, call the service,
//! and say its outcome (the wording is in [`super::text`]). No SQL and no rule here: who may do
//! what is decided by the services.

use teloxide::types::{CallbackQuery, Message, User};

use crate::domain::Lang;
use crate::render::members::refusal;
use crate::service::membership::admin::{self, Actor};
use crate::service::membership::{self, Known, Lookup, Person};
use crate::service::notify::Answer;
use crate::service::report::{self, Corrected, Received, Replied, Text, Tied};
use crate::service::{StoreError, Work};
use crate::t;

use super::Context;
use super::command::{Command, parse};
use super::commands::on_command;
use super::confirm;
use super::text;

/// What handling an update comes to, besides what it wrote.
#[derive(Default)]
pub struct Effects {
    /// Answers to queue.
    pub answers: Vec<Answer>,
    /// A button press to answer: its id and a short text.
    pub callback: Option<(String, Option<String>)>,
    /// A document to send after the commit: file name, bytes, caption.
    pub document: Option<(String, Vec<u8>, String)>,
}

impl Effects {
    /// One plain answer.
    pub fn say(text: String) -> Effects {
        Effects {
            answers: vec![Answer::text(text)],
            ..Effects::default()
        }
    }
}

/// The person behind a message.
fn person(ctx: &Context, user: &User, chat_id: i64) -> Person {
    let name = match &user.last_name {
        Some(last) => format!("{} {last}", user.first_name),
        None => user.first_name.clone(),
    };
    let lang = user
        .language_code
        .as_deref()
        .and_then(Lang::parse)
        .unwrap_or(ctx.default_lang);
    Person {
        platform: ctx.platform,
        user_id: user.id.0 as i64,
        chat_id,
        name,
        lang,
    }
}

/// Whom a message is from, and the bot's message it replies to: what
/// [`membership::identify_all`] looks up for it. `None` for a message from nobody.
pub fn lookup(m: &Message) -> Option<Lookup> {
    let user = m.from.as_ref()?;
    let replied = m
        .reply_to_message()
        .map(|r| (m.chat.id.0, i64::from(r.id.0)));
    Some((user.id.0 as i64, replied))
}

/// A message (or an edit of one) in a private chat, from `known` (the member its [`lookup`]
/// found, if any).
pub async fn on_message(
    ctx: &Context,
    work: &mut Work<'_>,
    m: &Message,
    edited: bool,
    known: Option<Known>,
) -> Result<Effects, StoreError> {
    let Some(user) = &m.from else {
        return Ok(Effects::default());
    };
    let from = person(ctx, user, m.chat.id.0);
    let replied = m.reply_to_message();
    let Some(body) = m.text().or(m.caption()) else {
        let lang = known.as_ref().map(|k| k.member.lang).unwrap_or(from.lang);
        return Ok(Effects::say(t!(lang, "only-text")));
    };
    if let Some(command) = parse(body, &ctx.username).filter(|_| !edited) {
        // Any other command ends a `/report` prompt: the text after it is not the report.
        // Dropped after the command: a command reads (and may write through the pool) before
        // its unit of work takes SQLite's writer lock.
        let prompted = known
            .as_ref()
            .filter(|k| k.has_state)
            .map(|k| k.member.clone());
        let ends_prompt = command != Command::Report;
        let fx = on_command(ctx, work, &from, known.map(|k| k.member), command).await?;
        if let Some(member) = prompted.filter(|_| ends_prompt) {
            report::forget(work, &member, ctx.clock.now()).await?;
        }
        return Ok(fx);
    }
    let Some(known) = known else {
        return Ok(Effects::say(t!(from.lang, "not-member")));
    };
    let message_id = i64::from(m.id.0);
    let incoming = Text {
        member: &known.member,
        state: known.state.as_ref(),
        has_state: known.has_state,
        text: body,
        chat_id: from.chat_id,
        message_id,
        edited,
        replied: replied.map(|r| Replied {
            text: r.text(),
            occurrence: known.replied.as_ref(),
            report_id: known.replied_report,
        }),
    };
    let platform = ctx.platform;
    let sent_as = |queued: &str| crate::platform::outgoing_text(platform, queued);
    let now = ctx.clock.now();
    let received = report::receive(&ctx.svc, work, platform, &incoming, &sent_as, now).await?;
    let lang = known.member.lang;
    Ok(match received {
        Received::Report(submitted) => Effects {
            answers: vec![confirm::submitted(lang, &submitted, message_id)],
            ..Effects::default()
        },
        Received::Untied => Effects::say(t!(lang, "report-hint")),
        Received::Draft {
            draft_id,
            open,
            looks_like_report,
        } => Effects {
            answers: vec![text::draft(
                lang,
                draft_id,
                &open,
                looks_like_report,
                message_id,
            )],
            ..Effects::default()
        },
        Received::Ignored => Effects::default(),
    })
}

/// Whether a press came from the chat its message is in: a group (every answer goes to the
/// group), or the presser's own private chat. A press whose message is in someone else's
/// private chat (forged, or misrouted by a messenger) must not be answered there.
fn pressed_in_own_chat(q: &CallbackQuery) -> bool {
    q.message.as_ref().is_none_or(|m| {
        let chat = m.chat();
        !chat.is_private() || chat.id.0 == q.from.id.0 as i64
    })
}

/// A button press. Its answers go to the chat of the presser (see [`pressed_in_own_chat`]):
/// a press on a message of another's private chat is answered as a stale button, changes
/// nothing and sends nothing into that chat.
pub async fn on_callback(
    ctx: &Context,
    work: &mut Work<'_>,
    q: &CallbackQuery,
) -> Result<Effects, StoreError> {
    let mut fx = Effects::default();
    let id = q.id.0.clone();
    let Some(member) = membership::member(&ctx.svc, ctx.platform, q.from.id.0 as i64).await? else {
        fx.callback = Some((id, Some(t!(ctx.default_lang, "not-member"))));
        return Ok(fx);
    };
    let lang = member.lang;
    if !pressed_in_own_chat(q) {
        tracing::warn!(
            platform = %ctx.platform,
            member_id = member.member_id,
            chat = q.message.as_ref().map(|m| m.chat().id.0),
            "a press on a message of another chat; answered as a stale button"
        );
        fx.callback = Some((id, Some(t!(lang, "callback-stale"))));
        return Ok(fx);
    }
    let now = ctx.clock.now();
    let data = q.data.clone().unwrap_or_default();
    let mut parts = data.splitn(3, ':');
    let (kind, a, b) = (parts.next().unwrap_or(""), parts.next(), parts.next());
    if kind == "join" {
        return on_join(ctx, work, q, &member, (a, b)).await;
    }
    match (kind, a.and_then(|a| a.parse::<i64>().ok()), b) {
        ("rep", Some(occurrence_id), None) => {
            match report::choose(&ctx.svc, work, &member, occurrence_id, now).await? {
                Some(occ) => {
                    fx.answers.push(Answer::text(text::prompt(ctx, lang, &occ)));
                    fx.callback = Some((id, None));
                }
                None => fx.callback = Some((id, Some(t!(lang, "report-not-yours")))),
            }
        }
        ("held", Some(report_id), Some(v @ ("0" | "1"))) => {
            let held = v == "1";
            if report::correct_held(&ctx.svc, work, &member, report_id, held, now).await? {
                let said = t!(
                    lang,
                    "report-corrected",
                    held = text::held(lang, Some(held))
                );
                fx.callback = Some((id, Some(said.clone())));
                fx.answers.push(Answer::text(said));
            } else {
                fx.callback = Some((id, Some(t!(lang, "report-not-yours"))));
            }
        }
        ("fact", Some(report_id), Some(setting)) => match confirm::parse_setting(setting) {
            Some(setting) => {
                let done =
                    report::correct_fact(&ctx.svc, work, &member, report_id, setting, now).await?;
                let said = confirm::corrected(lang, done);
                fx.callback = Some((id, Some(said.clone())));
                if matches!(done, Corrected::Set(_) | Corrected::Refused(_)) {
                    fx.answers.push(Answer::text(said));
                }
            }
            None => fx.callback = Some((id, Some(t!(lang, "callback-stale")))),
        },
        // `draft:ID:0` is "none"; anything but a positive occurrence id otherwise is stale.
        ("draft", Some(draft_id), Some(choice))
            if choice == "0" || choice.parse::<i64>().is_ok_and(|id| id > 0) =>
        {
            let occurrence = choice.parse::<i64>().ok().filter(|id| *id > 0);
            match report::tie_draft(&ctx.svc, work, &member, draft_id, occurrence, now).await? {
                Tied::Report {
                    submitted,
                    message_id,
                } => {
                    fx.answers
                        .push(confirm::submitted(lang, &submitted, message_id));
                    fx.callback = Some((id, None));
                }
                Tied::SetAside => fx.callback = Some((id, Some(t!(lang, "draft-set-aside")))),
                Tied::Gone => fx.callback = Some((id, Some(t!(lang, "callback-stale")))),
            }
        }
        ("revoke", Some(target), None) => {
            fx = super::commands::confirm_revoke(ctx, &member, target).await?;
            fx.callback = Some((id, None));
        }
        ("revoke", Some(target), Some("yes")) => {
            let done = admin::revoke(&ctx.svc, work, Actor::Member(&member), target, now).await?;
            let said = match done {
                Ok(m) => t!(
                    lang,
                    "members-revoked",
                    name = m.display_name,
                    id = m.member_id
                ),
                Err(r) => refusal(lang, r),
            };
            fx.callback = Some((id, None));
            fx.answers.push(Answer::text(said));
        }
        ("revoke", Some(_), Some("no")) => {
            fx.callback = Some((id, Some(t!(lang, "revoke-cancelled"))));
        }
        ("lang", _, _) => {
            let new = a.and_then(Lang::parse).unwrap_or(lang);
            membership::set_lang(work, &member, new, now).await?;
            fx.callback = Some((id, Some(t!(new, "lang-set"))));
        }
        _ => fx.callback = Some((id, Some(t!(lang, "callback-stale")))),
    }
    Ok(fx)
}

/// A press on the question before a move by invite: join with the code (moving), or not.
async fn on_join(
    ctx: &Context,
    work: &mut Work<'_>,
    q: &CallbackQuery,
    member: &crate::service::MemberRow,
    (code, answer): (Option<&str>, Option<&str>),
) -> Result<Effects, StoreError> {
    let id = q.id.0.clone();
    let mut fx = match (code, answer) {
        (Some(code), Some("yes")) => {
            let from = person(ctx, &q.from, member.chat_id);
            super::commands::join(ctx, work, &from, Some(member), code).await?
        }
        _ => Effects::say(t!(member.lang, "revoke-cancelled")),
    };
    fx.callback = Some((id, None));
    Ok(fx)
}
