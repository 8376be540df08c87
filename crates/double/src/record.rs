//! What the double remembers and shows to tests: every request ([`Call`] and its
//! [`Outcome`]), every delivered message ([`Sent`]), the counters ([`Stats`]), webhook
//! attempts ([`WebhookAttempt`]) and the borrowed [`DoubleView`] that predicates of
//! `Double::wait_for` read. Records are plain data; only the state module writes them.

use std::time::Duration;

use axum::body::Bytes;
use serde_json::Value;

use super::state::State;

/// One request the double received, in arrival order.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    /// The method as the client spelled it (`SendMessage`, `sendMessage`…); empty when the
    /// path was not `/bot<token>/<method>`.
    pub method: String,
    /// The `chat_id` parameter, when there was one and it was a number.
    pub chat_id: Option<i64>,
    /// The parameters as a JSON object. Multipart text fields are strings; an uploaded file
    /// appears as `{"file_name": …, "mime_type": …, "size": …}` under the parameter that
    /// names it (`document`, `photo`).
    pub params: Value,
    /// When the request arrived, since the double started.
    pub at: Duration,
    /// How the double answered.
    pub outcome: Outcome,
}

impl Call {
    /// Whether this call is to `method`, compared without regard to case.
    #[must_use]
    pub fn is(&self, method: &str) -> bool {
        self.method.eq_ignore_ascii_case(method)
    }
}

/// How the double answered a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// `{"ok":true,…}`.
    Ok,
    /// `{"ok":false,…}` with this code and description (400, 403, 404, 409, 502…), 429s
    /// excepted.
    Error {
        /// The HTTP status and `error_code`.
        error_code: u16,
        /// The `description`.
        description: String,
    },
    /// 429 with `parameters.retry_after` in seconds; not delivered.
    RateLimited {
        /// The advertised wait, in whole seconds.
        retry_after: u64,
    },
    /// Held for the configured hang time before the answer (or the closed connection).
    Hung {
        /// Whether the message was delivered.
        delivered: bool,
    },
    /// A `200` header then a broken body: the client saw a network error.
    Dropped {
        /// Whether the message was delivered.
        delivered: bool,
    },
}

impl Outcome {
    /// The HTTP status the client saw, if it saw one before any hang or drop.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        match self {
            Outcome::Ok => Some(200),
            Outcome::Error { error_code, .. } => Some(*error_code),
            Outcome::RateLimited { .. } => Some(429),
            Outcome::Hung { .. } | Outcome::Dropped { .. } => None,
        }
    }
}

/// What kind of delivery a [`Sent`] records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SentKind {
    /// `sendMessage`.
    Text,
    /// `sendDocument`.
    Document,
    /// `sendPhoto`.
    Photo,
    /// `editMessageText` or `editMessageCaption`.
    Edit,
    /// `editMessageReplyMarkup`.
    EditMarkup,
    /// `forwardMessage`.
    Forward,
    /// `copyMessage`.
    Copy,
}

/// Which request field carried a reply target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReplyField {
    /// `reply_parameters.message_id` (what teloxide sends).
    ReplyParameters,
    /// `reply_to_message_id` (what Bale's clients send).
    ReplyToMessageId,
}

/// The message a delivery replies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReplyTo {
    /// The replied message's id.
    pub message_id: i64,
    /// The field it came in.
    pub via: ReplyField,
}

/// A file that came with a delivery.
#[derive(Clone, Debug, PartialEq)]
pub struct SentFile {
    /// The file name the client gave, if any.
    pub file_name: Option<String>,
    /// The part's content type, if any.
    pub mime_type: Option<String>,
    /// The bytes uploaded (empty when the file was sent by `file_id` or URL).
    pub bytes: Bytes,
    /// The size in bytes (of the upload, or of the earlier upload a `file_id` names).
    pub size: usize,
    /// The `file_id` the double answered with.
    pub file_id: String,
    /// The `file_id` or URL the client sent instead of bytes, if it did.
    pub reference: Option<String>,
}

/// One delivered message: a send, an edit, a forward or a copy that the double accepted.
#[derive(Clone, Debug, PartialEq)]
pub struct Sent {
    /// What kind of delivery this was.
    pub kind: SentKind,
    /// The chat it went to.
    pub chat_id: i64,
    /// The message's id in that chat (for edits, the edited message).
    pub message_id: i64,
    /// The text, or the caption of a document or photo.
    pub text: Option<String>,
    /// The `reply_markup` as sent (after an edit: the markup now on the message).
    pub reply_markup: Option<Value>,
    /// The message it replies to, from `reply_parameters` or `reply_to_message_id`.
    pub reply_to: Option<ReplyTo>,
    /// The `parse_mode` sent, if any (Bale has none: tests assert it stays `None`).
    pub parse_mode: Option<String>,
    /// When it was delivered, since the double started.
    pub at: Duration,
    /// The document or photo, for those kinds.
    pub file: Option<SentFile>,
}

/// Counters over the double's whole life.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Stats {
    /// Requests received, whatever became of them.
    pub requests: u64,
    /// Messages delivered (sends, edits, forwards, copies).
    pub delivered: u64,
    /// Requests answered 429.
    pub rate_limited: u64,
    /// Requests answered 502 by fault injection.
    pub server_errors: u64,
    /// Requests that hung.
    pub hung: u64,
    /// Requests whose connection was dropped.
    pub dropped: u64,
    /// Requests answered 403 (blocked chats).
    pub forbidden: u64,
    /// Requests answered 400.
    pub bad_requests: u64,
    /// Requests answered 404 (bad token, unknown method).
    pub not_found: u64,
    /// Requests answered 409 (`getUpdates` conflicts).
    pub conflicts: u64,
    /// Updates posted to a webhook and acknowledged with a 2xx.
    pub webhook_delivered: u64,
    /// Webhook posts that failed (non-2xx or connection error).
    pub webhook_failed: u64,
    /// Updates dropped after `webhook_max_attempts` failed posts.
    pub webhook_given_up: u64,
}

/// One attempt to post an update to the webhook.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookAttempt {
    /// The update posted.
    pub update_id: i64,
    /// 1 for the first attempt at this update, 2 for the first retry…
    pub attempt: u32,
    /// When the attempt ended, since the double started.
    pub at: Duration,
    /// The URL posted to.
    pub url: String,
    /// Whether the secret header was sent.
    pub secret_sent: bool,
    /// The receiver's HTTP status, or the connection error.
    pub result: Result<u16, String>,
}

impl WebhookAttempt {
    /// Whether the receiver acknowledged the update (2xx).
    #[must_use]
    pub fn succeeded(&self) -> bool {
        matches!(self.result, Ok(status) if (200..300).contains(&status))
    }
}

/// A read-only look at the double's records, handed to `Double::wait_for` predicates and
/// `Double::view` closures while the double's lock is held: read, do not block, and do not
/// call back into the `Double` from inside.
pub struct DoubleView<'a> {
    pub(crate) state: &'a State,
}

impl DoubleView<'_> {
    /// Time since the double started.
    pub fn elapsed(&self) -> Duration {
        self.state.since_start(tokio::time::Instant::now())
    }

    /// Every request so far, in arrival order.
    #[must_use]
    pub fn calls(&self) -> &[Call] {
        &self.state.calls
    }

    /// The requests to `method` (compared without regard to case).
    pub fn calls_to<'m>(&self, method: &'m str) -> impl Iterator<Item = &Call> + use<'_, 'm> {
        self.state.calls.iter().filter(move |c| c.is(method))
    }

    /// Every delivered message, in delivery order.
    #[must_use]
    pub fn messages(&self) -> &[Sent] {
        &self.state.sent
    }

    /// The messages delivered to one chat, in order.
    pub fn messages_to(&self, chat_id: i64) -> impl Iterator<Item = &Sent> {
        self.state.sent.iter().filter(move |s| s.chat_id == chat_id)
    }

    /// The counters.
    #[must_use]
    pub fn stats(&self) -> Stats {
        self.state.stats
    }

    /// Updates waiting to be confirmed by `getUpdates` or acknowledged by the webhook.
    #[must_use]
    pub fn pending_updates(&self) -> usize {
        self.state.updates.len()
    }

    /// The JSON of the pending updates, oldest first.
    pub fn queued_updates(&self) -> impl Iterator<Item = &Value> {
        self.state.updates.iter().map(|u| &u.json)
    }

    /// The highest `offset` a `getUpdates` call has confirmed (0 before any).
    #[must_use]
    pub fn confirmed_offset(&self) -> i64 {
        self.state.confirmed_offset
    }

    /// Every webhook post attempt, in order.
    #[must_use]
    pub fn webhook_attempts(&self) -> &[WebhookAttempt] {
        &self.state.webhook_attempts
    }

    /// The webhook URL set, if any.
    #[must_use]
    pub fn webhook_url(&self) -> Option<&str> {
        self.state.webhook.as_ref().map(|w| w.url.as_str())
    }

    /// Ids of callback queries (button presses) the bot has not answered yet.
    #[must_use]
    pub fn unanswered_callbacks(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .state
            .callbacks
            .iter()
            .filter(|(_, answered)| !**answered)
            .map(|(id, _)| id.clone())
            .collect();
        ids.sort();
        ids
    }

    /// The command list stored by `setMyCommands` for the default scope and this language
    /// (`None`: no `language_code`).
    #[must_use]
    pub fn my_commands(&self, language_code: Option<&str>) -> Option<&Value> {
        self.state
            .commands
            .get(&super::state::commands_key(None, language_code))
    }
}
