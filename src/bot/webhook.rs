//! Webhook mode: one axum server on `SETAD_LISTEN` receives the updates of every platform at
//! `/{platform}/{secret}`, stores each before answering 200 (a messenger that gets no 200
//! sends again), and wakes the handlers. Telegram also gets the secret in its
//! `X-Telegram-Bot-Api-Secret-Token` header; Bale sends no such header (and teloxide's
//! `webhooks::axum` would answer it 401), so the unguessable path is what guards it.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use rand::Rng;
use serde_json::{Value, json};
use tokio::sync::watch;

use crate::domain::error::Chain;
use crate::domain::member::Platform;
use crate::platform::call;
use crate::service::Services;

use super::Context;

/// One platform's webhook endpoint.
struct Endpoint {
    platform: Platform,
    secret: String,
    arrivals: super::Arrivals,
}

struct Shared {
    svc: Services,
    clock: crate::clock::Clock,
    endpoints: HashMap<String, Endpoint>,
}

/// A random secret of URL-safe characters.
pub fn new_secret() -> String {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
    let mut rng = rand::rng();
    (0..40)
        .map(|_| char::from(CHARS[rng.random_range(0..CHARS.len())]))
        .collect()
}

async fn receive(
    State(shared): State<Arc<Shared>>,
    Path((platform, secret)): Path<(String, String)>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> StatusCode {
    let Some(endpoint) = shared.endpoints.get(&platform) else {
        return StatusCode::NOT_FOUND;
    };
    if secret != endpoint.secret {
        return StatusCode::NOT_FOUND;
    }
    if endpoint.platform == Platform::Telegram {
        let header = headers
            .get("x-telegram-bot-api-secret-token")
            .and_then(|v| v.to_str().ok());
        if header != Some(endpoint.secret.as_str()) {
            return StatusCode::UNAUTHORIZED;
        }
    }
    let Ok(update) = serde_json::from_slice::<Value>(&body) else {
        tracing::error!(%platform, raw = %String::from_utf8_lossy(&body), "a webhook post that is not JSON");
        return StatusCode::BAD_REQUEST;
    };
    match super::store_raw(
        &shared.svc,
        endpoint.platform,
        std::slice::from_ref(&update),
        shared.clock.now_ms(),
    )
    .await
    {
        Ok((_, stored)) => {
            if !stored.is_empty() {
                let _ = endpoint.arrivals.send(stored);
            }
            StatusCode::OK
        }
        Err(e) => {
            tracing::error!(error = %Chain(&e), "could not store a webhook update; the messenger will send it again");
            StatusCode::SERVICE_UNAVAILABLE
        }
    }
}

/// Registers the webhooks (`{public_url}/{platform}/{secret}`) and serves them on `listen`
/// until `stop` turns true.
pub async fn serve(
    contexts: Vec<(Context, super::Arrivals)>,
    public_url: &str,
    listen: SocketAddr,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let svc = contexts
        .first()
        .map(|(c, _)| c.svc.clone())
        .ok_or_else(|| anyhow::anyhow!("no platform"))?;
    let clock = contexts[0].0.clock.clone();
    let mut endpoints = HashMap::new();
    for (ctx, arrivals) in &contexts {
        let secret = new_secret();
        let url = format!(
            "{}/{}/{secret}",
            public_url.trim_end_matches('/'),
            ctx.platform
        );
        let mut body = json!({ "url": url, "allowed_updates": ["message", "edited_message", "callback_query"] });
        if ctx.platform == Platform::Telegram {
            body["secret_token"] = json!(secret);
        }
        call(&ctx.bot, "setWebhook", &body)
            .await
            .map_err(|e| anyhow::anyhow!("setWebhook on {} failed: {e:?}", ctx.platform))?;
        tracing::info!(platform = %ctx.platform, "webhook set");
        endpoints.insert(
            ctx.platform.as_str().to_owned(),
            Endpoint {
                platform: ctx.platform,
                secret,
                arrivals: arrivals.clone(),
            },
        );
    }
    let shared = Arc::new(Shared {
        svc,
        clock,
        endpoints,
    });
    let app = Router::new()
        .route("/{platform}/{secret}", post(receive))
        .with_state(shared);
    let listener = tokio::net::TcpListener::bind(listen).await?;
    tracing::info!(%listen, "listening for webhooks");
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let _ = stop.wait_for(|s| *s).await;
        })
        .await?;
    Ok(())
}
