//! The webhook worker: while a webhook is set, it posts queued updates to it one at a time,
//! oldest first, with the secret header when the flavour sends one, and retries failures
//! with a doubling backoff until `webhook_max_attempts`. Every attempt is recorded.

use std::pin::pin;
use std::sync::Arc;

use axum::http::header::CONTENT_TYPE;

use super::server::Shared;

/// The header Telegram puts the webhook secret in.
pub const SECRET_HEADER: &str = "X-Telegram-Bot-Api-Secret-Token";

/// Runs until the double shuts down.
pub(crate) async fn run(shared: Arc<Shared>, client: reqwest::Client) {
    loop {
        if *shared.shutdown.borrow() {
            return;
        }
        let mut notified = pin!(shared.updates.notified());
        notified.as_mut().enable();
        let Some(job) = shared.lock().next_webhook_job() else {
            tokio::select! {
                () = notified => continue,
                () = shared.stopping() => return,
            }
        };
        let mut request = client
            .post(&job.url)
            .header(CONTENT_TYPE, "application/json")
            .body(job.body.clone());
        if let Some(secret) = &job.secret {
            request = request.header(SECRET_HEADER, secret);
        }
        let result = tokio::select! {
            response = request.send() => response.map(|r| r.status().as_u16()).map_err(|e| error_chain(&e)),
            () = shared.stopping() => return,
        };
        let retry_in = shared.update(|state| state.finish_webhook_job(&job, result));
        if let Some(wait) = retry_in {
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = shared.stopping() => return,
            }
        }
    }
}

/// An error with its causes, on one line.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
