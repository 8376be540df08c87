//! The send queue's worker: claims due messages from the outbox, sends them through teloxide
//! at a paced global rate and a per-chat rate, and records what happened.
//!
//! - **One sender per bot.** Processes that share a PostgreSQL database each run a worker per
//!   platform, but only the one holding the platform's sending lock sends; the others stand by
//!   and take over within seconds when it dies (its session ends, and with it the lock). So the
//!   bot's rate is one budget however many processes run, with no 429s to find it. On SQLite
//!   the one process always holds it.
//! - **Pacing.** A [`Governor`] hands out send slots; a chat gets its next message no sooner
//!   than its interval after the last one. Sends run concurrently (up to `concurrency` in
//!   flight), because teloxide sleeps 10 s inside every request answered 5xx: a slow send holds
//!   one slot, never the queue.
//! - **Outcomes.** 429: the message waits its `retry_after`, the whole queue pauses as long,
//!   and the governor lowers the rate (and adapts back up). 5xx and network errors: retried
//!   with exponential backoff and jitter. 403: the member is marked unreachable and the fund
//!   managers and admins are alerted; the message fails. 401: the token is refused; the
//!   platform stops. An answer teloxide cannot read but that says `"ok":true` was delivered,
//!   and is not sent again.
//! - **Outages.** A few failures in a row mean the messenger is away: the worker stops
//!   sending, returns its claims, and asks `getMe` now and then (jittered backoff, at most
//!   every 10 s). When it answers, everything that waited is due at once, so it goes within
//!   seconds, within the limits, not at each message's own backoff.
//! - **Useful or given up.** A message is never given up while it is useful, and always after
//!   ([`crate::domain::notice::useful_until`]: a reminder until its due time, anything else for
//!   a day), whatever delayed it. What is given up is counted, and the admins are told.
//! - **Durability.** Outcomes are written in small batches. A claim is a lease: a worker that
//!   dies leaves its claims to lapse and be taken again. A send whose answer was lost to a crash
//!   is sent again on restart (the Bot API has no idempotency key): at least once, never lost.

pub mod governor;
mod outcome;
mod record;
mod standby;
mod window;

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use rand::{Rng, SeedableRng};
use serde_json::json;
use teloxide::Bot;
use tokio::sync::{Notify, Semaphore, mpsc, watch};
use tokio::time::Instant;

use crate::clock::Clock;
use crate::domain::member::Platform;
use crate::domain::notice::Compose;
use crate::ops::{self, SendOutcome};
use crate::platform::{Delivery, Outgoing, Refusals, call, send};
use crate::service::alerts;
use crate::service::notify::Direct;
use crate::store::{Claimed, GivenUp, Outcome, Payload, Store, StoreError};

pub use crate::platform::backoff;
pub use governor::Governor;

use outcome::*;
use record::*;
use standby::run;
use window::Window;

/// The advisory lock of a platform's one sender (PostgreSQL; see the module's documentation).
const SEND_LOCK: i64 = 0x5e7a_d800;

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
    /// First retry delay of a message; doubles each attempt, with jitter.
    pub backoff: Duration,
    /// Longest retry delay of a message.
    pub max_backoff: Duration,
    /// How often an idle worker looks for new messages.
    pub poll: Duration,
    /// Failed sends in a row (network errors, 5xx) that mean the messenger is away.
    pub outage_after: u32,
    /// First wait before asking an absent messenger again; doubles, with jitter.
    pub probe: Duration,
    /// Longest wait between two questions to an absent messenger.
    pub max_probe: Duration,
    /// How often waiting messages that are no longer useful are given up.
    pub sweep: Duration,
    /// How often a standing-by worker tries to become the platform's sender.
    pub standby: Duration,
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
            backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(15 * 60),
            poll: Duration::from_millis(500),
            outage_after: 3,
            probe: Duration::from_secs(1),
            max_probe: Duration::from_secs(10),
            sweep: Duration::from_secs(5),
            standby: Duration::from_secs(1),
            compose,
        }
    }
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
    /// Starts the worker of `config.platform`. A refused token is told to `refusals`, and the
    /// worker stops.
    pub fn start(
        store: Store,
        bot: Bot,
        config: SenderConfig,
        clock: Clock,
        refusals: Refusals,
    ) -> Sender {
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
            Worker {
                store,
                bot,
                config,
                clock,
                worker,
                direct: direct.clone(),
                refusals,
            },
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

    /// A handle that gives this worker messages claimed for it (while it is the platform's
    /// sender; otherwise the handle's writers queue them for whichever process sends).
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

    /// Whether the worker has stopped by itself (its platform's token was refused).
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
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

/// What a worker works with.
struct Worker {
    store: Store,
    bot: Bot,
    config: SenderConfig,
    clock: Clock,
    worker: String,
    direct: Direct,
    refusals: Refusals,
}

/// Why a turn as the platform's sender ended.
enum Turn {
    /// Told to stop.
    Stopped,
    /// The messenger refused the token.
    Refused,
    /// The sending lock was lost (its connection broke): stand by again.
    LockLost,
}

/// The messenger is away since `since`; ask it again at `next`.
struct Outage {
    since: Instant,
    next: Instant,
    asked: i64,
}

/// One turn as the platform's sender: until stopped, refused, or the lock is lost. Returns
/// why it ended and how many messages it delivered.
async fn serve(
    w: &Worker,
    mut lock: crate::store::HeldLock,
    (wake, direct): (&Arc<Notify>, &mut mpsc::UnboundedReceiver<Claimed>),
    record_tx: &mpsc::UnboundedSender<(Outcome, Option<(i64, String)>)>,
    stopped: &mut watch::Receiver<bool>,
) -> (Turn, u64) {
    let (store, config, clock, worker) = (&w.store, &w.config, &w.clock, w.worker.as_str());
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
    let window = Arc::new(Window::new(config.rate));

    let mut buffer: VecDeque<Claimed> = VecDeque::new();
    // How many messages at the front of `buffer` were handed over directly.
    let mut urgent = 0usize;
    let mut busy: HashSet<i64> = HashSet::new();
    let mut next_for_chat: HashMap<i64, Instant> = HashMap::new();
    let mut in_flight = 0usize;
    let mut sent = 0u64;
    let mut last_claim_empty: Option<Instant> = None;
    let mut last_renew = Instant::now();
    let mut last_sweep: Option<Instant> = None;
    let mut rng = rand::rngs::StdRng::from_rng(&mut rand::rng());
    // Failed sends in a row, and the outage they mean.
    let mut failing = 0u32;
    let mut outage: Option<Outage> = None;
    // Outages ended since the last delivered message: a messenger that answers `getMe` but
    // fails every send is asked less and less often.
    let mut relapses = 0i64;
    // Given up when about to be sent, told with the next sweep's.
    let mut given_at_send = GivenUp::default();
    let mut turn = Turn::Stopped;

    loop {
        let stopping = *stopped.borrow();
        // Results first: they free chats and tell the governor.
        while let Ok(done) = done_rx.try_recv() {
            in_flight -= 1;
            sent += u64::from(matches!(done.result, Delivery::Sent(_)));
            let health = handle(
                &done,
                &mut governor,
                &mut next_for_chat,
                config,
                secs(Instant::now()),
                record_tx,
                clock,
                &mut rng,
            );
            note(health, &mut failing, &mut relapses);
            busy.remove(&done.row.chat_id);
        }
        if stopping {
            break;
        }
        if failing == u32::MAX {
            turn = Turn::Refused;
            break;
        }
        // Replies handed over go first, in the order they came.
        while let Ok(row) = direct.try_recv() {
            buffer.insert(urgent, row);
            urgent += 1;
        }
        let now = Instant::now();
        // A few failures in a row: the messenger is away. Hold nothing while it is.
        if outage.is_none() && failing >= config.outage_after {
            tracing::warn!(
                failures = failing,
                "the messenger does not answer; messages wait in the queue until it does"
            );
            let wait = backoff(
                config.probe,
                config.max_probe,
                relapses,
                rng.random::<f64>(),
            );
            outage = Some(Outage {
                since: now,
                next: now + wait,
                asked: relapses,
            });
        }
        if let Some(o) = &mut outage {
            for row in buffer.drain(..) {
                let _ = record_tx.send((put_back(&row, clock.now_ms()), None));
            }
            urgent = 0;
            if now >= o.next {
                match ask(&w.bot, platform).await {
                    Ok(()) => {
                        let waited = o.since.elapsed();
                        let due = store.send_delayed_now(platform, clock.now_ms()).await.unwrap_or_else(|e| {
                            tracing::error!(error = %e, "could not make the waiting messages due");
                            0
                        });
                        tracing::info!(after = ?waited, due, "the messenger answers again; what waited is sent now");
                        outage = None;
                        failing = 0;
                        relapses += 1;
                        last_claim_empty = None;
                        continue;
                    }
                    Err(e) if crate::platform::rejects_token(&e) => {
                        tracing::error!(error = %e, "the messenger refused the token; this platform stops");
                        turn = Turn::Refused;
                        break;
                    }
                    Err(e) => {
                        o.asked += 1;
                        let wait =
                            backoff(config.probe, config.max_probe, o.asked, rng.random::<f64>());
                        tracing::debug!(error = %e, retry_in = ?wait, "the messenger is still away");
                        o.next = Instant::now() + wait;
                    }
                }
            }
        }
        // Refill (not while the messenger is away).
        let may_claim = outage.is_none()
            && last_claim_empty.is_none_or(|t| now.duration_since(t) >= config.poll);
        // The database may be away for a while: the worker waits for it, it does not stop
        // (replies handed over are claimed for it).
        if buffer.len() < capacity / 2 && may_claim {
            let claimed = store
                .claim(
                    platform,
                    worker,
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
        if last_sweep.is_none_or(|t| now.duration_since(t) >= config.sweep) {
            last_sweep = Some(now);
            sweep(w, std::mem::take(&mut given_at_send)).await;
        }
        if now.duration_since(last_renew) >= config.lease / 3 {
            if !lock.alive().await {
                turn = Turn::LockLost;
                break;
            }
            // Renew this worker's claims, and return to the queue those that lapsed.
            let renewed = store
                .renew_claims(worker, clock.now_ms() + config.lease.as_millis() as i64)
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
            let mut idle_until = soonest.unwrap_or(now + config.poll).min(now + config.poll);
            if let Some(o) = &outage {
                idle_until = o.next.max(now);
            }
            tokio::select! {
                Some(done) = done_rx.recv() => {
                    in_flight -= 1;
                    sent += u64::from(matches!(done.result, Delivery::Sent(_)));
                    let health = handle(&done, &mut governor, &mut next_for_chat, config, secs(Instant::now()), record_tx, clock, &mut rng);
                    note(health, &mut failing, &mut relapses);
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
        governor.started(secs(Instant::now()));
        if index < urgent {
            urgent -= 1;
        }
        if row.expires_at.is_some_and(|at| clock.now_ms() >= at) {
            // Waited too long in the buffer: no longer useful.
            let _ = record_tx.send((
                Outcome::GivenUp {
                    outbox_id: row.outbox_id,
                },
                None,
            ));
            add_given(&mut given_at_send, row.kind);
            continue;
        }
        busy.insert(row.chat_id);
        next_for_chat.insert(row.chat_id, Instant::now() + chat_interval);
        in_flight += 1;
        let bot = w.bot.clone();
        let done_tx = done_tx.clone();
        let window = window.clone();
        tokio::spawn(async move {
            // The last check, as the request leaves: the slot was given on time, but the task
            // may run late behind the worker's own work.
            window.admit().await;
            let result = send(&bot, platform, &outgoing(&row)).await;
            drop(permit);
            let _ = done_tx.send(Done { row, result });
        });
        if next_for_chat.len() > 100_000 {
            let now = Instant::now();
            next_for_chat.retain(|_, t| *t > now);
        }
    }

    // Ending the turn: wait for what is in flight (bounded), record it, return unsent claims.
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
                    config,
                    secs(Instant::now()),
                    record_tx,
                    clock,
                    &mut rng,
                );
            }
            _ => break,
        }
    }
    for row in buffer.drain(..) {
        let _ = record_tx.send((put_back(&row, clock.now_ms()), None));
    }
    while let Ok(row) = direct.try_recv() {
        let _ = record_tx.send((put_back(&row, clock.now_ms()), None));
    }
    tracing::info!(sent, rate = governor.rate(), "sending turn ended");
    (turn, sent)
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
