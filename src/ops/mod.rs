//! Operations: health and Prometheus metrics for whoever runs the bot.
//!
//! `setad run` with `SETAD_METRICS_LISTEN` set serves `/healthz` and `/metrics` there
//! ([`Ops::start`]) and refreshes the gauges read from the database every
//! [`REFRESH_INTERVAL`]. The adapters record what they do through the functions re-exported
//! here ([`record_send`], [`record_retry`], [`record_given_up`], [`record_handled`],
//! [`record_inbox_lag`]), whether metrics are served or not; the app keeps each platform's
//! state in a [`Health`] handle.
//!
//! # Layout
//! - [`metrics`]: the metrics' names, the recorder, the recording functions, the gauges;
//! - [`health`]: the platforms' states and `/healthz`'s verdict;
//! - [`server`]: the HTTP routes.
//!
//! Uses `domain` and `store` (its reads for health and metrics) only: it renders no text for
//! users and knows no messenger; the adapters call it, never the other way round.

pub mod health;
pub mod metrics;
pub mod server;

use std::net::SocketAddr;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::domain::member::Platform;
use crate::store::Store;

pub use self::health::{Health, PlatformState};
pub use self::metrics::{
    SendOutcome, install, record_given_up, record_handled, record_inbox_lag, record_retry,
    record_send,
};

/// How often the gauges are read from the database.
pub const REFRESH_INTERVAL: Duration = Duration::from_secs(15);

/// The metrics server and the refresh of its gauges, running until [`Ops::stop`] (or until
/// dropped: an app that fails to start takes them down with it).
pub struct Ops {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Ops {
    /// Installs the recorder, binds `listen` and starts serving; the gauges cover `platforms`
    /// (and any other found in the queue). Fails only when `listen` cannot be bound.
    pub async fn start(
        listen: SocketAddr,
        store: Store,
        health: Health,
        platforms: Vec<Platform>,
    ) -> std::io::Result<Ops> {
        let handle = install();
        self::metrics::register(&platforms);
        let listener = tokio::net::TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = watch::channel(false);
        let served = server::Served {
            metrics: handle.clone(),
            health,
            store: store.clone(),
        };
        let serving = tokio::spawn({
            let stopped = stopped.clone();
            async move {
                if let Err(e) = server::serve(listener, served, stopped).await {
                    tracing::error!(error = %e, "the metrics server stopped");
                }
            }
        });
        let refreshing = tokio::spawn(refresh(store, platforms, handle, stopped));
        tracing::info!(%addr, "serving /healthz and /metrics");
        Ok(Ops {
            addr,
            stop,
            tasks: vec![serving, refreshing],
        })
    }

    /// The address served (the port chosen when `listen` asked for port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops serving and refreshing, and waits for both.
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        for task in std::mem::take(&mut self.tasks) {
            let _ = task.await;
        }
    }
}

impl Drop for Ops {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// Sets the gauges from the database now and every [`REFRESH_INTERVAL`], and keeps the
/// recorder's histograms drained, until `stop` turns true.
async fn refresh(
    store: Store,
    platforms: Vec<Platform>,
    handle: metrics_exporter_prometheus::PrometheusHandle,
    mut stop: watch::Receiver<bool>,
) {
    let mut every = tokio::time::interval(REFRESH_INTERVAL);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = every.tick() => {}
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    return;
                }
                continue;
            }
        }
        if let Err(e) = self::metrics::refresh(&store, &platforms).await {
            tracing::warn!(error = %e, "could not read the metrics' gauges");
        }
        handle.run_upkeep();
    }
}
