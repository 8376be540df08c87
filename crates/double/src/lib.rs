//! A Telegram/Bale Bot API test double: a small HTTP server on `127.0.0.1` (random port) that
//! answers the JSON teloxide expects, records everything, and is steered from Rust in the same
//! process. Integration tests, benchmarks and `setad demo` point the bot at [`Double::url`]
//! instead of `api.telegram.org` or `tapi.bale.ai`.
//!
//! It owns: the [`Double`] handle (start, inspect, control, shut down). It is its own crate so
//! that it cannot import the bot, the store or the services, which test against it.
//!
//! What it imitates:
//! - Methods `getMe`, `getUpdates` (offset, limit, long poll), `sendMessage`, `sendDocument`
//!   and `sendPhoto` (JSON or multipart), `editMessageText`, `editMessageCaption`,
//!   `editMessageReplyMarkup`, `forwardMessage`, `copyMessage`, `deleteMessage`,
//!   `answerCallbackQuery`, `sendChatAction`, `setMyCommands`/`deleteMyCommands`/
//!   `getMyCommands`, `setWebhook`/`deleteWebhook`/`getWebhookInfo`, at
//!   `/bot<digits>:<text>/<Method>` (method names in any case). Anything else is a recorded 404.
//! - Telegram's error texts, so teloxide maps them to its `ApiError` variants (blocked user,
//!   message to edit not found, message is not modified, text empty or too long…).
//! - The [`Flavour`]: Telegram's complete objects or Bale's thinner ones ([`Quirks`]).
//! - Rate limits (token buckets, global and per chat, answered 429 with `retry_after`) and
//!   seeded faults (502s, hangs, dropped connections) on the delivering methods: the send,
//!   edit, forward and copy methods.
//! - Simulated people ([`User`], [`Group`]) whose messages, replies, edits and button presses
//!   become updates, served by `getUpdates` or posted to the webhook.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use setad_double::{Double, DoubleConfig};
//! use std::time::Duration;
//!
//! let double = Double::start(DoubleConfig::default()).await?;
//! // teloxide::Bot::new("123:abc").set_api_url(double.url().parse().unwrap())
//! let ali = double.user(1001, "Ali");
//! double.send_text(&ali, "/start");
//! let answered = double
//!     .wait_for(|v| v.messages_to(ali.chat_id()).next().is_some(), Duration::from_secs(5))
//!     .await;
//! # let _ = answered;
//! double.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! A send or edit goes through, in order: validation (400), the blocked check (403), one
//! draw from the seeded generator (a 502 is answered at once), the rate limits (429), then
//! delivery, possibly hung or dropped. A request that passes the limits takes its tokens even
//! if a hang or a drop then loses it.
//!
//! Throughput: a release build answers about 25,000 `sendMessage`/s to 8 concurrent teloxide
//! clients on a 2-core machine, both ends in the same process, everything recorded (the
//! ignored `throughput` test in `tests/double.rs`).

mod config;
mod inject;
mod limits;
mod methods;
mod objects;
mod params;
mod record;
mod server;
mod state;
mod webhook;

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::serve::ListenerExt;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio::time::Instant;

pub use config::{DoubleConfig, Flavour, Quirks};
pub use inject::{Group, User};
pub use record::{
    Call, DoubleView, Outcome, ReplyField, ReplyTo, Sent, SentFile, SentKind, Stats, WebhookAttempt,
};
pub use webhook::SECRET_HEADER;

use config::share;
use server::Shared;
use state::State;

/// How long [`Double::shutdown`] waits for the server to finish before aborting it.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// A running Bot API double. Dropping it stops the server too (without waiting);
/// [`Double::shutdown`] stops it and waits. Wrap it in an `Arc` to share it between tasks.
pub struct Double {
    shared: Arc<Shared>,
    addr: SocketAddr,
    tasks: Vec<JoinHandle<()>>,
}

impl Double {
    /// Starts the double on a free loopback port.
    ///
    /// # Errors
    /// When the port cannot be bound or the webhook HTTP client cannot be built.
    pub async fn start(config: DoubleConfig) -> io::Result<Double> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let client = reqwest::Client::builder()
            .timeout(config.webhook_timeout)
            .no_proxy()
            .build()
            .map_err(io::Error::other)?;
        let shared = Arc::new(Shared::new(State::new(&config), config.max_body_bytes));
        let app = Router::new()
            .fallback(server::entry)
            .with_state(Arc::clone(&shared))
            .layer(DefaultBodyLimit::max(config.max_body_bytes));
        let listener = listener.tap_io(|tcp| {
            // Small answers must not wait for Nagle; failing to set it only costs latency.
            let _ = tcp.set_nodelay(true);
        });
        let stop = Arc::clone(&shared);
        let server = tokio::spawn(async move {
            // Serving only ends by shutdown; an I/O error here has nobody to report to.
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move { stop.stopping().await })
                .await;
        });
        let worker = tokio::spawn(webhook::run(Arc::clone(&shared), client));
        Ok(Double {
            shared,
            addr,
            tasks: vec![server, worker],
        })
    }

    /// The base URL, `http://127.0.0.1:PORT`: what teloxide's `Bot::set_api_url` takes.
    #[must_use]
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address the double listens on.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops the server, ending long polls and hangs at once, and waits for it (at most a few
    /// seconds).
    pub async fn shutdown(mut self) {
        self.shared.shutdown.send_replace(true);
        for task in self.tasks.drain(..) {
            let abort = task.abort_handle();
            if tokio::time::timeout(SHUTDOWN_GRACE, task).await.is_err() {
                abort.abort();
            }
        }
    }

    // ---- control ----

    /// Marks a chat as having blocked the bot (or, for a group, removed it): sends, edits and
    /// chat actions to it are answered 403 until unblocked.
    pub fn set_blocked(&self, chat_id: i64, blocked: bool) {
        self.with_state(|state| state.chat_mut(chat_id).blocked = blocked);
    }

    /// Replaces the rate limits (requests per second; `None` or a non-positive value: no
    /// limit). Every bucket starts full.
    pub fn set_limits(&self, global: Option<f64>, per_chat: Option<f64>) {
        self.with_state(|state| state.set_limits(global, per_chat));
    }

    /// Replaces the fault shares (each clamped to `0.0..=1.0`).
    pub fn set_faults(&self, server_error_rate: f64, hang_rate: f64, drop_rate: f64) {
        self.with_state(|state| {
            state.faults.server_error_rate = share(server_error_rate);
            state.faults.hang_rate = share(hang_rate);
            state.faults.drop_rate = share(drop_rate);
        });
    }

    /// Replaces how long hung requests hang and whether they still deliver.
    pub fn set_hang(&self, hang_for: Duration, hang_delivers: bool) {
        self.with_state(|state| {
            state.faults.hang_for = hang_for;
            state.faults.hang_delivers = hang_delivers;
        });
    }

    /// Replaces whether dropped requests still deliver.
    pub fn set_drop_delivers(&self, drop_delivers: bool) {
        self.with_state(|state| state.faults.drop_delivers = drop_delivers);
    }

    /// Takes the messenger away (`true`: every request's connection breaks, nothing is
    /// delivered, updates stay queued) or brings it back.
    pub fn set_outage(&self, away: bool) {
        self.with_state(|state| state.outage = away);
    }

    /// Refuses the bot's token (`true`: every request is answered `401 Unauthorized`, as the
    /// Bot API answers a revoked token) or accepts it again.
    pub fn set_token_rejected(&self, rejected: bool) {
        self.with_state(|state| state.token_rejected = rejected);
    }

    /// Makes `getUpdates` answer `result` instead of the queued updates (a malformed answer:
    /// an object, items without `update_id`), or with `None` answer normally again.
    pub fn set_updates_answer(&self, result: Option<Value>) {
        self.with_state(|state| state.updates_answer = result);
    }

    /// Forgets the recorded calls, messages and webhook attempts (counters, chats and
    /// updates stay), e.g. between the phases of a benchmark.
    pub fn clear_records(&self) {
        self.with_state(|state| {
            state.calls.clear();
            state.sent.clear();
            state.webhook_attempts.clear();
        });
    }

    // ---- inspection ----

    /// Runs `f` on a view of the records, without copying them.
    pub fn view<R>(&self, f: impl FnOnce(&DoubleView<'_>) -> R) -> R {
        let state = self.shared.lock();
        f(&DoubleView { state: &state })
    }

    /// Time since the double started, on the clock of the records' `at` (to compare an
    /// injection with the answer it got).
    pub fn elapsed(&self) -> Duration {
        self.view(|v| v.elapsed())
    }

    /// Every request so far, in arrival order.
    #[must_use]
    pub fn calls(&self) -> Vec<Call> {
        self.view(|v| v.calls().to_vec())
    }

    /// Every delivered message (sends, edits, forwards, copies), in order.
    #[must_use]
    pub fn messages(&self) -> Vec<Sent> {
        self.view(|v| v.messages().to_vec())
    }

    /// The messages delivered to one chat, in order.
    #[must_use]
    pub fn messages_to(&self, chat_id: i64) -> Vec<Sent> {
        self.view(|v| v.messages_to(chat_id).cloned().collect())
    }

    /// The counters.
    #[must_use]
    pub fn stats(&self) -> Stats {
        self.view(|v| v.stats())
    }

    /// Every webhook post attempt, in order.
    #[must_use]
    pub fn webhook_attempts(&self) -> Vec<WebhookAttempt> {
        self.view(|v| v.webhook_attempts().to_vec())
    }

    /// Updates not yet confirmed by `getUpdates` (or acknowledged by the webhook).
    #[must_use]
    pub fn pending_updates(&self) -> usize {
        self.view(|v| v.pending_updates())
    }

    /// The JSON of the pending updates, oldest first, exactly as they will be served.
    #[must_use]
    pub fn queued_updates(&self) -> Vec<Value> {
        self.view(|v| v.queued_updates().cloned().collect())
    }

    /// The highest `offset` a `getUpdates` call has confirmed (0 before any).
    #[must_use]
    pub fn confirmed_offset(&self) -> i64 {
        self.view(|v| v.confirmed_offset())
    }

    /// Waits until `pred` holds, re-checking after every recorded call, injected update and
    /// webhook attempt (no polling). Returns `false` if `timeout` passed first.
    ///
    /// `pred` runs with the double's lock held: it must only read the view.
    pub async fn wait_for(
        &self,
        pred: impl Fn(&DoubleView<'_>) -> bool,
        timeout: Duration,
    ) -> bool {
        // A year is as good as forever here, and cannot overflow an `Instant`.
        let deadline = Instant::now() + timeout.min(Duration::from_secs(365 * 24 * 3600));
        loop {
            let mut notified = pin!(self.shared.changed.notified());
            notified.as_mut().enable();
            if self.view(&pred) {
                return true;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.view(&pred);
            }
        }
    }

    // ---- helpers for the other modules ----

    /// Changes the state and wakes whoever waits on it.
    pub(crate) fn with_state<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        self.shared.update(f)
    }
}

impl Drop for Double {
    fn drop(&mut self) {
        self.shared.shutdown.send_replace(true);
    }
}

impl std::fmt::Debug for Double {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Double")
            .field("url", &self.url())
            .finish_non_exhaustive()
    }
}
