//! Writing outcomes, and giving up what is no longer useful.

use super::*;

/// Writes outcomes in batches (what has arrived, up to 256), and turns 403s into
/// unreachable members and alerts.
pub(super) async fn record(
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
pub(super) async fn write(store: &Store, batch: &mut Vec<Outcome>, clock: &Clock) {
    let mut delay = Duration::from_millis(50);
    loop {
        match store.record(batch, clock.now().timestamp()).await {
            Ok(()) => {
                batch.clear();
                return;
            }
            Err(e) => {
                tracing::error!(error = %e, "could not record send outcomes; retrying");
                tokio::time::sleep(delay.mul_f64(0.5 + rand::random::<f64>())).await;
                delay = (delay * 2).min(Duration::from_secs(5));
            }
        }
    }
}

/// Gives up what is no longer useful, and tells the admins.
pub(super) async fn sweep(w: &Worker, mut given: GivenUp) {
    let platform = w.config.platform;
    match w.store.give_up_expired(platform, w.clock.now_ms()).await {
        Ok(swept) => {
            for (kind, n) in swept.counts {
                for _ in 0..n {
                    add_given(&mut given, kind);
                }
            }
            given.last_error = swept.last_error.or(given.last_error);
        }
        Err(e) => tracing::error!(error = %e, "could not give up the messages no longer useful"),
    }
    if given.total() == 0 {
        return;
    }
    given.counts.sort_by_key(|(k, _)| k.priority());
    for (kind, n) in &given.counts {
        ops::record_given_up(platform, *kind, *n);
    }
    tracing::warn!(given_up = given.total(), counts = ?given.counts, "messages no longer useful were given up");
    if let Err(e) = alerts::given_up(
        &w.store,
        w.config.compose.as_ref(),
        platform,
        &given,
        w.clock.now(),
    )
    .await
    {
        tracing::error!(error = %e, "could not tell the admins of the messages given up");
    }
}
