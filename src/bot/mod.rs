//! The conversation on Telegram and Bale: receiving updates (long polling or a webhook),
//! storing each before the messenger is told it arrived, and handling them from the store.
//!
//! teloxide's own polling acknowledges a batch before its handlers finish (a kill loses
//! updates), its Dispatcher fails at start on Bale's `getMe`, and it keeps a worker per chat
//! forever. So updates are fetched here as raw JSON (`getUpdates` through the teloxide `Bot`'s
//! HTTP client), stored in the `inbox` table, and only then acknowledged (the next offset, or
//! the webhook's 200). Handlers run on a fixed number of workers, each update of a chat on the
//! same worker (in order), and mark their update handled in the transaction of their effects.
//!
//! Layout: [`command`] parses commands, [`handle`] decides and writes, this module moves
//! updates. Platform differences stay in [`crate::platform`].

pub mod command;
pub mod handle;
pub mod webhook;

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::{Notify, mpsc, watch};

use crate::domain::Lang;
use crate::domain::member::Platform;
use crate::platform::{Delivery, call, complete_me};
use crate::store::{InboxRow, NewUpdate, Store, StoreError};
use crate::t;

pub use handle::Context;

/// How many workers handle updates at once.
pub const WORKERS: usize = 4;

/// The advisory lock key of the poller of a platform ("setad:poll" + the platform).
const POLL_LOCK: i64 = 0x5e7a_d700;

/// Asks the messenger who the bot is (`getMe`, completed for Bale).
pub async fn get_me(
    bot: &teloxide::Bot,
    platform: Platform,
) -> Result<teloxide::types::Me, String> {
    let mut me = call(bot, "getMe", &json!({}))
        .await
        .map_err(|d| format!("getMe: {d:?}"))?;
    if platform == Platform::Bale {
        complete_me(&mut me);
    }
    serde_json::from_value(me).map_err(|e| format!("getMe answered something unreadable: {e}"))
}

/// Sets the command menus in Persian and English. Bale may refuse: that is logged, not fatal.
pub async fn set_commands(bot: &teloxide::Bot, platform: Platform) {
    for lang in Lang::ALL {
        let commands: Vec<Value> = command::MENU
            .iter()
            .map(|(name, id)| json!({ "command": name, "description": describe(lang, id) }))
            .collect();
        let mut body = json!({ "commands": commands });
        if lang != Lang::Fa {
            body["language_code"] = json!(lang.code());
        }
        if let Err(e) = call(bot, "setMyCommands", &body).await {
            tracing::info!(%platform, lang = lang.code(), error = ?e, "setMyCommands was refused; the menu stays as it was");
        }
    }
}

fn describe(lang: Lang, id: &str) -> String {
    match id {
        "command-tasks" => t!(lang, "command-tasks"),
        "command-report" => t!(lang, "command-report"),
        "command-summary" => t!(lang, "command-summary"),
        "command-overdue" => t!(lang, "command-overdue"),
        "command-export" => t!(lang, "command-export"),
        "command-lang" => t!(lang, "command-lang"),
        "command-whoami" => t!(lang, "command-whoami"),
        "command-help" => t!(lang, "command-help"),
        _ => t!(lang, "command-start"),
    }
}

/// Stores raw updates and returns the next offset (the highest id + 1). Retries while the
/// database is unavailable: the updates are only acknowledged after they are stored.
pub async fn store_raw(
    store: &Store,
    platform: Platform,
    updates: &[Value],
    now_ms: i64,
) -> Result<Option<i64>, StoreError> {
    let rows: Vec<NewUpdate> = updates
        .iter()
        .filter_map(|u| {
            Some(NewUpdate {
                update_id: u["update_id"].as_i64()?,
                chat_id: handle::chat_of(u),
                payload: u.to_string(),
            })
        })
        .collect();
    if rows.len() < updates.len() {
        tracing::error!(%platform, "an update without an update_id was skipped: {updates:?}");
    }
    store
        .store_updates(platform.as_str(), &rows, now_ms)
        .await?;
    Ok(updates
        .iter()
        .filter_map(|u| u["update_id"].as_i64())
        .max()
        .map(|m| m + 1))
}

/// Long polling: fetches updates, stores them, acknowledges them with the next request's
/// offset, and wakes the handlers. Runs until `stop` turns true.
pub async fn poll(
    ctx: Context,
    poll_timeout: Duration,
    wake: Arc<Notify>,
    mut stop: watch::Receiver<bool>,
) {
    let platform = ctx.platform;
    // Only one process may poll a bot (the messenger answers 409 to a second): on PostgreSQL,
    // where several processes may share the database, the one holding the lock polls and the
    // others wait to take over.
    let _poller = loop {
        match ctx.store.try_hold_lock(POLL_LOCK + platform as i64).await {
            Ok(Some(lock)) => break lock,
            Ok(None) => tracing::debug!(%platform, "another process polls; waiting"),
            Err(e) => tracing::warn!(%platform, error = %e, "cannot take the polling lock"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(5)) => {}
            _ = stop.changed() => return,
        }
    };
    let mut offset = match ctx.store.last_update_id(platform.as_str()).await {
        Ok(Some(id)) => id + 1,
        _ => 0,
    };
    let mut delay = Duration::from_millis(200);
    // Another bot instance may have a webhook set: polling and webhooks exclude each other.
    let _ = call(&ctx.bot, "deleteWebhook", &json!({})).await;
    loop {
        if *stop.borrow() {
            break;
        }
        let body = json!({ "offset": offset, "timeout": poll_timeout.as_secs(), "allowed_updates": ["message", "edited_message", "callback_query"] });
        let fetched = tokio::select! {
            r = call(&ctx.bot, "getUpdates", &body) => r,
            _ = stop.changed() => break,
        };
        match fetched {
            Ok(Value::Array(updates)) => {
                delay = Duration::from_millis(200);
                if updates.is_empty() {
                    continue;
                }
                loop {
                    match store_raw(&ctx.store, platform, &updates, ctx.clock.now_ms()).await {
                        Ok(next) => {
                            if let Some(next) = next {
                                offset = offset.max(next);
                            }
                            break;
                        }
                        Err(e) => {
                            tracing::error!(error = %e, "could not store updates; not acknowledging them");
                            tokio::time::sleep(Duration::from_secs(1)).await;
                        }
                    }
                }
                wake.notify_one();
            }
            Ok(other) => {
                tracing::error!(%platform, answer = %other, "getUpdates answered something else than a list")
            }
            Err(Delivery::RateLimited(wait)) => tokio::time::sleep(wait).await,
            Err(e) => {
                tracing::warn!(%platform, error = ?e, retry_in = ?delay, "getUpdates failed");
                tokio::select! {
                    _ = tokio::time::sleep(delay) => {}
                    _ = stop.changed() => break,
                }
                delay = (delay * 2).min(Duration::from_secs(30));
            }
        }
    }
}

/// Handles stored updates: reads new inbox rows and hands each to the worker of its chat.
/// Runs until `stop` turns true, then lets the workers finish what they hold.
pub async fn process(ctx: Context, wake: Arc<Notify>, mut stop: watch::Receiver<bool>) {
    let mut senders = Vec::with_capacity(WORKERS);
    let mut workers = Vec::with_capacity(WORKERS);
    for _ in 0..WORKERS {
        let (tx, mut rx) = mpsc::channel::<InboxRow>(256);
        let ctx = ctx.clone();
        senders.push(tx);
        workers.push(tokio::spawn(async move {
            while let Some(row) = rx.recv().await {
                let mut delay = Duration::from_millis(100);
                for attempt in 1..=5 {
                    match handle::handle(&ctx, &row).await {
                        Ok(()) => break,
                        Err(e) => {
                            tracing::error!(error = %e, update_id = row.update_id, attempt, "handling failed");
                            tokio::time::sleep(delay).await;
                            delay *= 4;
                        }
                    }
                }
            }
        }));
    }
    let mut after = 0i64;
    loop {
        match ctx.store.unhandled(ctx.platform.as_str(), after, 512).await {
            Ok(rows) if !rows.is_empty() => {
                for row in rows {
                    after = after.max(row.inbox_id);
                    let worker =
                        row.chat_id.unwrap_or(row.update_id).unsigned_abs() as usize % WORKERS;
                    if senders[worker].send(row).await.is_err() {
                        return;
                    }
                }
                continue;
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "reading the inbox"),
        }
        if *stop.borrow() {
            break;
        }
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = stop.changed() => {}
        }
    }
    drop(senders);
    for w in workers {
        let _ = w.await;
    }
}

/// A counter of unreadable updates, shared by the handlers of a platform.
pub fn unreadable_counter() -> Arc<AtomicU64> {
    Arc::new(AtomicU64::new(0))
}
