//! The send queue's worker: claims due messages from the outbox, sends them through teloxide
//! at a paced global rate and a per-chat rate, and records what happened.
//!
//! - **Pacing.** A [`Governor`] hands out send slots; a chat gets its next message no sooner
//!   than its interval after the last one. Sends run concurrently (up to `concurrency` in
//!   flight), because teloxide sleeps 10 s inside every request answered 5xx: a slow send holds
//!   one slot, never the queue.
//! - **Outcomes.** 429: the message waits its `retry_after`, the whole queue pauses as long,
//!   and the governor lowers the rate (and adapts back up). 5xx and network errors: retried
//!   with exponential backoff and jitter, up to `max_attempts`. 403: the member is marked
//!   unreachable and the fund managers and admins are alerted; the message fails. An answer
//!   teloxide cannot read but that says `"ok":true` was delivered, and is not sent again.
//! - **Durability.** Outcomes are written in small batches. A claim is a lease: a worker that
//!   dies leaves its claims to lapse and be taken again. A send whose answer was lost to a crash
//!   is sent again on restart (the Bot API has no idempotency key): at least once, never lost.

pub mod governor;

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use rand::{Rng, SeedableRng};
use teloxide::Bot;
use tokio::sync::{Notify, Semaphore, mpsc, watch};
use tokio::time::Instant;

use crate::clock::Clock;
use crate::domain::member::Platform;
use crate::domain::notice::Compose;
use crate::platform::Outgoing;
use crate::platform::{Delivery, send};
use crate::service::alerts;
use crate::service::notify::Direct;
use crate::store::{Claimed, Outcome, Payload, Store, StoreError};

pub use governor::Governor;

/// How the worker of one platform sends.
#[derive(Debug, Clone)]
pub struct SenderConfig {
    /// The platform.
    pub platform: Platform,
    /// Messages per second over all chats (`f64::INFINITY`: no limit).
    pub rate: f64,
    /// Messages per second to one chat.
    pub chat_rate: f64,
    /// Lower the rate on 429s and climb back (for limits that are not known).
    pub adaptive: bool,
    /// Sends in flight at once.
    pub concurrency: usize,
    /// How long a claim holds.
    pub lease: Duration,
    /// Attempts before a message is given up (429s do not count).
    pub max_attempts: i64,
    /// First retry delay; doubles each attempt, with jitter.
    pub backoff: Duration,
    /// Longest retry delay.
    pub max_backoff: Duration,
    /// How often an idle worker looks for new messages.
    pub poll: Duration,
    /// The wording of the alerts the worker raises (a member it can no longer reach).
    pub compose: Arc<dyn Compose>,
}

impl SenderConfig {
    /// Defaults for `platform` at the given rates.
    pub fn new(
        platform: Platform,
        rate: f64,
        chat_rate: f64,
        compose: Arc<dyn Compose>,
    ) -> SenderConfig {
        SenderConfig {
            platform,
            rate,
            chat_rate,
            adaptive: true,
            concurrency: 32,
            lease: Duration::from_secs(600),
            max_attempts: 12,
            backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(15 * 60),
            poll: Duration::from_millis(500),
            compose,
        }
    }
}

/// The delay before attempt `attempts + 1`: `base · 2^attempts`, capped, times a jitter in
/// [0.5, 1.5).
pub fn backoff(base: Duration, max: Duration, attempts: i64, jitter: f64) -> Duration {
    let exp = base.as_secs_f64() * 2f64.powi(attempts.clamp(0, 30) as i32);
    Duration::from_secs_f64(exp.min(max.as_secs_f64()) * (0.5 + jitter.clamp(0.0, 1.0)))
}

/// A finished send, back at the dispatcher.
struct Done {
    row: Claimed,
    result: Delivery,
}

/// A running worker.
pub struct Sender {
    wake: Arc<Notify>,
    direct: Direct,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<Result<(), StoreError>>,
}

impl Sender {
    /// Starts the worker of `config.platform`.
    pub fn start(store: Store, bot: Bot, config: SenderConfig, clock: Clock) -> Sender {
        let wake = Arc::new(Notify::new());
        let (stop, stopped) = watch::channel(false);
        let worker = format!(
            "{}-{}-{:08x}",
            config.platform,
            std::process::id(),
            rand::rng().random::<u32>()
        );
        let (direct, direct_rx) = Direct::new(worker.clone(), config.lease);
        let task = tokio::spawn(run(
            store,
            bot,
            config,
            clock,
            worker,
            (wake.clone(), direct_rx),
            stopped,
        ));
        Sender {
            wake,
            direct,
            stop,
            task,
        }
    }

    /// A handle that gives this worker messages claimed for it.
    pub fn direct(&self) -> Direct {
        self.direct.clone()
    }

    /// Tells the worker that messages were enqueued (it also polls).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// A handle that wakes the worker.
    pub fn waker(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// Stops claiming, waits for the sends in flight, records them, and returns unsent claims.
    pub async fn stop(self) -> Result<(), StoreError> {
        let _ = self.stop.send(true);
        self.wake.notify_one();
        match self.task.await {
            Ok(r) => r,
            Err(e) => {
                tracing::error!(error = %e, "the send worker panicked");
                Ok(())
            }
        }
    }
}

#[tracing::instrument(skip_all, fields(platform = %config.platform, worker = %worker))]
async fn run(
    store: Store,
    bot: Bot,
    config: SenderConfig,
    clock: Clock,
    worker: String,
    (wake, mut direct): (Arc<Notify>, mpsc::UnboundedReceiver<Claimed>),
    mut stopped: watch::Receiver<bool>,
) -> Result<(), StoreError> {
    let platform = config.platform;
    let start = Instant::now();
    let secs = |t: Instant| t.duration_since(start).as_secs_f64();
    let mut governor = Governor::new(config.rate, config.adaptive);
    let chat_interval = Duration::from_secs_f64(1.05 / config.chat_rate.max(0.001));
    let capacity = if config.rate.is_finite() {
        (config.rate * 4.0).clamp(16.0, 1024.0) as usize
    } else {
        1024
    };
    let permits = Arc::new(Semaphore::new(config.concurrency.max(1)));
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Done>();
    let (record_tx, record_rx) = mpsc::unbounded_channel::<(Outcome, Option<(i64, String)>)>();
    let recorder = tokio::spawn(record(
        store.clone(),
        record_rx,
        clock.clone(),
        platform,
        config.compose.clone(),
    ));

    let mut buffer: VecDeque<Claimed> = VecDeque::new();
    // How many messages at the front of `buffer` were handed over directly.
    let mut urgent = 0usize;
    let mut busy: HashSet<i64> = HashSet::new();
    let mut next_for_chat: HashMap<i64, Instant> = HashMap::new();
    let mut in_flight = 0usize;
    let mut sent = 0u64;
    let mut last_claim_empty: Option<Instant> = None;
    let mut last_renew = Instant::now();
    let mut rng = rand::rngs::StdRng::from_rng(&mut rand::rng());

    loop {
        let stopping = *stopped.borrow();
        // Results first: they free chats and tell the governor.
        while let Ok(done) = done_rx.try_recv() {
            in_flight -= 1;
            sent += u64::from(matches!(done.result, Delivery::Sent(_)));
            handle(
                &done,
                &mut governor,
                &mut next_for_chat,
                &config,
                secs(Instant::now()),
                &record_tx,
                &clock,
                &mut rng,
            );
            busy.remove(&done.row.chat_id);
        }
        if stopping {
            break;
        }
        // Replies handed over go first, in the order they came.
        while let Ok(row) = direct.try_recv() {
            buffer.insert(urgent, row);
            urgent += 1;
        }
        // Refill.
        let now = Instant::now();
        let may_claim = last_claim_empty.is_none_or(|t| now.duration_since(t) >= config.poll);
        // The database may be away for a while: the worker waits for it, it does not stop
        // (replies handed over are claimed for it).
        if buffer.len() < capacity / 2 && may_claim {
            let claimed = store
                .claim(
                    platform,
                    &worker,
                    clock.now_ms(),
                    config.lease.as_millis() as i64,
                    (capacity - buffer.len()) as i64,
                )
                .await;
            match claimed {
                Ok(rows) => {
                    last_claim_empty = rows.is_empty().then_some(now);
                    buffer.extend(rows);
                }
                Err(e) => {
                    tracing::error!(error = %e, "could not claim messages; trying again");
                    last_claim_empty = Some(now);
                }
            }
        }
        if now.duration_since(last_renew) >= config.lease / 3 {
            // Renew this worker's claims, and return to the queue those of workers that died
            // (another process on PostgreSQL, or this one's before a restart).
            let renewed = store
                .renew_claims(&worker, clock.now_ms() + config.lease.as_millis() as i64)
                .await;
            let released = store.release_claims(None, clock.now_ms()).await;
            match (renewed, released) {
                (Ok(_), Ok(n)) if n > 0 => {
                    tracing::warn!(
                        released = n,
                        "claims of a worker that died went back to the queue"
                    );
                }
                (Ok(_), Ok(_)) => {}
                (Err(e), _) | (_, Err(e)) => {
                    // A lease is three renewals long: the next one is in time.
                    tracing::error!(error = %e, "could not renew claims; trying at the next turn");
                }
            }
            last_renew = now;
        }
        // The first message whose chat is free.
        let now = Instant::now();
        let ready = buffer.iter().position(|r| {
            !busy.contains(&r.chat_id) && next_for_chat.get(&r.chat_id).is_none_or(|t| *t <= now)
        });
        let Some(index) = ready else {
            let soonest = buffer
                .iter()
                .filter(|r| !busy.contains(&r.chat_id))
                .filter_map(|r| next_for_chat.get(&r.chat_id))
                .min()
                .copied();
            let idle_until = soonest.unwrap_or(now + config.poll).min(now + config.poll);
            tokio::select! {
                Some(done) = done_rx.recv() => {
                    in_flight -= 1;
                    sent += u64::from(matches!(done.result, Delivery::Sent(_)));
                    handle(&done, &mut governor, &mut next_for_chat, &config, secs(Instant::now()), &record_tx, &clock, &mut rng);
                    busy.remove(&done.row.chat_id);
                }
                _ = wake.notified() => { last_claim_empty = None; }
                Some(row) = direct.recv() => {
                    buffer.insert(urgent, row);
                    urgent += 1;
                }
                _ = tokio::time::sleep_until(idle_until) => {}
                _ = stopped.changed() => {}
            }
            continue;
        };
        // A permit first: a send in flight frees its permit by itself, so this never waits on
        // this loop. Then the slot: once taken it is used, or the pacing would lose it.
        let permit = tokio::select! {
            p = permits.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
            _ = stopped.changed() => continue,
        };
        let slot = governor.reserve(secs(Instant::now()));
        let slot_at = start + Duration::from_secs_f64(slot);
        if slot_at > Instant::now() {
            tokio::select! {
                _ = tokio::time::sleep_until(slot_at) => {}
                _ = stopped.changed() => continue,
            }
        }
        let Some(row) = buffer.remove(index) else {
            continue;
        };
        if index < urgent {
            urgent -= 1;
        }
        busy.insert(row.chat_id);
        next_for_chat.insert(row.chat_id, Instant::now() + chat_interval);
        in_flight += 1;
        let bot = bot.clone();
        let done_tx = done_tx.clone();
        tokio::spawn(async move {
            let result = send(&bot, platform, &outgoing(&row)).await;
            drop(permit);
            let _ = done_tx.send(Done { row, result });
        });
        if next_for_chat.len() > 100_000 {
            let now = Instant::now();
            next_for_chat.retain(|_, t| *t > now);
        }
    }

    // Stopping: wait for what is in flight (bounded), record it, return unsent claims.
    let deadline = Instant::now() + Duration::from_secs(20);
    while in_flight > 0 {
        match tokio::time::timeout_at(deadline, done_rx.recv()).await {
            Ok(Some(done)) => {
                in_flight -= 1;
                sent += u64::from(matches!(done.result, Delivery::Sent(_)));
                handle(
                    &done,
                    &mut governor,
                    &mut next_for_chat,
                    &config,
                    secs(Instant::now()),
                    &record_tx,
                    &clock,
                    &mut rng,
                );
            }
            _ => break,
        }
    }
    drop(record_tx);
    match recorder.await {
        Ok(r) => r?,
        Err(e) => tracing::error!(error = %e, "the recorder panicked"),
    }
    let released = store.release_claims(Some(&worker), clock.now_ms()).await?;
    tracing::info!(
        sent,
        released,
        rate = governor.rate(),
        "send worker stopped"
    );
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn handle(
    done: &Done,
    governor: &mut Governor,
    next_for_chat: &mut HashMap<i64, Instant>,
    config: &SenderConfig,
    now_s: f64,
    record_tx: &mpsc::UnboundedSender<(Outcome, Option<(i64, String)>)>,
    clock: &Clock,
    rng: &mut impl Rng,
) {
    let id = done.row.outbox_id;
    let now_ms = clock.now_ms();
    let (outcome, unreachable) = match &done.result {
        Delivery::Sent(message_id) => {
            governor.on_success(now_s);
            (
                Outcome::Sent {
                    outbox_id: id,
                    message_id: *message_id,
                    sent_at: now_ms,
                },
                None,
            )
        }
        Delivery::RateLimited(wait) => {
            governor.on_rate_limited(now_s, wait.as_secs_f64());
            next_for_chat.insert(done.row.chat_id, Instant::now() + *wait);
            tracing::debug!(chat = done.row.chat_id, wait = ?wait, rate = governor.rate(), "429");
            let not_before = now_ms + wait.as_millis() as i64;
            (
                Outcome::Retry {
                    outbox_id: id,
                    not_before,
                    error: "429".into(),
                    counts: false,
                },
                None,
            )
        }
        Delivery::Transient(e) if done.row.attempts + 1 < config.max_attempts => {
            let delay = backoff(
                config.backoff,
                config.max_backoff,
                done.row.attempts,
                rng.random::<f64>(),
            );
            tracing::warn!(outbox_id = id, error = %e, retry_in = ?delay, "send failed, will retry");
            (
                Outcome::Retry {
                    outbox_id: id,
                    not_before: now_ms + delay.as_millis() as i64,
                    error: e.clone(),
                    counts: true,
                },
                None,
            )
        }
        Delivery::Transient(e) | Delivery::Failed(e) => {
            tracing::error!(outbox_id = id, error = %e, "send failed for good");
            (
                Outcome::Failed {
                    outbox_id: id,
                    error: e.clone(),
                },
                None,
            )
        }
        Delivery::Unreachable(e) => {
            tracing::warn!(outbox_id = id, chat = done.row.chat_id, error = %e, "chat unreachable");
            (
                Outcome::Failed {
                    outbox_id: id,
                    error: e.clone(),
                },
                Some((done.row.chat_id, e.clone())),
            )
        }
    };
    let _ = record_tx.send((outcome, unreachable));
}

/// Writes outcomes in batches (what has arrived, up to 256), and turns 403s into
/// unreachable members and alerts.
async fn record(
    store: Store,
    mut rx: mpsc::UnboundedReceiver<(Outcome, Option<(i64, String)>)>,
    clock: Clock,
    platform: Platform,
    compose: Arc<dyn Compose>,
) -> Result<(), StoreError> {
    let mut batch = Vec::with_capacity(256);
    let mut unreachable = Vec::new();
    loop {
        let Some(first) = rx.recv().await else { break };
        batch.push(first.0);
        unreachable.extend(first.1);
        // Whatever else is already waiting joins the batch; nothing waits for company, so an
        // outcome is on disk as soon as the database allows (a crash re-sends only what was
        // in flight or in this batch).
        while batch.len() < 256 {
            match rx.try_recv() {
                Ok((o, u)) => {
                    batch.push(o);
                    unreachable.extend(u);
                }
                Err(_) => break,
            }
        }
        write(&store, &mut batch, &clock).await;
        for (chat_id, error) in unreachable.drain(..) {
            match alerts::unreachable(&store, compose.as_ref(), platform, chat_id, clock.now())
                .await
            {
                Ok(0) => {}
                Ok(n) => tracing::warn!(members = n, chat_id, %error, "marked unreachable"),
                Err(e) => tracing::error!(error = %e, "could not record an unreachable member"),
            }
        }
    }
    Ok(())
}

/// Writes a batch, retrying while the database is unavailable: an outcome is never dropped
/// while the process lives (if it dies, the claim lapses and the message is sent again).
async fn write(store: &Store, batch: &mut Vec<Outcome>, clock: &Clock) {
    let mut delay = Duration::from_millis(50);
    loop {
        match store.record(batch, clock.now().timestamp()).await {
            Ok(()) => {
                batch.clear();
                return;
            }
            Err(e) => {
                tracing::error!(error = %e, "could not record send outcomes; retrying");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(5));
            }
        }
    }
}

/// The message to send for a claimed row.
fn outgoing(row: &Claimed) -> Outgoing {
    let payload: Payload = row
        .payload
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok())
        .unwrap_or_default();
    Outgoing {
        chat_id: row.chat_id,
        text: row.body.clone(),
        reply_to: payload.reply_to,
        buttons: payload.buttons,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_a_cap() {
        let base = Duration::from_secs(2);
        let max = Duration::from_secs(60);
        assert_eq!(backoff(base, max, 0, 0.5), Duration::from_secs(2));
        assert_eq!(backoff(base, max, 3, 0.5), Duration::from_secs(16));
        assert_eq!(backoff(base, max, 10, 0.5), Duration::from_secs(60));
        assert_eq!(backoff(base, max, 1, 0.0), Duration::from_secs(2));
        assert_eq!(backoff(base, max, 1, 1.0), Duration::from_secs(6));
        assert_eq!(backoff(base, max, 400, 0.5), Duration::from_secs(60));
    }
}
