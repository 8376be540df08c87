//! Standing by until this process is its platform's sender, and the turns as the sender.

use super::*;

#[tracing::instrument(skip_all, fields(platform = %w.config.platform, worker = %w.worker))]
pub(super) async fn run(
    w: Worker,
    (wake, mut direct): (Arc<Notify>, mpsc::UnboundedReceiver<Claimed>),
    mut stopped: watch::Receiver<bool>,
) -> Result<(), StoreError> {
    let platform = w.config.platform;
    let (record_tx, record_rx) = mpsc::unbounded_channel::<(Outcome, Option<(i64, String)>)>();
    let recorder = tokio::spawn(record(
        w.store.clone(),
        record_rx,
        w.clock.clone(),
        platform,
        w.config.compose.clone(),
    ));
    let mut said_standby = false;
    let mut sent = 0u64;
    loop {
        // Stand by until this process is the platform's sender.
        let lock = loop {
            if *stopped.borrow() {
                break None;
            }
            match w.store.try_hold_lock(SEND_LOCK + platform as i64).await {
                Ok(Some(lock)) => break Some(lock),
                Ok(None) if !said_standby => {
                    tracing::info!("another process sends for this bot; standing by");
                    said_standby = true;
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "cannot take the sending lock; trying again"),
            }
            // Rows handed over before this worker knew it was not the sender go back.
            while let Ok(row) = direct.try_recv() {
                let _ = record_tx.send((put_back(&row, w.clock.now_ms()), None));
            }
            tokio::select! {
                _ = tokio::time::sleep(w.config.standby.mul_f64(0.5 + rand::random::<f64>())) => {}
                _ = stopped.changed() => {}
            }
        };
        let Some(lock) = lock else { break };
        tracing::info!(took_over = said_standby, "this process sends for this bot");
        if said_standby {
            // The sender before may have spent the last second's budget just before it died:
            // wait that second out rather than send over the bot's limit.
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = stopped.changed() => {}
            }
        }
        said_standby = false;
        // Claims of a sender that died go back to the queue at once, not when they lapse.
        match w.store.release_others(platform, &w.worker).await {
            Ok(0) => {}
            Ok(n) => tracing::warn!(
                released = n,
                "claims of the previous sender went back to the queue"
            ),
            Err(e) => {
                tracing::error!(error = %e, "could not take over the previous sender's claims; they lapse with their lease")
            }
        }
        // What was put off after failed sends before this turn (the messenger away while this
        // or the previous sender ran) is due now: it has waited long enough.
        match w.store.send_delayed_now(platform, w.clock.now_ms()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(due = n, "messages put off after failures are due now"),
            Err(e) => tracing::error!(error = %e, "could not make the put-off messages due"),
        }
        w.direct.set_active(true);
        let (turn, sent_in_turn) =
            serve(&w, lock, (&wake, &mut direct), &record_tx, &mut stopped).await;
        sent += sent_in_turn;
        w.direct.set_active(false);
        match turn {
            Turn::Stopped => break,
            Turn::Refused => {
                let _ = w
                    .refusals
                    .send((platform, "401 Unauthorized, while sending".into()));
                break;
            }
            Turn::LockLost => {
                tracing::warn!(
                    "the sending lock was lost (the database connection broke); standing by"
                );
            }
        }
    }
    while let Ok(row) = direct.try_recv() {
        let _ = record_tx.send((put_back(&row, w.clock.now_ms()), None));
    }
    drop(record_tx);
    match recorder.await {
        Ok(r) => r?,
        Err(e) => tracing::error!(error = %e, "the recorder panicked"),
    }
    let released = w
        .store
        .release_claims(Some(&w.worker), w.clock.now_ms())
        .await?;
    tracing::info!(sent, released, "send worker stopped");
    Ok(())
}
