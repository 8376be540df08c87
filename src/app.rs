//! The running bot: for every configured platform the send queue, the update handlers and
//! either long polling or the webhook server; the scheduler; and, with `SETAD_METRICS_LISTEN`,
//! `/healthz` and `/metrics` ([`crate::ops`]). `setad run` and `setad demo` start and stop it
//! the same way.

use std::time::Duration;

use anyhow::Context as _;

use tokio::sync::watch;

use crate::clock::Clock;
use crate::config::Config;
use crate::ops::{Health, Ops, PlatformState};
use crate::scheduler::Scheduler;
use crate::sender::{Sender, SenderConfig};
use crate::service::Services;
use crate::service::tick::TickConfig;
use crate::store::Store;

/// The running parts.
pub struct App {
    store: Store,
    senders: Vec<Sender>,
    scheduler: Scheduler,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    stop: watch::Sender<bool>,
    health: Health,
    ops: Option<Ops>,
}

impl App {
    /// Starts everything. Returns early (with an error) only for a configuration that cannot
    /// work; a messenger that cannot be reached yet is retried until `stop` turns true.
    pub async fn start(
        config: &Config,
        store: Store,
        clock: Clock,
        mut stop: watch::Receiver<bool>,
    ) -> anyhow::Result<App> {
        // On SQLite this process is the only one on the file: claims left by a previous run
        // are its own. On PostgreSQL other processes may hold live claims; only lapsed ones
        // return.
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
        let mut senders = Vec::new();
        for p in &config.platforms {
            let bot = crate::platform::bot(&p.token, &p.api_url, Duration::from_secs(10))?;
            let mut sender_config = SenderConfig::new(
                p.platform,
                p.rates.overall,
                p.rates.per_chat,
                compose.clone(),
            );
            sender_config.concurrency = config.send_concurrency;
            senders.push(Sender::start(
                store.clone(),
                bot,
                sender_config,
                clock.clone(),
            ));
            tracing::info!(platform = %p.platform, rate = p.rates.overall, "sending");
        }
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut tasks = Vec::new();
        let mut webhook_contexts = Vec::new();
        for (p, sender) in config.platforms.iter().zip(&senders) {
            let bot = crate::platform::bot(
                &p.token,
                &p.api_url,
                config.poll_timeout + Duration::from_secs(15),
            )?;
            let me = loop {
                match crate::bot::get_me(&bot, p.platform).await {
                    Ok(me) => break me,
                    Err(e) => {
                        tracing::warn!(platform = %p.platform, error = %e, "cannot reach the messenger yet; retrying");
                        tokio::select! {
                            _ = tokio::time::sleep(Duration::from_secs(3)) => {}
                            _ = stop.changed() => anyhow::bail!("stopped before the messenger answered"),
                        }
                    }
                }
            };
            tracing::info!(platform = %p.platform, username = %me.username(), "connected");
            health.set(p.platform, PlatformState::Running);
            crate::bot::set_commands(&bot, p.platform).await;
            let ctx = crate::bot::Context {
                svc: svc.clone(),
                platform: p.platform,
                bot,
                username: me.username().to_owned(),
                default_lang: config.locale,
                clock: clock.clone(),
                outbox: sender.waker(),
                direct: sender.direct(),
                unreadable: crate::bot::unreadable_counter(),
            };
            let (arrivals, arrived) = tokio::sync::mpsc::unbounded_channel();
            tasks.push(tokio::spawn(crate::bot::process(
                ctx.clone(),
                arrived,
                stop_rx.clone(),
            )));
            if config.webhook_url.is_some() {
                webhook_contexts.push((ctx, arrivals));
            } else {
                tasks.push(tokio::spawn(crate::bot::poll(
                    ctx,
                    config.poll_timeout,
                    arrivals,
                    stop_rx.clone(),
                )));
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
            grace: config.grace,
            compose,
        };
        let wakers = senders.iter().map(Sender::waker).collect();
        let scheduler = Scheduler::start(
            store.clone(),
            tick_config,
            clock,
            wakers,
            config.tick_interval,
        )
        .await?;
        tracing::info!(backend = store.backend(), "setad is running");
        Ok(App {
            store,
            senders,
            scheduler,
            tasks,
            stop: stop_tx,
            health,
            ops,
        })
    }

    /// The platforms' states that `/healthz` reports; set them as platforms start and stop.
    pub fn health(&self) -> &Health {
        &self.health
    }

    /// Where `/healthz` and `/metrics` are served, when they are.
    pub fn metrics_addr(&self) -> Option<std::net::SocketAddr> {
        self.ops.as_ref().map(Ops::addr)
    }

    /// Wakes the send queues (after something was enqueued from outside the app).
    pub fn wake_senders(&self) {
        self.senders.iter().for_each(Sender::wake);
    }

    /// Stops receiving, lets the handlers finish, stops the scheduler, lets the send queues
    /// finish what is in flight, and closes the database.
    pub async fn stop(self) -> anyhow::Result<()> {
        tracing::info!("stopping");
        for (platform, _) in self.health.states() {
            let stopping = PlatformState::Stopped("the app is stopping".into());
            self.health.set(platform, stopping);
        }
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
        self.scheduler.stop().await;
        for sender in self.senders {
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
