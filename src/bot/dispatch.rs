//! Handling stored updates: read each (completing Bale's JSON first), hand it to its handler,
//! and mark it handled in the unit of work of its effects, with the answers it queues (claimed
//! for the send worker, given to it after the commit). A redelivered or replayed update is
//! therefore handled once; an update that cannot be read is logged with its raw JSON, counted,
//! and marked failed. Every update handled counts in the metrics: how long it waited in the
//! inbox, and how long its unit of work took ([`crate::ops`]).

use std::collections::HashSet;
use std::sync::atomic::Ordering;

use serde_json::Value;
use teloxide::types::{Message, Update, UpdateKind};

use crate::domain::error::Chain;
use crate::domain::member::Platform;
use crate::platform::{Delivery, answer_callback, complete_update, send_document};
use crate::service::membership::{self, Lookup};
use crate::service::notify::Answer;
use crate::service::{InboxRow, StoreError, Work, inbox};

use super::Context;
use super::command::parse;
use super::handlers::{Effects, lookup, on_callback, on_message};

/// How many updates share one transaction at most.
pub const BATCH: usize = 64;

/// The chat id an update concerns, read from its raw JSON (for storing it; the answers to the
/// update go there). For a button press, the chat of the presser: the group its message is
/// in, or else the presser's own private chat, never the private chat of someone else whose
/// message it claims to be on.
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
    let press = &update["callback_query"];
    let chat = &press["message"]["chat"];
    match chat["id"].as_i64() {
        Some(group) if chat["type"].as_str().is_some_and(|t| t != "private") => Some(group),
        _ => press["from"]["id"].as_i64(),
    }
}

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
    let mut chats = HashSet::new();
    for row in rows {
        let update = match read(ctx.platform, &row.payload) {
            Ok(update) => update,
            Err(reason) => {
                flush(ctx, &mut run, &mut chats, &mut given_up).await;
                if let Err(e) = unreadable(ctx, &row, &reason).await {
                    tracing::error!(error = %Chain(&e), update_id = row.update_id, "could not mark an update unreadable");
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
        _ => true,
    }
}

/// Handles the collected run: together, or one by one when that fails.
async fn flush(
    ctx: &Context,
    run: &mut Vec<(InboxRow, Update)>,
    chats: &mut HashSet<Option<i64>>,
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
            Err(e) => tracing::warn!(error = %Chain(&e), "handling a run failed; one by one"),
        }
    }
    for one in run.drain(..) {
        let one = [one];
        let mut delay = std::time::Duration::from_millis(100);
        let mut attempt = 1;
        loop {
            match handle_run(ctx, &one).await {
                Ok(_) => break,
                // A stored value that does not decode will not decode on a retry either: the
                // update is marked failed with the reason (and logged), not retried forever.
                Err(e @ StoreError::Corrupt { .. }) => {
                    let reason = format!("corrupt data: {e}");
                    if let Err(e) = unreadable(ctx, &one[0].0, &reason).await {
                        tracing::error!(error = %Chain(&e), "could not mark an update failed");
                        given_up.push(one[0].0.inbox_id);
                    }
                    break;
                }
                Err(e) if attempt < 5 => {
                    tracing::error!(error = %Chain(&e), update_id = one[0].0.update_id, attempt, "handling failed");
                    tokio::time::sleep(delay).await;
                    delay *= 4;
                    attempt += 1;
                }
                Err(e) => {
                    tracing::error!(error = %Chain(&e), update_id = one[0].0.update_id, "handling failed; giving up for now");
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
    inbox::unreadable(&ctx.svc.store, row, reason, ctx.clock.now_ms()).await
}

/// Handles updates in one unit of work that also marks them handled. Returns false (and writes
/// nothing) when one of them was handled elsewhere meanwhile. Database errors are returned
/// (the updates stay `new`); everything else is answered or logged.
async fn handle_run(ctx: &Context, run: &[(InboxRow, Update)]) -> Result<bool, StoreError> {
    let started = std::time::Instant::now();
    let now_ms = ctx.clock.now_ms();
    let mut work = Work::new(&ctx.svc.store);
    let mut handled: Vec<(i64, Effects)> = Vec::with_capacity(run.len());
    // Who sent the run's messages, read together before anything is written.
    let lookups: Vec<Lookup> = run
        .iter()
        .filter_map(|(_, update)| match &update.kind {
            UpdateKind::Message(m) | UpdateKind::EditedMessage(m) if m.chat.is_private() => {
                lookup(m)
            }
            _ => None,
        })
        .collect();
    let known = membership::identify_all(&ctx.svc, ctx.platform, &lookups).await?;
    let known_of = |m: &Message| lookup(m).and_then(|l| known.get(&l).cloned());
    for (row, update) in run {
        let effects = match &update.kind {
            UpdateKind::Message(m) if m.chat.is_private() => {
                on_message(ctx, &mut work, m, false, known_of(m)).await?
            }
            UpdateKind::EditedMessage(m) if m.chat.is_private() => {
                on_message(ctx, &mut work, m, true, known_of(m)).await?
            }
            UpdateKind::CallbackQuery(q) => on_callback(ctx, &mut work, q).await?,
            _ => Effects::default(), // groups, channels, other kinds: nothing to do
        };
        handled.push((row.chat_id.unwrap_or_default(), effects));
    }
    let finishing: Vec<(&InboxRow, &[Answer])> = run
        .iter()
        .zip(&handled)
        .map(|((row, _), (_, effects))| (row, effects.answers.as_slice()))
        .collect();
    let finished = inbox::finish_run(&mut work, &ctx.direct, ctx.platform, &finishing, now_ms);
    let Some(claimed) = finished.await? else {
        // One was handled elsewhere meanwhile: drop what this unit of work did.
        return Ok(false);
    };
    if work.commit().await? {
        ctx.outbox.notify_one();
    }
    for (row, _) in run {
        crate::ops::record_inbox_lag(ctx.platform, row.received_at, now_ms);
        crate::ops::record_handled(ctx.platform, started.elapsed());
    }
    // After the commit: the answers to the send worker; answering a button press and sending
    // a document, at most once.
    ctx.direct.give(claimed);
    for (chat, effects) in handled {
        if let Some((id, text)) = effects.callback {
            let _ = answer_callback(&ctx.bot, &id, text.as_deref()).await;
        }
        if let Some((name, bytes, caption)) = effects.document {
            let result = send_document(&ctx.bot, ctx.platform, chat, &name, bytes, &caption).await;
            if !matches!(result, Delivery::Sent(_)) {
                tracing::warn!(?result, "sending an export failed");
            }
        }
    }
    Ok(true)
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::chat_of;

    #[test]
    fn a_press_concerns_the_chat_of_the_presser() {
        let press = |chat: serde_json::Value| {
            json!({"update_id": 1, "callback_query": {"id": "q", "from": {"id": 5001},
                   "message": {"message_id": 9, "chat": chat}, "data": "x"}})
        };
        for (name, update, chat) in [
            (
                "a message",
                json!({"message": {"chat": {"id": 7, "type": "private"}}}),
                Some(7),
            ),
            (
                "own private chat",
                press(json!({"id": 5001, "type": "private"})),
                Some(5001),
            ),
            (
                "another's private chat",
                press(json!({"id": 5002, "type": "private"})),
                Some(5001),
            ),
            ("a chat of no type", press(json!({"id": 5002})), Some(5001)),
            (
                "a group",
                press(json!({"id": -100, "type": "group"})),
                Some(-100),
            ),
            (
                "no message",
                json!({"callback_query": {"id": "q", "from": {"id": 5001}}}),
                Some(5001),
            ),
            ("nothing", json!({"poll": {}}), None),
        ] {
            assert_eq!(chat_of(&update), chat, "{name}");
        }
    }
}
