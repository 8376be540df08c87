//! The HTTP side of the double: one axum fallback handler that routes `/bot<token>/<method>`,
//! reads JSON, form, query or multipart parameters, asks the state what to do and then
//! answers, hangs, long-polls or breaks the connection. Also the [`Shared`] handle (state
//! lock, wake-ups, shutdown signal) that the server, the webhook worker and `Double` share.

use std::pin::pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Form;
use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{FromRequest, Multipart, Query, Request, State as AxumState};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use tokio::sync::{Notify, watch};
use tokio::time::Instant;

use super::params::{ApiFailure, FilePart, Input};
use super::state::{Action, Poll, State};

/// What the server, the webhook worker and the `Double` handle share.
pub(crate) struct Shared {
    state: Mutex<State>,
    /// Woken after every recorded call or webhook attempt (for `wait_for`).
    pub changed: Notify,
    /// Woken when the update queue or the webhook changed (for long polls and the worker).
    pub updates: Notify,
    /// Turns `true` once, when the double shuts down.
    pub shutdown: watch::Sender<bool>,
    /// Largest body read.
    pub max_body: usize,
}

impl Shared {
    pub(crate) fn new(state: State, max_body: usize) -> Self {
        Shared {
            state: Mutex::new(state),
            changed: Notify::new(),
            updates: Notify::new(),
            shutdown: watch::Sender::new(false),
            max_body,
        }
    }

    /// The state. A panic while it was held (there should be none) does not poison it for
    /// good: the records stay readable.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` on the state, then wakes whoever waits on what it changed.
    pub(crate) fn update<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let (result, wake_updates) = {
            let mut state = self.lock();
            let result = f(&mut state);
            (result, std::mem::take(&mut state.wake_updates))
        };
        self.changed.notify_waiters();
        if wake_updates {
            self.updates.notify_waiters();
        }
        result
    }

    /// Resolves once the double is shutting down.
    pub(crate) async fn stopping(&self) {
        let mut receiver = self.shutdown.subscribe();
        // An error means the sender is gone, which also means stopping.
        let _ = receiver.wait_for(|stop| *stop).await;
    }
}

/// The one handler: every request to the double comes here.
pub(crate) async fn entry(AxumState(shared): AxumState<Arc<Shared>>, request: Request) -> Response {
    let method = route(request.uri().path()).map(str::to_owned);
    let input = match method {
        Some(_) => read_input(request, shared.max_body).await,
        None => Ok(Input::default()),
    };
    let action = shared.update(|state| state.handle(method.as_deref(), input));
    match action {
        Action::Reply(result) => respond(&result),
        Action::Hang { delay, then } => {
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                () = shared.stopping() => {}
            }
            match then {
                Some(result) => respond(&Ok(result)),
                None => broken(),
            }
        }
        Action::Drop { .. } => broken(),
        Action::Poll(poll) => long_poll(&shared, poll).await,
    }
}

/// The method of a `/bot<digits>:<text>/<method>` path, or `None` (a 404).
fn route(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/bot")?;
    let (token, method) = rest.split_once('/')?;
    let (id, secret) = token
        .split_once(':')
        .or_else(|| token.split_once("%3A"))
        .or_else(|| token.split_once("%3a"))?;
    let token_ok = !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) && !secret.is_empty();
    let method_ok = !method.is_empty()
        && method
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_');
    (token_ok && method_ok).then_some(method)
}

/// Reads the parameters from the query string and the body (JSON, form or multipart).
async fn read_input(request: Request, max_body: usize) -> Result<Input, ApiFailure> {
    let mut input = Input::default();
    if let Ok(Query(pairs)) = Query::<Vec<(String, String)>>::try_from_uri(request.uri()) {
        input
            .params
            .extend(pairs.into_iter().map(|(k, v)| (k, Value::String(v))));
    }
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if content_type.starts_with("multipart/form-data") {
        let unreadable =
            |_| ApiFailure::bad_request("Bad Request: can't parse multipart/form-data request");
        let mut multipart = Multipart::from_request(request, &())
            .await
            .map_err(|_| unreadable(()))?;
        while let Some(field) = multipart.next_field().await.map_err(|_| unreadable(()))? {
            let Some(name) = field.name().map(str::to_owned) else {
                continue;
            };
            match field.file_name().map(str::to_owned) {
                Some(file_name) => {
                    let mime_type = field.content_type().map(str::to_owned);
                    let bytes = field.bytes().await.map_err(|_| unreadable(()))?;
                    let file_name = Some(file_name).filter(|n| !n.is_empty());
                    input.files.insert(
                        name,
                        FilePart {
                            file_name,
                            mime_type,
                            bytes,
                        },
                    );
                }
                None => {
                    let text = field.text().await.map_err(|_| unreadable(()))?;
                    input.params.insert(name, Value::String(text));
                }
            }
        }
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        let Form(pairs) = Form::<Vec<(String, String)>>::from_request(request, &())
            .await
            .map_err(|_| ApiFailure::bad_request("Bad Request: can't parse form request"))?;
        input
            .params
            .extend(pairs.into_iter().map(|(k, v)| (k, Value::String(v))));
    } else {
        let body = to_bytes(request.into_body(), max_body)
            .await
            .map_err(|_| ApiFailure::new(413, "Request Entity Too Large"))?;
        if !body.iter().all(u8::is_ascii_whitespace) {
            match serde_json::from_slice::<Value>(&body) {
                Ok(Value::Object(map)) => input.params.extend(map),
                _ => {
                    return Err(ApiFailure::bad_request(
                        "Bad Request: can't parse JSON request body",
                    ));
                }
            }
        }
    }
    Ok(input)
}

/// Waits for updates until the poll's timeout, a newer poll, or shutdown.
async fn long_poll(shared: &Shared, poll: Poll) -> Response {
    let deadline = Instant::now() + poll.timeout;
    loop {
        let mut notified = pin!(shared.updates.notified());
        notified.as_mut().enable();
        let finish = Instant::now() >= deadline || *shared.shutdown.borrow();
        if let Some(result) = shared.update(|state| state.poll_step(&poll, finish)) {
            return respond(&result);
        }
        tokio::select! {
            () = notified => {}
            () = tokio::time::sleep_until(deadline) => {}
            () = shared.stopping() => {}
        }
    }
}

/// The JSON answer for a result.
fn respond(result: &Result<Value, ApiFailure>) -> Response {
    let (status, body) = match result {
        Ok(value) => {
            let mut body = Vec::with_capacity(512);
            body.extend_from_slice(br#"{"ok":true,"result":"#);
            // Writing a `Value` into a `Vec` cannot fail.
            let _ = serde_json::to_writer(&mut body, value);
            body.push(b'}');
            (StatusCode::OK, body)
        }
        Err(failure) => (
            StatusCode::from_u16(failure.code).unwrap_or(StatusCode::BAD_REQUEST),
            failure.to_json(),
        ),
    };
    (
        status,
        [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        body,
    )
        .into_response()
}

/// A `200` header and the start of a body, then a failure: the connection is cut mid-answer
/// and the client sees a network error, not an answer.
fn broken() -> Response {
    let start = futures_util::stream::once(async {
        Ok::<Bytes, std::io::Error>(Bytes::from_static(br#"{"ok":true,"#))
    });
    let failure = futures_util::stream::once(async {
        // Lets the server flush the header and the first bytes before the body fails.
        tokio::task::yield_now().await;
        Err::<Bytes, std::io::Error>(std::io::Error::other(
            "connection dropped by the Bot API double",
        ))
    });
    (
        StatusCode::OK,
        [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        Body::from_stream(futures_util::StreamExt::chain(start, failure)),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::route;

    #[test]
    fn only_bot_token_paths_route() {
        assert_eq!(route("/bot123:abc/SendMessage"), Some("SendMessage"));
        assert_eq!(route("/bot123:A-b_c/getMe"), Some("getMe"));
        for path in [
            "/",
            "/bot/getMe",
            "/botabc:def/getMe",
            "/bot123:/getMe",
            "/bot123abc/getMe",
            "/bot123:abc/",
            "/bot123:abc/a/b",
            "/file/bot123:abc/x",
        ] {
            assert_eq!(route(path), None, "{path}");
        }
    }
}
