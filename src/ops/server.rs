//! The HTTP server on `SETAD_METRICS_LISTEN`: `GET /healthz` and `GET /metrics`, nothing else
//! (404). Meant for a local Prometheus and a load balancer's or systemd's health check, not
//! for the public: bind it to loopback or a private address.

use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::store::Store;

use super::health::{Health, verdict};

/// How long `/healthz` waits for the database before calling it unanswering.
const PING_TIMEOUT: Duration = Duration::from_secs(2);

/// What the routes read.
#[derive(Clone)]
pub struct Served {
    /// Renders the metrics.
    pub metrics: PrometheusHandle,
    /// The platforms' states.
    pub health: Health,
    /// The database `/healthz` asks.
    pub store: Store,
}

/// The routes.
pub fn router(served: Served) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .with_state(served)
}

/// Serves [`router`] on `listener` until `stop` turns true (or its sender is gone).
pub async fn serve(
    listener: TcpListener,
    served: Served,
    mut stop: watch::Receiver<bool>,
) -> std::io::Result<()> {
    axum::serve(listener, router(served))
        .with_graceful_shutdown(async move {
            while !*stop.borrow_and_update() {
                if stop.changed().await.is_err() {
                    break;
                }
            }
        })
        .await
}

/// 200 with `{"status":"ok",…}` when the database answers and a platform runs; 503 with
/// `{"status":"unavailable","reason":…}` otherwise.
async fn healthz(State(served): State<Served>) -> Response {
    let database = match tokio::time::timeout(PING_TIMEOUT, served.store.ping()).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("no answer within {} s", PING_TIMEOUT.as_secs())),
    };
    let (healthy, body) = verdict(database, &served.health.states());
    let status = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, axum::Json(body)).into_response()
}

/// The metrics in Prometheus's text format.
async fn metrics(State(served): State<Served>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        served.metrics.render(),
    )
        .into_response()
}
