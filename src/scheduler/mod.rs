//! The timer: tokio-cron-scheduler fires the [tick](crate::service::tick) every minute (or at a
//! set interval, for rehearsals and tests), plus once at start. The database is the source of
//! truth; the timer only says "look now". Ticks never overlap in a process, and on PostgreSQL
//! only one process runs a tick at a time (an advisory lock).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, Notify};
use tokio_cron_scheduler::{Job, JobScheduler};

use crate::clock::Clock;
use crate::domain::error::Chain;
use crate::service::tick::{TickConfig, tick};
use crate::store::Store;

/// The running timer.
pub struct Scheduler {
    inner: Option<JobScheduler>,
    /// The loop of a fixed interval (`SETAD_TICK_SECONDS`), and its stop.
    every: Option<(
        tokio::task::JoinHandle<()>,
        tokio::sync::watch::Sender<bool>,
    )>,
}

/// Runs one tick now, unless one is running here or (PostgreSQL) in another process; then
/// wakes the senders if anything was enqueued.
pub async fn run_tick(
    store: &Store,
    config: &TickConfig,
    clock: &Clock,
    guard: &Mutex<()>,
    wakers: &[Arc<Notify>],
) {
    let Ok(_running) = guard.try_lock() else {
        tracing::debug!("a tick is still running; skipped");
        return;
    };
    let now = clock.now();
    match store.with_tick_lock(tick(store, config, now)).await {
        Ok(Some(report)) => {
            if report.reminders + report.nudges + report.escalations + report.missed > 0 {
                tracing::info!(?report, "tick");
            }
            wakers.iter().for_each(|w| w.notify_one());
        }
        Ok(None) => tracing::debug!("another process is running the tick"),
        Err(e) => tracing::error!(error = %Chain(&e), "tick failed"),
    }
}

impl Scheduler {
    /// Starts the timer: a tick now, then every minute on the minute, or every `interval`.
    pub async fn start(
        store: Store,
        config: TickConfig,
        clock: Clock,
        wakers: Vec<Arc<Notify>>,
        interval: Option<Duration>,
    ) -> anyhow::Result<Scheduler> {
        let guard = Arc::new(Mutex::new(()));
        run_tick(&store, &config, &clock, &guard, &wakers).await;
        let shared = Arc::new((store, config, clock, wakers, guard));
        if let Some(every) = interval {
            // A plain timer for a fixed interval: the cron scheduler's repeated jobs stopped
            // firing after a few sub-second runs in one process with the rest of the bot.
            let (stop, mut stopped) = tokio::sync::watch::channel(false);
            let task = tokio::spawn(async move {
                let mut timer = tokio::time::interval(every);
                timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                timer.tick().await;
                loop {
                    tokio::select! {
                        _ = timer.tick() => {}
                        _ = stopped.changed() => break,
                    }
                    let (store, config, clock, wakers, guard) = &*shared;
                    run_tick(store, config, clock, guard, wakers).await;
                }
            });
            return Ok(Scheduler {
                inner: None,
                every: Some((task, stop)),
            });
        }
        let run = move |_, _| {
            let shared = shared.clone();
            Box::pin(async move {
                let (store, config, clock, wakers, guard) = &*shared;
                run_tick(store, config, clock, guard, wakers).await;
            }) as std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>
        };
        let job = Job::new_async("0 * * * * *", run)?;
        let inner = JobScheduler::new().await?;
        inner.add(job).await?;
        inner.start().await?;
        Ok(Scheduler {
            inner: Some(inner),
            every: None,
        })
    }

    /// Stops the timer (a tick in progress finishes).
    pub async fn stop(mut self) {
        if let Some((task, stop)) = self.every.take() {
            let _ = stop.send(true);
            let _ = task.await;
        }
        if let Some(inner) = &mut self.inner
            && let Err(e) = inner.shutdown().await
        {
            tracing::warn!(error = %Chain(&e), "stopping the timer");
        }
    }
}
