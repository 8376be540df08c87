//! The running bot: for every configured platform the send queue, the update handlers and
//! either long polling or the webhook server; the scheduler; and, with `SETAD_METRICS_LISTEN`,
//! `/healthz` and `/metrics` ([`crate::ops`]). `setad run` and `setad demo` start and stop it
//! the same way.

use std::time::Duration;

use anyhow::Context as _;
use tokio::sync::{mpsc, watch};

use crate::clock::Clock;
use crate::config::Config;
use crate::domain::member::Platform;
use crate::ops::{Health, Ops, PlatformState};
use crate::platform::Refusals;
use crate::scheduler::Scheduler;
use crate::sender::{Sender, SenderConfig};
use crate::service::Services;
use crate::service::tick::TickConfig;
use crate::store::Store;

/// The running parts.
pub struct App {
    store: Store,
    senders: Vec<(Platform, Sender)>,
    scheduler: Scheduler,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    stop: watch::Sender<bool>,
    refused: mpsc::UnboundedReceiver<(Platform, String)>,
    refusals: Refusals,
    health: Health,
    ops: Option<Ops>,
}

impl App {
    /// Starts everything. Returns early (with an error) only for a configuration that cannot
    /// work: every platform's token refused. A messenger that cannot be reached yet is asked
    /// again until it answers or `stop` turns true; with long polling each platform starts on
    /// its own, so one that is away does not hold up the others.
    pub async fn start(
        config: &Config,
        store: Store,
        clock: Clock,
        mut stop: watch::Receiver<bool>,
    ) -> anyhow::Result<App> {
        // On SQLite this process is the only one on the file: claims left by a previous run
        // are its own. On PostgreSQL other processes may hold live claims; only lapsed ones
        // return (and the sender that takes over returns those of the one it replaces).
        let released = match store {
            Store::Sqlite(_) => store.release_all_claims().await?,
            Store::Postgres(_) => store.release_claims(None, clock.now_ms()).await?,
        };
        if released > 0 {
            tracing::warn!(
                released,
                "messages claimed by an earlier run go back to the queue"
            );
        }
        // Health and metrics first, so that `/healthz` answers (503) while the platforms start.
        let health = Health::starting(config.platforms.iter().map(|p| p.platform));
        let ops = match config.metrics_listen {
            Some(listen) => {
                let platforms = config.platforms.iter().map(|p| p.platform).collect();
                let ops = Ops::start(listen, store.clone(), health.clone(), platforms).await;
                Some(ops.with_context(|| format!("SETAD_METRICS_LISTEN={listen}"))?)
            }
            None => None,
        };
        let compose = crate::render::composer();
        let svc = Services::new(
            store.clone(),
            config.tz,
            config.weekend.clone(),
            compose.clone(),
        );
        let (refusals, mut refused) = mpsc::unbounded_channel();
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut tasks = Vec::new();
        let webhook = config.webhook_url.is_some();
        // With a webhook, one server serves every platform: each must be known first.
        let mut known = Vec::new();
        if webhook {
            let asked = config
                .platforms
                .iter()
                .map(|p| identify(p, config.poll_timeout, &health, stop.clone()));
            for (p, answer) in config
                .platforms
                .iter()
                .zip(futures_util::future::join_all(asked).await)
            {
                match answer {
                    Identified::Known(bot, username) => known.push((p, bot, username)),
                    Identified::Refused(why) => {
                        health.set(
                            p.platform,
                            PlatformState::Stopped(refusal(p.platform, &why)),
                        );
                        let _ = refusals.send((p.platform, why));
                    }
                    Identified::Stopped => anyhow::bail!("stopped before the messenger answered"),
                }
            }
            if known.is_empty() {
                return Err(none_left(&mut refused, config.platforms.len()));
            }
        }
        let mut senders = Vec::new();
        let mut webhook_contexts = Vec::new();
        for p in &config.platforms {
            if webhook && !known.iter().any(|(k, ..)| k.platform == p.platform) {
                continue;
            }
            let bot = crate::platform::bot(&p.token, &p.api_url, Duration::from_secs(10))?;
            let mut sender_config = SenderConfig::new(
                p.platform,
                p.rates.overall,
                p.rates.per_chat,
                compose.clone(),
            );
            sender_config.concurrency = config.send_concurrency;
            let sender = Sender::start(
                store.clone(),
                bot,
                sender_config,
                clock.clone(),
                refusals.clone(),
            );
            tracing::info!(platform = %p.platform, rate = p.rates.overall, "sending");
            let parts = Parts {
                svc: svc.clone(),
                config: p.clone(),
                default_lang: config.locale,
                clock: clock.clone(),
                outbox: sender.waker(),
                direct: sender.direct(),
                stop: stop_rx.clone(),
                health: health.clone(),
            };
            senders.push((p.platform, sender));
            match known.iter().find(|(k, ..)| k.platform == p.platform) {
                Some((_, bot, username)) => {
                    let (ctx, arrivals) = parts
                        .receive(bot.clone(), username.clone(), &mut tasks)
                        .await;
                    webhook_contexts.push((ctx, arrivals));
                }
                None => {
                    let poll_timeout = config.poll_timeout;
                    let refusals = refusals.clone();
                    tasks.push(tokio::spawn(parts.poll(poll_timeout, refusals)));
                }
            }
        }
        if let (Some(url), false) = (&config.webhook_url, webhook_contexts.is_empty()) {
            let listen = config
                .listen
                .unwrap_or_else(|| ([127, 0, 0, 1], 8443).into());
            let url = url.clone();
            let stop = stop_rx.clone();
            tasks.push(tokio::spawn(async move {
                if let Err(e) =
                    crate::bot::webhook::serve(webhook_contexts, &url, listen, stop).await
                {
                    tracing::error!(error = %e, "the webhook server stopped");
                }
            }));
        }
        let tick_config = TickConfig {
            tz: config.tz,
            weekend: config.weekend.clone(),
            compose,
        };
        let wakers = senders.iter().map(|(_, s)| s.waker()).collect();
        let scheduler = tokio::select! {
            s = Scheduler::start(store.clone(), tick_config, clock, wakers, config.tick_interval) => s?,
            _ = stop.changed() => anyhow::bail!("stopped while starting"),
        };
        tracing::info!(backend = store.backend(), "setad is running");
        Ok(App {
            store,
            senders,
            scheduler,
            tasks,
            stop: stop_tx,
            refused,
            refusals,
            health,
            ops,
        })
    }

    /// The platforms' states that `/healthz` reports.
    pub fn health(&self) -> &Health {
        &self.health
    }

    /// Where `/healthz` and `/metrics` are served, when they are.
    pub fn metrics_addr(&self) -> Option<std::net::SocketAddr> {
        self.ops.as_ref().map(Ops::addr)
    }

    /// Wakes the send queues (after something was enqueued from outside the app).
    pub fn wake_senders(&self) {
        self.senders.iter().for_each(|(_, s)| s.wake());
    }

    /// Resolves when the messenger has refused the token of every platform that was started
    /// (each refused platform's sender is stopped as it is refused; the others keep running),
    /// with what they answered. `setad run` then stops and exits with an error.
    pub async fn refused(&mut self) -> anyhow::Error {
        let mut stopped: Vec<(Platform, String)> = Vec::new();
        loop {
            let Some((platform, why)) = self.refused.recv().await else {
                return anyhow::anyhow!("the platforms' supervision ended");
            };
            if stopped.iter().any(|(p, _)| *p == platform) {
                continue;
            }
            tracing::error!(%platform, error = %why, "{}", refusal(platform, &why));
            self.health
                .set(platform, PlatformState::Stopped(refusal(platform, &why)));
            if let Some(i) = self.senders.iter().position(|(p, _)| *p == platform) {
                let (_, sender) = self.senders.swap_remove(i);
                if let Err(e) = sender.stop().await {
                    tracing::error!(error = %e, "stopping the refused platform's sender");
                }
            }
            stopped.push((platform, why));
            if self.senders.is_empty() {
                return refused_error(&stopped);
            }
        }
    }

    /// A handle that tells the app a platform's token was refused (as its parts do).
    pub fn refusals(&self) -> Refusals {
        self.refusals.clone()
    }

    /// Stops receiving, lets the handlers finish, stops the scheduler, lets the send queues
    /// finish what is in flight, and closes the database.
    pub async fn stop(self) -> anyhow::Result<()> {
        tracing::info!("stopping");
        for (platform, state) in self.health.states() {
            if !matches!(state, PlatformState::Stopped(_)) {
                let stopping = PlatformState::Stopped("the app is stopping".into());
                self.health.set(platform, stopping);
            }
        }
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
        self.scheduler.stop().await;
        for (_, sender) in self.senders {
            sender.stop().await?;
        }
        if let Some(ops) = self.ops {
            ops.stop().await;
        }
        self.store.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// What a refused token is said as: the platform, what the messenger answered, and which
/// variable to check.
fn refusal(platform: Platform, why: &str) -> String {
    format!(
        "{platform}: the messenger refused the token ({why}); this platform is stopped: check SETAD_{}_TOKEN",
        platform.as_str().to_ascii_uppercase()
    )
}

/// The error of a process whose every platform was refused.
fn refused_error(stopped: &[(Platform, String)]) -> anyhow::Error {
    let list: Vec<String> = stopped.iter().map(|(p, why)| refusal(*p, why)).collect();
    anyhow::anyhow!("no platform is left to serve: {}", list.join("; "))
}

/// The refusals already told, as the error of a start that has no platform left.
fn none_left(
    refused: &mut mpsc::UnboundedReceiver<(Platform, String)>,
    _n: usize,
) -> anyhow::Error {
    let mut stopped = Vec::new();
    while let Ok(r) = refused.try_recv() {
        stopped.push(r);
    }
    refused_error(&stopped)
}

/// What `getMe` said of a platform's token.
enum Identified {
    /// The bot and its username.
    Known(teloxide::Bot, String),
    /// The messenger refused the token.
    Refused(String),
    /// Told to stop before the messenger answered.
    Stopped,
}

/// Asks the messenger who the bot is until it answers (a messenger that is away is asked again,
/// 1 s doubling to 60 s, with jitter), or refuses the token, or `stop` turns true.
async fn identify(
    p: &crate::config::PlatformConfig,
    poll_timeout: Duration,
    health: &Health,
    mut stop: watch::Receiver<bool>,
) -> Identified {
    let bot =
        match crate::platform::bot(&p.token, &p.api_url, poll_timeout + Duration::from_secs(15)) {
            Ok(bot) => bot,
            Err(e) => return Identified::Refused(format!("cannot build a client: {e:#}")),
        };
    let mut attempts = 0;
    loop {
        match crate::bot::get_me(&bot, p.platform).await {
            Ok(me) => {
                tracing::info!(platform = %p.platform, username = %me.username(), "connected");
                health.set(p.platform, PlatformState::Running);
                return Identified::Known(bot, me.username().to_owned());
            }
            Err(crate::bot::MeError::Rejected(why)) => return Identified::Refused(why),
            Err(crate::bot::MeError::Unavailable(why)) => {
                let wait = crate::platform::backoff(
                    Duration::from_secs(1),
                    Duration::from_secs(60),
                    attempts,
                    rand::random::<f64>(),
                );
                attempts += 1;
                tracing::warn!(platform = %p.platform, error = %why, retry_in = ?wait, "cannot reach the messenger yet; asking again");
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = stop.changed() => return Identified::Stopped,
                }
            }
        }
    }
}

/// What a platform's receiving side is made of.
struct Parts {
    svc: Services,
    config: crate::config::PlatformConfig,
    default_lang: crate::domain::Lang,
    clock: Clock,
    outbox: std::sync::Arc<tokio::sync::Notify>,
    direct: crate::service::notify::Direct,
    stop: watch::Receiver<bool>,
    health: Health,
}

impl Parts {
    /// Sets the command menu and starts the handlers; returns their context and where updates
    /// are handed to them.
    async fn receive(
        self,
        bot: teloxide::Bot,
        username: String,
        tasks: &mut Vec<tokio::task::JoinHandle<()>>,
    ) -> (crate::bot::Context, crate::bot::Arrivals) {
        crate::bot::set_commands(&bot, self.config.platform).await;
        let ctx = crate::bot::Context {
            svc: self.svc,
            platform: self.config.platform,
            bot,
            username,
            default_lang: self.default_lang,
            clock: self.clock,
            outbox: self.outbox,
            direct: self.direct,
            unreadable: crate::bot::unreadable_counter(),
        };
        let (arrivals, arrived) = mpsc::unbounded_channel();
        tasks.push(tokio::spawn(crate::bot::process(
            ctx.clone(),
            arrived,
            self.stop,
        )));
        (ctx, arrivals)
    }

    /// Long polling of one platform: asks who the bot is, then receives until stopped or
    /// refused.
    async fn poll(self, poll_timeout: Duration, refusals: Refusals) {
        let platform = self.config.platform;
        let stop = self.stop.clone();
        let (bot, username) =
            match identify(&self.config, poll_timeout, &self.health, stop.clone()).await {
                Identified::Known(bot, username) => (bot, username),
                Identified::Refused(why) => {
                    let state = PlatformState::Stopped(refusal(platform, &why));
                    self.health.set(platform, state);
                    let _ = refusals.send((platform, why));
                    return;
                }
                Identified::Stopped => return,
            };
        let mut tasks = Vec::new();
        let (ctx, arrivals) = self.receive(bot, username, &mut tasks).await;
        crate::bot::poll(ctx, poll_timeout, arrivals, refusals, stop).await;
        for task in tasks {
            let _ = task.await;
        }
    }
}

/// The bot's username on `p`, for deep links: `SETAD_TELEGRAM_BOT` / `SETAD_BALE_BOT` when set,
/// else what the messenger answers to `getMe` (within a few seconds); `None` when neither is
/// known (no network, a bad token).
pub async fn bot_username(p: &crate::config::PlatformConfig) -> Option<String> {
    if let Some(u) = &p.username {
        return Some(u.clone());
    }
    let bot = crate::platform::bot(&p.token, &p.api_url, Duration::from_secs(5)).ok()?;
    match crate::bot::get_me(&bot, p.platform).await {
        Ok(me) => Some(me.username().to_owned()),
        Err(e) => {
            tracing::warn!(platform = %p.platform, error = %e, "getMe failed: the deep link has no bot name");
            None
        }
    }
}
