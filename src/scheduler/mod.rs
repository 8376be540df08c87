//! The timer: a tokio task fires the [tick](crate::service::tick) on every minute of the system
//! clock (or at a set interval, for rehearsals and tests), plus once at start. The database is the source of
//! truth; the timer only says "look now". Ticks never overlap in a process, and on PostgreSQL
//! only one process runs a tick at a time (an advisory lock).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, Notify};

use crate::clock::Clock;
use crate::domain::error::Chain;
use crate::service::tick::{TickConfig, tick};
use crate::store::Store;

/// The running timer.
pub struct Scheduler {
    /// The timer's loop.
    task: tokio::task::JoinHandle<()>,
    /// Tells it to stop.
    stop: tokio::sync::watch::Sender<bool>,
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
        let (stop, mut stopped) = tokio::sync::watch::channel(false);
        let task = tokio::spawn(async move {
            loop {
                let wait = match interval {
                    Some(every) => every,
                    None => until_next_minute(std::time::SystemTime::now()),
                };
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = stopped.changed() => break,
                }
                let (store, config, clock, wakers, guard) = &*shared;
                run_tick(store, config, clock, guard, wakers).await;
            }
        });
        Ok(Scheduler { task, stop })
    }

    /// Stops the timer (a tick in progress finishes).
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if let Err(e) = self.task.await {
            tracing::warn!(error = %Chain(&e), "stopping the timer");
        }
    }
}

/// How long from `now` to the start of the next minute of the system clock (the ticks fall on
/// the minute, as the reminder times do).
fn until_next_minute(now: std::time::SystemTime) -> Duration {
    let since = now
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let into_minute = Duration::from_millis((since.as_millis() % 60_000) as u64);
    Duration::from_secs(60) - into_minute
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_timer_wakes_on_the_minute() {
        let at = |ms: u64| std::time::UNIX_EPOCH + Duration::from_millis(ms);
        assert_eq!(
            until_next_minute(at(1_800_000_000_000)),
            Duration::from_secs(60)
        );
        assert_eq!(
            until_next_minute(at(1_800_000_012_500)),
            Duration::from_millis(47_500)
        );
        assert_eq!(
            until_next_minute(at(1_800_000_059_999)),
            Duration::from_millis(1)
        );
    }
}
