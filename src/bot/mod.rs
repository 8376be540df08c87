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
//! The bot is an adapter: it reads an update, calls a service, and says the outcome. It holds
//! no SQL and no business rule, and reaches the store only through [`crate::service`].
//!
//! Layout: [`command`] parses commands; [`dispatch`] reads stored updates and runs their
//! handlers in units of work; [`handlers`] reads messages and button presses, [`commands`] has
//! one function per command, [`text`] words their outcomes; [`webhook`] receives updates by
//! HTTP; this module polls. Platform differences stay in [`crate::platform`].

pub mod command;
mod commands;
mod confirm;
pub mod dispatch;
mod handlers;
mod text;
pub mod webhook;

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::{Notify, mpsc, watch};

use crate::clock::Clock;
use crate::domain::Lang;
use crate::domain::member::Platform;
use crate::platform::{Delivery, Refusals, call, complete_me};
use crate::service::inbox::{self, Arrival};
use crate::service::notify::Direct;
use crate::service::{InboxRow, Services, StoreError};
use crate::t;

pub use text::{help, role_name};

/// Everything a handler needs.
#[derive(Clone)]
pub struct Context {
    /// The use cases.
    pub svc: Services,
    /// The platform served.
    pub platform: Platform,
    /// The teloxide bot of the platform.
    pub bot: teloxide::Bot,
    /// The bot's username (commands addressed to another bot are ignored).
    pub username: String,
    /// The language of people not yet known.
    pub default_lang: Lang,
    /// The clock.
    pub clock: Clock,
    /// Wakes the send queue after messages are queued.
    pub outbox: Arc<Notify>,
    /// Takes the answers, claimed for it in the handler's unit of work.
    pub direct: Direct,
    /// Updates that could not be read.
    pub unreadable: Arc<AtomicU64>,
}

/// How many workers handle updates at once.
pub const WORKERS: usize = 4;

/// Why `getMe` did not say who the bot is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MeError {
    /// The messenger refuses the token (401, or 404: there is no bot with this token).
    #[error("the messenger refused the token ({0})")]
    Rejected(String),
    /// The messenger could not be asked, or answered something unreadable: ask again later.
    #[error("getMe: {0}")]
    Unavailable(String),
}

/// Asks the messenger who the bot is (`getMe`, completed for Bale).
pub async fn get_me(
    bot: &teloxide::Bot,
    platform: Platform,
) -> Result<teloxide::types::Me, MeError> {
    let mut me = call(bot, "getMe", &json!({})).await.map_err(refused)?;
    if platform == Platform::Bale {
        complete_me(&mut me);
    }
    serde_json::from_value(me)
        .map_err(|e| MeError::Unavailable(format!("an unreadable answer: {e}")))
}

/// The error of a failed `getMe` or `getUpdates`: on methods every bot has, a 401 or a 404
/// means the token is refused.
fn refused(d: Delivery) -> MeError {
    match d {
        Delivery::Rejected(e) => MeError::Rejected(e),
        failed if crate::platform::rejects_token(&failed) => MeError::Rejected(failed.to_string()),
        other => MeError::Unavailable(other.to_string()),
    }
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

/// Stored updates handed straight to the handlers, so that they need not read them back
/// (the handlers also read the inbox at start and whenever they are idle, for what was
/// stored but not handed over: after a restart, or by another process's webhook).
pub type Arrivals = mpsc::UnboundedSender<Vec<InboxRow>>;

/// Stores raw updates; returns the next offset (the highest id + 1) and the rows that were
/// new. The updates are only acknowledged after they are stored.
pub async fn store_raw(
    svc: &Services,
    platform: Platform,
    updates: &[Value],
    now_ms: i64,
) -> Result<(Option<i64>, Vec<InboxRow>), StoreError> {
    let rows: Vec<Arrival> = updates
        .iter()
        .filter_map(|u| {
            Some(Arrival {
                update_id: u["update_id"].as_i64()?,
                chat_id: dispatch::chat_of(u),
                payload: u.to_string(),
            })
        })
        .collect();
    if rows.len() < updates.len() {
        tracing::error!(%platform, "an update without an update_id was skipped: {updates:?}");
    }
    let stored = inbox::store(&svc.store, platform, &rows, now_ms).await?;
    let next = rows.iter().map(|u| u.update_id).max().map(|m| m + 1);
    Ok((next, stored))
}

/// Long polling: fetches updates, stores them, acknowledges them with the next request's
/// offset, and hands them to the handlers. Runs until `stop` turns true, or until the
/// messenger refuses the token (told to `refusals`).
///
/// Every way a fetch can go wrong waits before the next one, longer each time in a row (with
/// jitter, up to 30 s): no error, and no answer that is not a list of updates, can make it spin.
pub async fn poll(
    ctx: Context,
    poll_timeout: Duration,
    arrivals: Arrivals,
    refusals: Refusals,
    mut stop: watch::Receiver<bool>,
) {
    let platform = ctx.platform;
    // Only one process may poll a bot (the messenger answers 409 to a second): on PostgreSQL,
    // where several processes may share the database, the one holding the lock polls and the
    // others wait to take over.
    let _poller = loop {
        match inbox::poll_lock(&ctx.svc.store, platform).await {
            Ok(Some(lock)) => break lock,
            Ok(None) => tracing::debug!(%platform, "another process polls; waiting"),
            Err(e) => tracing::warn!(%platform, error = %e, "cannot take the polling lock"),
        }
        tokio::select! {
            _ = tokio::time::sleep(jittered(Duration::from_secs(2))) => {}
            _ = stop.changed() => return,
        }
    };
    let mut offset = match inbox::last_update_id(&ctx.svc.store, platform).await {
        Ok(Some(id)) => id + 1,
        _ => 0,
    };
    let mut failures = Failures::default();
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
        let wait = match fetched {
            Ok(Value::Array(updates)) if updates.is_empty() => {
                failures.clear();
                continue;
            }
            Ok(Value::Array(updates)) => match store_updates(&ctx, &updates, &arrivals).await {
                Ok(Some(next)) => {
                    offset = offset.max(next);
                    failures.clear();
                    continue;
                }
                Ok(None) => {
                    tracing::error!(%platform, answer = %truncated(&updates), "getUpdates answered updates without an update_id");
                    failures.next()
                }
                Err(e) => {
                    tracing::error!(%platform, error = %e, "could not store updates; not acknowledging them");
                    failures.next()
                }
            },
            Ok(other) => {
                tracing::error!(%platform, answer = %truncated(&other), "getUpdates answered something else than a list");
                failures.next()
            }
            Err(Delivery::RateLimited(wait)) => wait,
            Err(e) => match refused(e) {
                MeError::Rejected(why) => {
                    tracing::error!(%platform, error = %why, "the messenger refused the token; this platform stops");
                    let _ = refusals.send((platform, why));
                    break;
                }
                MeError::Unavailable(why) => {
                    let wait = failures.next();
                    tracing::warn!(%platform, error = %why, retry_in = ?wait, "getUpdates failed");
                    wait
                }
            },
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.changed() => break,
        }
    }
}

/// Stores a fetched batch and hands what was new to the handlers. Returns the next offset, or
/// `None` when no update of the batch had an `update_id` (nothing can be acknowledged).
async fn store_updates(
    ctx: &Context,
    updates: &[Value],
    arrivals: &Arrivals,
) -> Result<Option<i64>, StoreError> {
    let (next, stored) = store_raw(&ctx.svc, ctx.platform, updates, ctx.clock.now_ms()).await?;
    if !stored.is_empty() {
        let _ = arrivals.send(stored);
    }
    Ok(next)
}

/// The start of a JSON value, for a log line.
fn truncated(value: &impl serde::Serialize) -> String {
    let text = serde_json::to_string(value).unwrap_or_default();
    text.chars().take(300).collect()
}

/// Failures in a row, and the wait before the next try: 200 ms doubling to 30 s, with jitter.
#[derive(Default)]
struct Failures(u32);

impl Failures {
    fn next(&mut self) -> Duration {
        let wait = crate::platform::backoff(
            Duration::from_millis(200),
            Duration::from_secs(30),
            i64::from(self.0),
            rand::random::<f64>(),
        );
        self.0 = self.0.saturating_add(1);
        wait
    }

    fn clear(&mut self) {
        self.0 = 0;
    }
}

/// `base` times a jitter in [0.5, 1.5).
fn jittered(base: Duration) -> Duration {
    base.mul_f64(0.5 + rand::random::<f64>())
}

/// Handles stored updates: takes them as they arrive (and reads the inbox at start, every
/// second for what was stored but not handed over, and wholly every minute for what was given
/// up on), and hands each to the worker of its chat, so that a chat's updates are handled in
/// order. A worker handles what has gathered in its queue together (see
/// [`dispatch::handle_all`]). Runs until `stop` turns true, then lets the workers finish.
pub async fn process(
    ctx: Context,
    mut arrivals: mpsc::UnboundedReceiver<Vec<InboxRow>>,
    mut stop: watch::Receiver<bool>,
) {
    let (given_up_tx, mut given_up) = mpsc::unbounded_channel::<Vec<i64>>();
    let mut senders = Vec::with_capacity(WORKERS);
    let mut workers = Vec::with_capacity(WORKERS);
    for _ in 0..WORKERS {
        let (tx, mut rx) = mpsc::channel::<InboxRow>(4 * dispatch::BATCH);
        let ctx = ctx.clone();
        let given_up_tx = given_up_tx.clone();
        senders.push(tx);
        workers.push(tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut rows = vec![first];
                while rows.len() < dispatch::BATCH {
                    match rx.try_recv() {
                        Ok(row) => rows.push(row),
                        Err(_) => break,
                    }
                }
                let failed = dispatch::handle_all(&ctx, rows).await;
                if !failed.is_empty() {
                    let _ = given_up_tx.send(failed);
                }
            }
        }));
    }
    let mut seen = Seen::default();
    let mut after = 0i64;
    let mut scan = true;
    let mut every_second = tokio::time::interval(Duration::from_secs(1));
    every_second.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut ticks = 0u64;
    'run: loop {
        while scan {
            match inbox::unhandled(&ctx.svc.store, ctx.platform, after, 512).await {
                Ok(rows) => {
                    scan = rows.len() == 512;
                    for row in rows {
                        after = after.max(row.inbox_id);
                        if !dispatch(&senders, &mut seen, row).await {
                            break 'run;
                        }
                    }
                }
                Err(e) => {
                    tracing::error!(error = %crate::domain::error::Chain(&e), "reading the inbox");
                    scan = false;
                }
            }
        }
        if *stop.borrow() {
            break;
        }
        tokio::select! {
            Some(rows) = arrivals.recv() => {
                for row in rows {
                    after = after.max(row.inbox_id);
                    if !dispatch(&senders, &mut seen, row).await {
                        break 'run;
                    }
                }
            }
            Some(ids) = given_up.recv() => ids.iter().for_each(|id| seen.forget(*id)),
            _ = every_second.tick() => {
                ticks += 1;
                if ticks.is_multiple_of(60) {
                    after = 0;
                }
                scan = true;
            }
            changed = stop.changed() => {
                if changed.is_err() {
                    break; // the app is gone without saying stop
                }
            }
        }
    }
    drop(senders);
    for w in workers {
        let _ = w.await;
    }
}

/// Hands a row to the worker of its chat, unless it was handed over recently. Returns false
/// when the workers are gone.
async fn dispatch(senders: &[mpsc::Sender<InboxRow>], seen: &mut Seen, row: InboxRow) -> bool {
    if !seen.insert(row.inbox_id) {
        return true;
    }
    let worker = row.chat_id.unwrap_or(row.update_id).unsigned_abs() as usize % senders.len();
    senders[worker].send(row).await.is_ok()
}

/// The inbox ids handed to the workers lately (the newest 65,536): an update that arrives
/// both by hand-over and by a read of the inbox is handled once.
#[derive(Default)]
struct Seen {
    ids: std::collections::HashSet<i64>,
    order: std::collections::VecDeque<i64>,
}

impl Seen {
    const CAPACITY: usize = 65_536;

    fn insert(&mut self, id: i64) -> bool {
        if !self.ids.insert(id) {
            return false;
        }
        self.order.push_back(id);
        if self.order.len() > Self::CAPACITY
            && let Some(old) = self.order.pop_front()
        {
            self.ids.remove(&old);
        }
        true
    }

    /// Lets an id be handed over again (its handling was given up on, for now).
    fn forget(&mut self, id: i64) {
        self.ids.remove(&id);
    }
}

/// A counter of unreadable updates, shared by the handlers of a platform.
pub fn unreadable_counter() -> Arc<AtomicU64> {
    Arc::new(AtomicU64::new(0))
}
