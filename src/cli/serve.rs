//! `setad run`: the app until a signal, or until every platform's token is refused.

use super::*;

/// `setad run`: every configured platform, the scheduler and the send queue, until SIGINT or
/// SIGTERM.
pub(super) async fn serve(config: &Config, store: Store, clock: Clock) -> anyhow::Result<()> {
    if config.platforms.is_empty() {
        bail!(t!(config.locale, "run-needs-token"));
    }
    let mut signals = Signals::listen()?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    for variable in &config.obsolete {
        tracing::warn!(
            variable,
            "this variable is no longer used (README, Configuration)"
        );
    }
    let mut app = tokio::select! {
        app = App::start(config, store, clock, stop_rx) => app?,
        _ = signals.recv() => return Ok(()),
    };
    // Until a signal, or until the messenger has refused every platform's token: then the
    // process stops and exits with an error, for the service manager and the operator to see.
    let refused = tokio::select! {
        _ = signals.recv() => None,
        why = app.refused() => Some(why),
    };
    let _ = stop_tx.send(true);
    app.stop().await?;
    match refused {
        Some(why) => Err(why),
        None => Ok(()),
    }
}

/// SIGINT and SIGTERM, listened for from the moment this is made (so a signal during start-up
/// also stops the bot cleanly).
struct Signals {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
}

impl Signals {
    fn listen() -> anyhow::Result<Signals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Signals {
                term: signal(SignalKind::terminate())?,
                int: signal(SignalKind::interrupt())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Signals {})
    }

    /// Resolves on the next SIGINT or SIGTERM.
    async fn recv(&mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.int.recv() => {}
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    }
}
