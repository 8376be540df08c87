//! Handling one stored update: read it (completing Bale's JSON first), decide, and write the
//! effects (a joined member, a stored report, replies queued in the outbox) in one transaction
//! that also marks the update handled. A redelivered or replayed update is therefore handled
//! once; an update that cannot be read is logged with its raw JSON, counted, and marked failed.
//!
//! Access: nobody sees anything before joining; a member sees only what its role and unit
//! allow; reports are accepted only on the member's own unit's occurrences.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::Weekday;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use teloxide::types::{CallbackQuery, Message, Update, UpdateKind, User};
use tokio::sync::Notify;

use crate::clock::Clock;
use crate::domain::Lang;
use crate::domain::calendar::{JalaliDate, Period};
use crate::domain::member::{Platform, Role};
use crate::domain::report::{ReportTextError, check_report_text, read_report};
use crate::domain::text::to_ascii_digits;
use crate::platform::{answer_callback, complete_update, send_document};
use crate::render::{MESSAGE_LIMIT, split_message, summary_text, summary_xlsx};
use crate::service::tick::priority;
use crate::service::{summary, work_calendar};
use crate::store::{
    InboxRow, MemberRow, NewMessage, OccurrenceInfo, Payload, ReportInput, Store, StoreError, Tx,
};
use crate::t;

use super::command::{Command, parse};

/// Everything a handler needs.
#[derive(Clone)]
pub struct Context {
    /// The database.
    pub store: Store,
    /// The platform served.
    pub platform: Platform,
    /// The teloxide bot of the platform.
    pub bot: teloxide::Bot,
    /// The bot's username (commands addressed to another bot are ignored).
    pub username: String,
    /// The time zone.
    pub tz: Tz,
    /// Days off.
    pub weekend: Vec<Weekday>,
    /// The language of people not yet known.
    pub default_lang: Lang,
    /// The clock.
    pub clock: Clock,
    /// Wakes the send queue after messages are queued.
    pub outbox: Arc<Notify>,
    /// Takes the replies, claimed for it in the handler's transaction.
    pub direct: crate::sender::Direct,
    /// Summaries built before (shared by the platforms).
    pub summaries: Arc<summary::SummaryCache>,
    /// Updates that could not be read.
    pub unreadable: Arc<AtomicU64>,
}

/// The handler's transaction, begun at its first write: reads (and the occurrences a summary
/// creates in transactions of their own) come first and hold no write lock.
pub struct LazyTx<'s> {
    store: &'s Store,
    tx: Option<Tx>,
    /// Messages were queued for the send worker to claim (not handed to it).
    queued: bool,
}

impl LazyTx<'_> {
    /// The transaction, begun now if it was not yet.
    pub async fn get(&mut self) -> Result<&mut Tx, StoreError> {
        if self.tx.is_none() {
            self.tx = Some(self.store.begin().await?);
        }
        Ok(self.tx.as_mut().expect("just begun"))
    }
}

/// What a member is in the middle of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    /// After `/report` and a choice: the next text is the report on this occurrence.
    AwaitingReport {
        /// The occurrence.
        occurrence_id: i64,
    },
}

/// A reply to queue.
struct Reply {
    text: String,
    buttons: Vec<Vec<(String, String)>>,
    reply_to: Option<i64>,
}

impl Reply {
    fn text(text: String) -> Reply {
        Reply {
            text,
            buttons: Vec::new(),
            reply_to: None,
        }
    }
}

/// What handling an update comes to, besides what it wrote.
#[derive(Default)]
struct Effects {
    replies: Vec<Reply>,
    callback: Option<(String, Option<String>)>,
    document: Option<(String, Vec<u8>, String)>,
}

/// Where a message came from.
struct From {
    user_id: i64,
    chat_id: i64,
    message_id: i64,
    name: String,
    lang: Lang,
}

fn from_user(user: &User, chat_id: i64, message_id: i64, default_lang: Lang) -> From {
    let name = match &user.last_name {
        Some(last) => format!("{} {last}", user.first_name),
        None => user.first_name.clone(),
    };
    let lang = user
        .language_code
        .as_deref()
        .and_then(Lang::parse)
        .unwrap_or(default_lang);
    From {
        user_id: user.id.0 as i64,
        chat_id,
        message_id,
        name: name.chars().take(128).collect(),
        lang,
    }
}

fn member_lang(member: &MemberRow) -> Lang {
    Lang::parse(&member.lang).unwrap_or_default()
}

fn role_of(member: &MemberRow) -> Role {
    Role::parse(&member.role).unwrap_or(Role::Agency)
}

/// The chat id an update concerns, read from its raw JSON (for storing it).
pub fn chat_of(update: &Value) -> Option<i64> {
    for kind in [
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
    ] {
        if let Some(id) = update[kind]["chat"]["id"].as_i64() {
            return Some(id);
        }
    }
    update["callback_query"]["message"]["chat"]["id"]
        .as_i64()
        .or_else(|| update["callback_query"]["from"]["id"].as_i64())
}

/// How many updates share one transaction at most.
pub const BATCH: usize = 64;

/// Handles stored updates in the order given and returns the inbox ids of those given up on
/// (a database error that persisted through retries: they stay `new`).
///
/// Runs of plain messages, edits and button presses from different chats are handled in one
/// transaction (one commit for many reports, which is what keeps up with a burst); commands
/// and unreadable updates are handled alone, commands with their reads before any write lock.
/// A run that fails is handled again one update at a time, so one bad update cannot hold back
/// the others.
pub async fn handle_all(ctx: &Context, rows: Vec<InboxRow>) -> Vec<i64> {
    let mut given_up = Vec::new();
    let mut run: Vec<(InboxRow, Update)> = Vec::new();
    let mut chats = std::collections::HashSet::new();
    for row in rows {
        let update = match read(ctx.platform, &row.payload) {
            Ok(update) => update,
            Err(reason) => {
                flush(ctx, &mut run, &mut chats, &mut given_up).await;
                if let Err(e) = unreadable(ctx, &row, &reason).await {
                    tracing::error!(error = %e, update_id = row.update_id, "could not mark an update unreadable");
                    given_up.push(row.inbox_id);
                }
                continue;
            }
        };
        let joins = batchable(&update, &ctx.username);
        if !joins || run.len() >= BATCH || !chats.insert(row.chat_id) {
            flush(ctx, &mut run, &mut chats, &mut given_up).await;
        }
        if joins {
            chats.insert(row.chat_id);
            run.push((row, update));
        } else {
            run.push((row, update));
            flush(ctx, &mut run, &mut chats, &mut given_up).await;
        }
    }
    flush(ctx, &mut run, &mut chats, &mut given_up).await;
    given_up
}

/// Whether an update may share a transaction with others: it writes nothing another chat's
/// update reads, and opens no transaction of its own.
fn batchable(update: &Update, username: &str) -> bool {
    match &update.kind {
        UpdateKind::Message(m) | UpdateKind::EditedMessage(m) => m
            .text()
            .or(m.caption())
            .is_none_or(|text| parse(text, username).is_none()),
        UpdateKind::CallbackQuery(_) => true,
        _ => true,
    }
}

/// Handles the collected run: together, or one by one when that fails.
async fn flush(
    ctx: &Context,
    run: &mut Vec<(InboxRow, Update)>,
    chats: &mut std::collections::HashSet<Option<i64>>,
    given_up: &mut Vec<i64>,
) {
    chats.clear();
    if run.len() > 1 {
        match handle_run(ctx, run).await {
            Ok(true) => {
                run.clear();
                return;
            }
            Ok(false) => tracing::debug!("an update of a run was handled elsewhere; one by one"),
            Err(e) => tracing::warn!(error = %e, "handling a run failed; one by one"),
        }
    }
    for one in run.drain(..) {
        let one = [one];
        let mut delay = std::time::Duration::from_millis(100);
        let mut attempt = 1;
        loop {
            match handle_run(ctx, &one).await {
                Ok(_) => break,
                Err(e) if attempt < 5 => {
                    tracing::error!(error = %e, update_id = one[0].0.update_id, attempt, "handling failed");
                    tokio::time::sleep(delay).await;
                    delay *= 4;
                    attempt += 1;
                }
                Err(e) => {
                    tracing::error!(error = %e, update_id = one[0].0.update_id, "handling failed; giving up for now");
                    given_up.push(one[0].0.inbox_id);
                    break;
                }
            }
        }
    }
}

/// Logs, counts and marks failed an update that cannot be read.
async fn unreadable(ctx: &Context, row: &InboxRow, reason: &str) -> Result<(), StoreError> {
    ctx.unreadable.fetch_add(1, Ordering::Relaxed);
    tracing::error!(platform = %ctx.platform, update_id = row.update_id, %reason, raw = %row.payload, "unreadable update");
    let mut tx = ctx.store.begin().await?;
    if tx
        .finish_update(row.inbox_id, Some(reason), ctx.clock.now_ms())
        .await?
    {
        tx.commit().await?;
    }
    Ok(())
}

/// Handles updates in one transaction that also marks them handled. Returns false (and writes
/// nothing) when one of them was handled elsewhere meanwhile. Database errors are returned
/// (the updates stay `new`); everything else is answered or logged.
async fn handle_run(ctx: &Context, run: &[(InboxRow, Update)]) -> Result<bool, StoreError> {
    let now_ms = ctx.clock.now_ms();
    let now = now_ms / 1000;
    let mut tx = LazyTx {
        store: &ctx.store,
        tx: None,
        queued: false,
    };
    let mut handled = Vec::with_capacity(run.len());
    for (row, update) in run {
        let effects = match &update.kind {
            UpdateKind::Message(m) if m.chat.is_private() => {
                on_message(ctx, &mut tx, m, false).await?
            }
            UpdateKind::EditedMessage(m) if m.chat.is_private() => {
                on_message(ctx, &mut tx, m, true).await?
            }
            UpdateKind::CallbackQuery(q) => on_callback(ctx, &mut tx, q).await?,
            _ => Effects::default(), // groups, channels, other kinds: nothing to do
        };
        let chat = row.chat_id.unwrap_or_default();
        let messages = outgoing(ctx, row.update_id, chat, &effects, now_ms);
        let t = tx.get().await?;
        let claimed = t
            .enqueue_claimed(
                &messages,
                now,
                &ctx.direct.worker,
                now_ms + ctx.direct.lease.as_millis() as i64,
            )
            .await?;
        if !t.finish_update(row.inbox_id, None, now_ms).await? {
            // Handled elsewhere meanwhile: drop what this transaction did.
            return Ok(false);
        }
        handled.push((chat, effects, claimed));
    }
    if let Some(tx) = tx.tx.take() {
        tx.commit().await?;
    }
    // After the commit: the replies to the send worker; answering a button press and sending
    // a document, at most once.
    if tx.queued {
        ctx.outbox.notify_one();
    }
    let mut after = Vec::with_capacity(handled.len());
    for (chat, effects, claimed) in handled {
        ctx.direct.give(claimed);
        after.push((chat, effects));
    }
    for (chat, effects) in after {
        if let Some((id, text)) = effects.callback {
            let _ = answer_callback(&ctx.bot, &id, text.as_deref()).await;
        }
        if let Some((name, bytes, caption)) = effects.document {
            let result = send_document(&ctx.bot, ctx.platform, chat, &name, bytes, &caption).await;
            if !matches!(result, crate::platform::Delivery::Sent(_)) {
                tracing::warn!(?result, "sending an export failed");
            }
        }
    }
    Ok(true)
}

/// The replies of an update as queue rows, split to the messenger's length limit (the first
/// part answers the message, the last carries the buttons).
fn outgoing(
    ctx: &Context,
    update_id: i64,
    chat: i64,
    effects: &Effects,
    now_ms: i64,
) -> Vec<NewMessage> {
    let mut messages = Vec::new();
    for (i, r) in effects.replies.iter().enumerate() {
        let parts = split_message(&r.text, MESSAGE_LIMIT);
        let last = parts.len() - 1;
        for (j, body) in parts.into_iter().enumerate() {
            messages.push(NewMessage {
                dedup_key: format!("{}:reply:{update_id}:{chat}:{i}:{j}", ctx.platform),
                platform: ctx.platform.as_str().to_owned(),
                chat_id: chat,
                member_id: None,
                kind: "notice".into(),
                occurrence_id: None,
                body,
                priority: priority::REPLY,
                not_before: now_ms,
                state: "pending",
                payload: Payload {
                    reply_to: if j == 0 { r.reply_to } else { None },
                    buttons: if j == last {
                        r.buttons.clone()
                    } else {
                        Vec::new()
                    },
                }
                .to_json(),
            });
        }
    }
    messages
}

/// Reads an update's JSON into teloxide's type, completing Bale's objects first. The update id
/// was stored from the raw JSON; it is zeroed here because teloxide reads it as `u32`.
fn read(platform: Platform, payload: &str) -> Result<Update, String> {
    let mut value: Value = serde_json::from_str(payload).map_err(|e| format!("not JSON: {e}"))?;
    complete_update(platform, &mut value);
    value["update_id"] = Value::from(0);
    // From text, not from the `Value`: teloxide reads `UpdateKind` in a way that only works
    // with a text deserializer (from a `Value` every update comes out as `UpdateKind::Error`).
    let update: Update = serde_json::from_str(&value.to_string())
        .map_err(|e| format!("not an update teloxide can read: {e}"))?;
    if let UpdateKind::Error(_) = update.kind {
        return Err("an update kind teloxide cannot read".into());
    }
    Ok(update)
}

async fn on_message(
    ctx: &Context,
    tx: &mut LazyTx<'_>,
    m: &Message,
    edited: bool,
) -> Result<Effects, StoreError> {
    let mut fx = Effects::default();
    let Some(user) = &m.from else { return Ok(fx) };
    let from = from_user(user, m.chat.id.0, i64::from(m.id.0), ctx.default_lang);
    let (member, state) = match ctx
        .store
        .member_and_state(ctx.platform.as_str(), from.user_id)
        .await?
    {
        Some(found) => (Some(found.member), found.state),
        None => (None, None),
    };
    // A report clears what the member was in the middle of (a /report choice).
    let clear = state.is_some();
    let text = m.text().or(m.caption());
    let Some(text) = text else {
        let lang = member.as_ref().map(member_lang).unwrap_or(from.lang);
        fx.replies.push(Reply::text(t!(lang, "only-text")));
        return Ok(fx);
    };

    if let Some(command) = parse(text, &ctx.username).filter(|_| !edited) {
        return on_command(ctx, tx, &from, member, command).await;
    }
    let Some(member) = member else {
        fx.replies.push(Reply::text(t!(from.lang, "not-member")));
        return Ok(fx);
    };
    let lang = member_lang(&member);

    if edited {
        // An edit of a report corrects it.
        if let Some(report) = ctx
            .store
            .report_of_message(ctx.platform.as_str(), from.chat_id, from.message_id)
            .await?
        {
            let Some(occ) = ctx.store.occurrence_info(report.occurrence_id).await? else {
                return Ok(fx);
            };
            return submit(ctx, tx, &member, &occ, text, &from, (true, clear)).await;
        }
        return Ok(fx);
    }

    // A reply to a reminder reports on its occurrence.
    if let Some(replied) = m.reply_to_message() {
        let replied_id = i64::from(replied.id.0);
        let mut occurrence = ctx
            .store
            .occurrence_of_message(ctx.platform.as_str(), from.chat_id, replied_id)
            .await?;
        if occurrence.is_none()
            && let Some(replied_text) = replied.text()
        {
            // The reminder's id may not be recorded yet (its answer was being written, or was
            // lost to a crash and the reminder sent again): recognise it by its text.
            let found = ctx
                .store
                .recent_notices(ctx.platform.as_str(), from.chat_id)
                .await?
                .into_iter()
                .find(|(_, body)| {
                    crate::platform::outgoing_text(ctx.platform, body).trim() == replied_text.trim()
                });
            if let Some((occurrence_id, _)) = found {
                occurrence = ctx.store.occurrence_info(occurrence_id).await?;
            }
        }
        if let Some(occ) = occurrence {
            return submit(ctx, tx, &member, &occ, text, &from, (false, clear)).await;
        }
    }
    // After /report: the text is the report.
    if let Some(State::AwaitingReport { occurrence_id }) =
        state.and_then(|s| serde_json::from_str(&s).ok())
        && let Some(occ) = ctx.store.occurrence_info(occurrence_id).await?
    {
        return submit(ctx, tx, &member, &occ, text, &from, (false, true)).await;
    }
    fx.replies.push(Reply::text(t!(lang, "report-hint")));
    Ok(fx)
}

/// Stores a report on `occ` from `member`, or refuses it.
async fn submit(
    ctx: &Context,
    tx: &mut LazyTx<'_>,
    member: &MemberRow,
    occ: &OccurrenceInfo,
    text: &str,
    from: &From,
    (edit, clear_state): (bool, bool),
) -> Result<Effects, StoreError> {
    let mut fx = Effects::default();
    let lang = member_lang(member);
    let role = role_of(member);
    if !role.reports() || occ.unit_id != member.unit_id {
        fx.replies.push(Reply {
            reply_to: Some(from.message_id),
            ..Reply::text(t!(lang, "report-not-yours"))
        });
        return Ok(fx);
    }
    let body = match check_report_text(text) {
        Ok(body) => body,
        Err(ReportTextError::Empty) => {
            fx.replies.push(Reply::text(t!(lang, "report-empty")));
            return Ok(fx);
        }
        Err(ReportTextError::TooLong { len, max }) => {
            fx.replies.push(Reply::text(t!(
                lang,
                "report-too-long",
                len = len,
                max = max
            )));
            return Ok(fx);
        }
    };
    let period = Period::from_code(occ.period as i32)
        .unwrap_or_else(|_| JalaliDate::today(ctx.clock.now(), ctx.tz).period());
    let facts = read_report(&body, period);
    let input = ReportInput {
        member_id: Some(member.member_id),
        body,
        held: facts.held,
        held_on: facts.held_on.map(|d| d.to_gregorian().to_string()),
        attendees: facts.attendees.map(i64::from),
        insured: facts.insured.map(i64::from),
        source: Some((
            ctx.platform.as_str().to_owned(),
            from.chat_id,
            from.message_id,
        )),
    };
    let now = ctx.clock.now().timestamp();
    let report_id = tx
        .get()
        .await?
        .save_report(occ.occurrence_id, &input, now)
        .await?;
    if clear_state {
        tx.get()
            .await?
            .set_member_state(member.member_id, None, now)
            .await?;
    }
    if occ.shape == "quota" {
        milestones(ctx, tx, occ, period).await?;
    }
    let late = occ.due_at < now;
    let heading = if edit {
        t!(
            lang,
            "report-updated",
            key = occ.key.clone(),
            title = occ.title.clone(),
            period = period.name(lang)
        )
    } else if late {
        t!(
            lang,
            "report-saved-late",
            key = occ.key.clone(),
            title = occ.title.clone(),
            period = period.name(lang)
        )
    } else {
        t!(
            lang,
            "report-saved",
            key = occ.key.clone(),
            title = occ.title.clone(),
            period = period.name(lang)
        )
    };
    let unknown = || "—".to_owned();
    let understood = t!(
        lang,
        "report-understood",
        held = match facts.held {
            Some(true) => t!(lang, "held-yes"),
            Some(false) => t!(lang, "held-no"),
            None => unknown(),
        },
        date = facts
            .held_on
            .map(|d| d.format(lang.digits()))
            .unwrap_or_else(unknown),
        attendees = facts
            .attendees
            .map(|n| crate::domain::text::localize_digits(&n.to_string(), lang.digits()))
            .unwrap_or_else(unknown),
        insured = facts
            .insured
            .map(|n| crate::domain::text::localize_digits(&n.to_string(), lang.digits()))
            .unwrap_or_else(unknown)
    );
    fx.replies.push(Reply {
        text: format!("{heading}\n{understood}\n{}", t!(lang, "report-fix-hint")),
        buttons: vec![vec![
            (t!(lang, "button-held"), format!("held:{report_id}:1")),
            (t!(lang, "button-not-held"), format!("held:{report_id}:0")),
        ]],
        reply_to: Some(from.message_id),
    });
    Ok(fx)
}

/// After a report on a quota: when the unit's progress this year crosses 50, 75 or 100%, the
/// fund managers and admins are told (once per unit, obligation, year and level).
async fn milestones(
    ctx: &Context,
    tx: &mut LazyTx<'_>,
    occ: &OccurrenceInfo,
    period: Period,
) -> Result<(), StoreError> {
    let from = i64::from(period.year()) * 100 + 1;
    let Some((target, achieved)) = tx
        .get()
        .await?
        .quota_of(occ.obligation_id, occ.unit_id, from, occ.period)
        .await?
    else {
        return Ok(());
    };
    let percent = achieved * 100 / target;
    let Some(level) = [100, 75, 50].into_iter().find(|l| percent >= *l) else {
        return Ok(());
    };
    let unit = unit_name(ctx, occ.unit_id).await?;
    let now = ctx.clock.now();
    let messages: Vec<NewMessage> = ctx
        .store
        .members_with_roles(&["fund", "admin"])
        .await?
        .into_iter()
        .map(|m| {
            let lang = member_lang(&m);
            NewMessage {
                dedup_key: format!(
                    "milestone:{}:{}:{}:{level}:{}",
                    occ.obligation_id,
                    occ.unit_id,
                    period.year(),
                    m.member_id
                ),
                platform: m.platform.clone(),
                chat_id: m.chat_id,
                member_id: Some(m.member_id),
                kind: "alert".into(),
                occurrence_id: None,
                body: t!(
                    lang,
                    "milestone",
                    key = occ.key.clone(),
                    title = occ.title.clone(),
                    unit = unit.clone(),
                    level = level,
                    achieved = achieved,
                    target = target
                ),
                priority: priority::ALERT,
                not_before: now.timestamp_millis(),
                state: "pending",
                payload: None,
            }
        })
        .collect();
    tx.get().await?.enqueue(&messages, now.timestamp()).await?;
    tx.queued |= !messages.is_empty();
    Ok(())
}

async fn on_command(
    ctx: &Context,
    tx: &mut LazyTx<'_>,
    from: &From,
    member: Option<MemberRow>,
    command: Command,
) -> Result<Effects, StoreError> {
    let mut fx = Effects::default();
    let now = ctx.clock.now();
    if let Command::Start(code) = &command {
        let lang = member.as_ref().map(member_lang).unwrap_or(from.lang);
        let Some(code) = code else {
            let text = match &member {
                Some(m) => t!(
                    lang,
                    "start-already",
                    unit = unit_name(ctx, m.unit_id).await?,
                    role = role_name(lang, role_of(m))
                ),
                None => t!(lang, "start-no-code"),
            };
            fx.replies.push(Reply::text(text));
            return Ok(fx);
        };
        let code: String = to_ascii_digits(code.trim())
            .to_ascii_lowercase()
            .chars()
            .take(64)
            .collect();
        let Some(invite) = tx.get().await?.use_invite(&code, now.timestamp()).await? else {
            fx.replies.push(Reply::text(t!(lang, "start-bad-code")));
            return Ok(fx);
        };
        let member_lang_code = member
            .as_ref()
            .map(|m| m.lang.clone())
            .unwrap_or_else(|| from.lang.code().to_owned());
        let member_id = tx
            .get()
            .await?
            .upsert_member(
                ctx.platform.as_str(),
                from.user_id,
                from.chat_id,
                invite.unit_id,
                &invite.role,
                &from.name,
                &member_lang_code,
                now.timestamp(),
            )
            .await?;
        tx.get().await?.audit(
            &crate::store::AuditEntry {
                actor: &format!("member:{member_id}"),
                action: "join",
                entity: "member",
                entity_key: &member_id.to_string(),
                detail: serde_json::json!({ "unit_id": invite.unit_id, "role": invite.role, "platform": ctx.platform.as_str() }).to_string(),
            },
            now.timestamp(),
        )
        .await?;
        let lang = Lang::parse(&member_lang_code).unwrap_or_default();
        let role = Role::parse(&invite.role).unwrap_or(Role::Agency);
        fx.replies.push(Reply::text(format!(
            "{}\n\n{}",
            t!(
                lang,
                "start-welcome",
                name = from.name.clone(),
                unit = unit_name(ctx, invite.unit_id).await?,
                role = role_name(lang, role)
            ),
            help(lang, Some(role))
        )));
        return Ok(fx);
    }
    let Some(member) = member else {
        fx.replies.push(Reply::text(t!(from.lang, "not-member")));
        return Ok(fx);
    };
    let lang = member_lang(&member);
    let role = role_of(&member);
    let today = JalaliDate::today(now, ctx.tz);
    let period_arg = |arg: &Option<String>| -> Result<Period, String> {
        match arg {
            None => Ok(today.period()),
            Some(s) => {
                Period::parse(s).map_err(|_| t!(lang, "bad-period-short", period = s.clone()))
            }
        }
    };
    match command {
        Command::Start(_) => {}
        Command::Help => fx.replies.push(Reply::text(help(lang, Some(role)))),
        Command::Whoami => fx.replies.push(Reply::text(t!(
            lang,
            "whoami",
            name = member.display_name.clone(),
            unit = unit_name(ctx, member.unit_id).await?,
            role = role_name(lang, role),
            platform = ctx.platform.as_str(),
            lang = lang.code()
        ))),
        Command::Lang(arg) => match arg.as_deref().and_then(Lang::parse) {
            Some(new) => {
                tx.get()
                    .await?
                    .set_member_lang(member.member_id, new.code(), now.timestamp())
                    .await?;
                fx.replies.push(Reply::text(t!(new, "lang-set")));
            }
            None => fx.replies.push(Reply {
                buttons: vec![vec![
                    ("فارسی".into(), "lang:fa".into()),
                    ("English".into(), "lang:en".into()),
                ]],
                ..Reply::text(t!(lang, "lang-choose"))
            }),
        },
        Command::Tasks | Command::Report if !role.reports() => {
            fx.replies.push(Reply::text(t!(lang, "not-allowed")))
        }
        Command::Tasks => {
            let occurrences = own_occurrences(ctx, &member, today).await?;
            if occurrences.is_empty() {
                fx.replies.push(Reply::text(t!(lang, "tasks-none")));
            } else {
                let mut lines = vec![t!(
                    lang,
                    "tasks-title",
                    unit = unit_name(ctx, member.unit_id).await?
                )];
                let mut buttons = Vec::new();
                for o in &occurrences {
                    let period = Period::from_code(o.period as i32)
                        .map(|p| p.name(lang))
                        .unwrap_or_default();
                    let status = status_word(lang, o, now.timestamp());
                    lines.push(t!(
                        lang,
                        "tasks-line",
                        key = o.key.clone(),
                        title = o.title.clone(),
                        period = period,
                        status = status,
                        due = due_text(ctx, o, lang)
                    ));
                    if o.status == "open" {
                        buttons.push(vec![(
                            t!(lang, "button-report", key = o.key.clone()),
                            format!("rep:{}", o.occurrence_id),
                        )]);
                    }
                }
                fx.replies.push(Reply {
                    text: lines.join("\n"),
                    buttons,
                    reply_to: None,
                });
            }
        }
        Command::Report => {
            let open: Vec<_> = own_occurrences(ctx, &member, today)
                .await?
                .into_iter()
                .filter(|o| o.status == "open")
                .collect();
            match open.as_slice() {
                [] => fx.replies.push(Reply::text(t!(lang, "report-none-open"))),
                [only] => {
                    let state = serde_json::to_string(&State::AwaitingReport {
                        occurrence_id: only.occurrence_id,
                    })
                    .unwrap_or_default();
                    tx.get()
                        .await?
                        .set_member_state(member.member_id, Some(&state), now.timestamp())
                        .await?;
                    fx.replies.push(Reply::text(prompt(ctx, lang, only)));
                }
                many => fx.replies.push(Reply {
                    buttons: many
                        .iter()
                        .map(|o| {
                            vec![(
                                format!(
                                    "{} · {}",
                                    o.key,
                                    Period::from_code(o.period as i32)
                                        .map(|p| p.name(lang))
                                        .unwrap_or_default()
                                ),
                                format!("rep:{}", o.occurrence_id),
                            )]
                        })
                        .collect(),
                    ..Reply::text(t!(lang, "report-choose"))
                }),
            }
        }
        Command::Summary(_) | Command::Overdue | Command::Export(_) | Command::Chart(_)
            if !role.sees_summaries() =>
        {
            fx.replies.push(Reply::text(t!(lang, "not-allowed")))
        }
        Command::Summary(arg) => match period_arg(&arg) {
            Err(e) => fx.replies.push(Reply::text(e)),
            Ok(period) => {
                let cal = work_calendar(&ctx.store, &ctx.weekend).await?;
                let s = scoped(
                    ctx,
                    &member,
                    summary::build_cached(&ctx.summaries, &ctx.store, period, &cal, ctx.tz, now)
                        .await?
                        .as_ref(),
                )
                .await?;
                fx.replies.push(Reply::text(summary_text(&s, lang)));
            }
        },
        Command::Export(arg) => match period_arg(&arg) {
            Err(e) => fx.replies.push(Reply::text(e)),
            Ok(period) => {
                let cal = work_calendar(&ctx.store, &ctx.weekend).await?;
                let s = scoped(
                    ctx,
                    &member,
                    summary::build_cached(&ctx.summaries, &ctx.store, period, &cal, ctx.tz, now)
                        .await?
                        .as_ref(),
                )
                .await?;
                match summary_xlsx(&s, lang) {
                    Ok(bytes) => {
                        fx.document = Some((
                            format!("setad-{period}.xlsx"),
                            bytes,
                            t!(lang, "export-caption", period = period.name(lang)),
                        ))
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "building the workbook");
                        fx.replies.push(Reply::text(t!(lang, "error-internal")));
                    }
                }
            }
        },
        Command::Overdue => {
            let cal = work_calendar(&ctx.store, &ctx.weekend).await?;
            let mut lines = Vec::new();
            for period in [today.period().prev(), today.period()] {
                let s = scoped(
                    ctx,
                    &member,
                    summary::build_cached(&ctx.summaries, &ctx.store, period, &cal, ctx.tz, now)
                        .await?
                        .as_ref(),
                )
                .await?;
                for o in &s.obligations {
                    let missing: Vec<&str> = o
                        .lines
                        .iter()
                        .filter(|l| l.standing == crate::domain::summary::Standing::Missing)
                        .map(|l| l.name.as_str())
                        .collect();
                    if !missing.is_empty() {
                        lines.push(t!(
                            lang,
                            "overdue-line",
                            key = o.key.clone(),
                            title = o.title.clone(),
                            period = period.name(lang),
                            count = missing.len()
                        ));
                        lines.extend(missing.iter().map(|n| format!("• {n}")));
                    }
                }
            }
            if lines.is_empty() {
                fx.replies.push(Reply::text(t!(lang, "overdue-none")));
            } else {
                lines.insert(0, t!(lang, "overdue-title"));
                fx.replies.push(Reply::text(lines.join("\n")));
            }
        }
        Command::Chart(_) => fx.replies.push(Reply::text(t!(lang, "chart-later"))),
        Command::Unknown(_) => fx.replies.push(Reply::text(t!(lang, "unknown-command"))),
    }
    Ok(fx)
}

async fn on_callback(
    ctx: &Context,
    tx: &mut LazyTx<'_>,
    q: &CallbackQuery,
) -> Result<Effects, StoreError> {
    let mut fx = Effects::default();
    let id = q.id.0.clone();
    let member = ctx
        .store
        .member_by_user(ctx.platform.as_str(), q.from.id.0 as i64)
        .await?;
    let Some(member) = member else {
        fx.callback = Some((id, Some(t!(ctx.default_lang, "not-member"))));
        return Ok(fx);
    };
    let lang = member_lang(&member);
    let now = ctx.clock.now();
    let data = q.data.clone().unwrap_or_default();
    let mut parts = data.splitn(3, ':');
    let (kind, a, b) = (parts.next().unwrap_or(""), parts.next(), parts.next());
    match (kind, a.and_then(|a| a.parse::<i64>().ok()), b) {
        ("rep", Some(occurrence_id), None) => {
            match ctx.store.occurrence_info(occurrence_id).await? {
                Some(occ) if occ.unit_id == member.unit_id && role_of(&member).reports() => {
                    let state = serde_json::to_string(&State::AwaitingReport { occurrence_id })
                        .unwrap_or_default();
                    tx.get()
                        .await?
                        .set_member_state(member.member_id, Some(&state), now.timestamp())
                        .await?;
                    fx.replies.push(Reply::text(prompt(ctx, lang, &occ)));
                    fx.callback = Some((id, None));
                }
                _ => fx.callback = Some((id, Some(t!(lang, "report-not-yours")))),
            }
        }
        ("held", Some(report_id), Some(v @ ("0" | "1"))) => {
            let report = ctx.store.report(report_id).await?;
            let occ = match &report {
                Some(r) => ctx.store.occurrence_info(r.occurrence_id).await?,
                None => None,
            };
            match occ {
                Some(occ) if occ.unit_id == member.unit_id && role_of(&member).reports() => {
                    let held = v == "1";
                    tx.get()
                        .await?
                        .correct_held(report_id, member.member_id, held, now.timestamp())
                        .await?;
                    let word = if held {
                        t!(lang, "held-yes")
                    } else {
                        t!(lang, "held-no")
                    };
                    fx.callback =
                        Some((id, Some(t!(lang, "report-corrected", held = word.clone()))));
                    fx.replies
                        .push(Reply::text(t!(lang, "report-corrected", held = word)));
                }
                _ => fx.callback = Some((id, Some(t!(lang, "report-not-yours")))),
            }
        }
        ("lang", _, _) => {
            let new = a.and_then(Lang::parse).unwrap_or(lang);
            tx.get()
                .await?
                .set_member_lang(member.member_id, new.code(), now.timestamp())
                .await?;
            fx.callback = Some((id, Some(t!(new, "lang-set"))));
        }
        _ => fx.callback = Some((id, Some(t!(lang, "callback-stale")))),
    }
    Ok(fx)
}

/// What of a summary a member sees: staff the obligations their office follows up or is
/// reported to (all, if it follows none); fund managers and admins everything.
async fn scoped(
    ctx: &Context,
    member: &MemberRow,
    s: &crate::domain::summary::Summary,
) -> Result<crate::domain::summary::Summary, StoreError> {
    let mut s = s.clone();
    if role_of(member) == Role::Staff {
        let followed: std::collections::HashSet<String> = ctx
            .store
            .obligations()
            .await?
            .into_iter()
            .filter(|o| {
                o.follow_up_unit_id == member.unit_id || o.report_to_unit_id == member.unit_id
            })
            .map(|o| o.key)
            .collect();
        if !followed.is_empty() {
            s.obligations.retain(|o| followed.contains(&o.key));
        }
    }
    Ok(s)
}

async fn own_occurrences(
    ctx: &Context,
    member: &MemberRow,
    today: JalaliDate,
) -> Result<Vec<OccurrenceInfo>, StoreError> {
    let cal = work_calendar(&ctx.store, &ctx.weekend).await?;
    let now = ctx.clock.now();
    for period in [today.period().prev(), today.period()] {
        crate::service::occurrence::ensure_period(&ctx.store, period, &cal, ctx.tz, now).await?;
    }
    let from = i64::from(today.period().prev().code());
    let to = i64::from(today.period().code());
    ctx.store.unit_occurrences(member.unit_id, from, to).await
}

fn prompt(ctx: &Context, lang: Lang, occ: &OccurrenceInfo) -> String {
    let period = Period::from_code(occ.period as i32)
        .map(|p| p.name(lang))
        .unwrap_or_default();
    t!(
        lang,
        "report-prompt",
        key = occ.key.clone(),
        title = occ.title.clone(),
        period = period,
        due = due_text(ctx, occ, lang)
    )
}

fn due_text(ctx: &Context, occ: &OccurrenceInfo, lang: Lang) -> String {
    let last = chrono::DateTime::from_timestamp(occ.due_at - 1, 0).unwrap_or_default();
    JalaliDate::today(last, ctx.tz).format(lang.digits())
}

fn status_word(lang: Lang, o: &OccurrenceInfo, now: i64) -> String {
    match o.status.as_str() {
        "reported" => t!(lang, "standing-reported"),
        "late" => t!(lang, "standing-late"),
        _ if now >= o.due_at => t!(lang, "standing-missing"),
        _ => t!(lang, "standing-pending"),
    }
}

async fn unit_name(ctx: &Context, unit_id: i64) -> Result<String, StoreError> {
    Ok(ctx
        .store
        .unit(unit_id)
        .await?
        .map(|u| u.name)
        .unwrap_or_default())
}

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
