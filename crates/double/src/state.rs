//! The double's memory, behind one lock: chats and their messages, the update queue, the
//! webhook target, limits, fault settings and the records tests read. It decides what each
//! request does ([`State::handle`] returns an [`Action`]) but performs no I/O and never
//! waits; the server module turns actions into HTTP answers.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::Value;
use tokio::time::Instant;

use super::config::{DoubleConfig, Quirks, limit, share};
use super::inject::User;
use super::limits::Bucket;
use super::params::{ApiFailure, Input};
use super::record::{Call, Outcome, Sent, Stats, WebhookAttempt};

/// Longest wait between two webhook attempts at the same update.
const MAX_WEBHOOK_BACKOFF: Duration = Duration::from_secs(5);

/// What the server must do with a request once the state has decided.
#[derive(Debug)]
pub(crate) enum Action {
    /// Answer now.
    Reply(Result<Value, ApiFailure>),
    /// Wait, then answer with this result, or close the connection if there is none.
    Hang {
        delay: Duration,
        then: Option<Value>,
    },
    /// Break the connection (after delivering the message, or not).
    Drop { delivered: bool },
    /// Long-poll for updates.
    Poll(Poll),
}

/// A `getUpdates` call in progress.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Poll {
    /// Index of its record in `State::calls`, to mark a conflict later.
    pub call_index: usize,
    /// `State::poll_generation` when it arrived; a newer poll supersedes it.
    pub generation: u64,
    pub limit: usize,
    pub timeout: Duration,
}

/// The bot's own identity.
#[derive(Clone, Debug)]
pub(crate) struct BotIdentity {
    pub id: i64,
    pub first_name: String,
    pub username: String,
}

/// Fault injection settings.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Faults {
    pub server_error_rate: f64,
    pub hang_rate: f64,
    pub hang_for: Duration,
    pub hang_delivers: bool,
    pub drop_rate: f64,
    pub drop_delivers: bool,
}

/// The kind of chat, for its JSON object.
#[derive(Clone, Debug)]
pub(crate) enum ChatKind {
    Private {
        first_name: String,
        last_name: Option<String>,
        username: Option<String>,
    },
    Group {
        title: String,
    },
}

/// One chat the double knows.
#[derive(Debug)]
pub(crate) struct ChatEntry {
    pub kind: ChatKind,
    pub blocked: bool,
    pub bucket: Option<Bucket>,
    pub next_message_id: i64,
    pub messages: HashMap<i64, StoredMessage>,
}

impl ChatEntry {
    pub(crate) fn new(kind: ChatKind) -> Self {
        ChatEntry {
            kind,
            blocked: false,
            bucket: None,
            next_message_id: 1,
            messages: HashMap::new(),
        }
    }

    /// A message that exists and was not deleted.
    pub(crate) fn live(&self, message_id: i64) -> Option<&StoredMessage> {
        self.messages.get(&message_id).filter(|m| !m.deleted)
    }
}

/// Who sent a stored message.
#[derive(Clone, Debug)]
pub(crate) enum Sender {
    Bot,
    User(User),
}

/// A document or photo on a message.
#[derive(Clone, Debug)]
pub(crate) struct FileMeta {
    pub file_id: String,
    pub file_unique_id: String,
    pub file_name: Option<String>,
    pub mime_type: Option<String>,
    pub size: usize,
    pub width: u32,
    pub height: u32,
}

/// Media on a stored message.
#[derive(Clone, Debug)]
pub(crate) enum Media {
    Document(FileMeta),
    Photo(FileMeta),
}

/// A message in a chat, as the double renders it.
#[derive(Clone, Debug)]
pub(crate) struct StoredMessage {
    pub id: i64,
    pub sender: Sender,
    pub date: i64,
    pub edit_date: Option<i64>,
    pub text: Option<String>,
    pub entities: Option<Value>,
    pub caption: Option<String>,
    pub media: Option<Media>,
    pub reply_markup: Option<Value>,
    pub reply_to: Option<i64>,
    pub forward_origin: Option<Value>,
    pub deleted: bool,
}

/// An update waiting for `getUpdates` or the webhook.
#[derive(Clone, Debug)]
pub(crate) struct PendingUpdate {
    pub id: i64,
    pub json: Value,
    pub attempts: u32,
}

/// The webhook the bot set.
#[derive(Clone, Debug)]
pub(crate) struct WebhookTarget {
    pub url: String,
    pub secret: Option<String>,
}

/// One webhook post to make.
#[derive(Clone, Debug)]
pub(crate) struct WebhookJob {
    pub update_id: i64,
    pub body: Vec<u8>,
    pub url: String,
    pub secret: Option<String>,
    pub attempt: u32,
}

/// Everything the double knows.
pub(crate) struct State {
    pub quirks: Quirks,
    pub bot: BotIdentity,
    pub epoch: Instant,
    pub rng: StdRng,
    pub faults: Faults,
    pub global: Option<Bucket>,
    pub per_chat_rate: Option<f64>,
    pub calls: Vec<Call>,
    pub sent: Vec<Sent>,
    pub stats: Stats,
    pub chats: HashMap<i64, ChatEntry>,
    pub updates: VecDeque<PendingUpdate>,
    pub next_update_id: i64,
    pub confirmed_offset: i64,
    pub poll_generation: u64,
    pub webhook: Option<WebhookTarget>,
    pub webhook_attempts: Vec<WebhookAttempt>,
    pub webhook_max_attempts: u32,
    pub webhook_backoff: Duration,
    pub last_webhook_error: Option<(i64, String)>,
    pub callbacks: HashMap<String, bool>,
    pub next_callback: u64,
    pub commands: BTreeMap<String, Value>,
    pub files: HashMap<String, FileMeta>,
    pub next_file: u64,
    pub next_group: i64,
    /// The messenger is away: every request's connection breaks and nothing is delivered.
    pub outage: bool,
    /// The token is refused: every request is answered 401.
    pub token_rejected: bool,
    /// What `getUpdates` answers instead of the queued updates (a malformed answer), if set.
    pub updates_answer: Option<Value>,
    /// Set when the update queue or the webhook changed: pollers and the webhook worker
    /// must look again. The server clears it and wakes them.
    pub wake_updates: bool,
}

impl State {
    pub(crate) fn new(config: &DoubleConfig) -> Self {
        let now = Instant::now();
        let global_rate = limit(config.global_limit);
        State {
            quirks: config.effective_quirks(),
            bot: BotIdentity {
                id: config.bot_id,
                first_name: config.bot_first_name.clone(),
                username: config.bot_username.clone(),
            },
            epoch: now,
            rng: StdRng::seed_from_u64(config.seed),
            faults: Faults {
                server_error_rate: share(config.server_error_rate),
                hang_rate: share(config.hang_rate),
                hang_for: config.hang_for,
                hang_delivers: config.hang_delivers,
                drop_rate: share(config.drop_rate),
                drop_delivers: config.drop_delivers,
            },
            global: global_rate.map(|r| Bucket::new(r, r, now)),
            per_chat_rate: limit(config.per_chat_limit),
            calls: Vec::new(),
            sent: Vec::new(),
            stats: Stats::default(),
            chats: HashMap::new(),
            updates: VecDeque::new(),
            next_update_id: config.first_update_id,
            confirmed_offset: 0,
            poll_generation: 0,
            webhook: None,
            webhook_attempts: Vec::new(),
            webhook_max_attempts: config.webhook_max_attempts.max(1),
            webhook_backoff: config.webhook_backoff,
            last_webhook_error: None,
            callbacks: HashMap::new(),
            next_callback: 1,
            commands: BTreeMap::new(),
            files: HashMap::new(),
            next_file: 1,
            next_group: 1,
            outage: false,
            token_rejected: false,
            updates_answer: None,
            wake_updates: false,
        }
    }

    /// Time since the double started.
    pub(crate) fn since_start(&self, now: Instant) -> Duration {
        now.saturating_duration_since(self.epoch)
    }

    /// Decides what a request does and records it. `method` is `None` when the path was not
    /// `/bot<token>/<method>`; `input` is an error when the body could not be read.
    pub(crate) fn handle(
        &mut self,
        method: Option<&str>,
        input: Result<Input, ApiFailure>,
    ) -> Action {
        let now = Instant::now();
        let at = self.since_start(now);
        self.stats.requests += 1;
        let (mut action, input) = match (method, input) {
            (None, input) => (
                Action::Reply(Err(ApiFailure::not_found())),
                input.unwrap_or_default(),
            ),
            (Some(_), Err(failure)) => (Action::Reply(Err(failure)), Input::default()),
            (Some(method), Ok(input)) => {
                let lower = method.to_ascii_lowercase();
                (self.dispatch(&lower, &input, now, at), input)
            }
        };
        let outcome = match &action {
            Action::Reply(Ok(_)) | Action::Poll(_) => Outcome::Ok,
            Action::Reply(Err(failure)) => match failure.retry_after {
                Some(retry_after) => Outcome::RateLimited { retry_after },
                None => Outcome::Error {
                    error_code: failure.code,
                    description: failure.description.clone(),
                },
            },
            Action::Hang { then, .. } => Outcome::Hung {
                delivered: then.is_some(),
            },
            Action::Drop { delivered } => Outcome::Dropped {
                delivered: *delivered,
            },
        };
        self.count(&outcome);
        if let Action::Poll(poll) = &mut action {
            poll.call_index = self.calls.len();
        }
        self.calls.push(Call {
            method: method.unwrap_or_default().to_owned(),
            chat_id: input.chat_id_for_record(),
            params: input.into_record(),
            at,
            outcome,
        });
        action
    }

    fn count(&mut self, outcome: &Outcome) {
        let stats = &mut self.stats;
        match outcome {
            Outcome::Ok => {}
            Outcome::RateLimited { .. } => stats.rate_limited += 1,
            Outcome::Hung { .. } => stats.hung += 1,
            Outcome::Dropped { .. } => stats.dropped += 1,
            Outcome::Error { error_code, .. } => match error_code {
                400 => stats.bad_requests += 1,
                403 => stats.forbidden += 1,
                404 => stats.not_found += 1,
                409 => stats.conflicts += 1,
                502 => stats.server_errors += 1,
                _ => {}
            },
        }
    }

    /// The chat with this id, created as a private chat (or, for negative ids where groups
    /// are negative, a group) if the double has not seen it.
    pub(crate) fn chat_mut(&mut self, chat_id: i64) -> &mut ChatEntry {
        let negative_groups = self.quirks.negative_group_ids;
        self.chats.entry(chat_id).or_insert_with(|| {
            ChatEntry::new(if negative_groups && chat_id < 0 {
                ChatKind::Group {
                    title: format!("Group {chat_id}"),
                }
            } else {
                ChatKind::Private {
                    first_name: format!("User {chat_id}"),
                    last_name: None,
                    username: None,
                }
            })
        })
    }

    /// Passes a delivery through the limits: takes the tokens, or returns the wait in
    /// seconds until it would pass.
    pub(crate) fn admit(&mut self, chat_id: i64, now: Instant) -> Result<(), f64> {
        let global_wait = self.global.as_mut().map_or(0.0, |b| b.wait(now));
        let chat_wait = match self.per_chat_rate {
            Some(rate) => self
                .chat_mut(chat_id)
                .bucket
                .get_or_insert_with(|| Bucket::new(rate, 1.0, now))
                .wait(now),
            None => 0.0,
        };
        let wait = global_wait.max(chat_wait);
        if wait > 0.0 {
            return Err(wait);
        }
        if let Some(bucket) = self.global.as_mut() {
            bucket.take();
        }
        if let Some(bucket) = self.chats.get_mut(&chat_id).and_then(|c| c.bucket.as_mut()) {
            bucket.take();
        }
        Ok(())
    }

    /// Replaces the limits; every bucket starts full again.
    pub(crate) fn set_limits(&mut self, global: Option<f64>, per_chat: Option<f64>) {
        let now = Instant::now();
        self.global = limit(global).map(|r| Bucket::new(r, r, now));
        self.per_chat_rate = limit(per_chat);
        for chat in self.chats.values_mut() {
            chat.bucket = None;
        }
    }

    /// Queues an update (or hands it to the webhook), assigning `update_id` if it has none.
    pub(crate) fn push_update(&mut self, mut json: Value) -> i64 {
        let given = json.get("update_id").and_then(Value::as_i64);
        let id = given.unwrap_or(self.next_update_id);
        self.next_update_id = self.next_update_id.max(id.saturating_add(1));
        if given.is_none()
            && let Value::Object(map) = &mut json
        {
            map.insert("update_id".into(), Value::from(id));
        }
        self.updates.push_back(PendingUpdate {
            id,
            json,
            attempts: 0,
        });
        self.wake_updates = true;
        id
    }

    /// One look at the queue for a waiting `getUpdates`: `Some` to answer now.
    pub(crate) fn poll_step(
        &mut self,
        poll: &Poll,
        finish: bool,
    ) -> Option<Result<Value, ApiFailure>> {
        if self.poll_generation != poll.generation {
            let failure = ApiFailure::new(
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
            );
            if let Some(call) = self.calls.get_mut(poll.call_index) {
                call.outcome = Outcome::Error {
                    error_code: failure.code,
                    description: failure.description.clone(),
                };
                self.stats.conflicts += 1;
            }
            return Some(Err(failure));
        }
        if self.updates.is_empty() && self.webhook.is_none() && !finish {
            return None;
        }
        let batch = if self.webhook.is_some() {
            Vec::new()
        } else {
            self.updates
                .iter()
                .take(poll.limit)
                .map(|u| u.json.clone())
                .collect()
        };
        Some(Ok(Value::Array(batch)))
    }

    /// The next webhook post to make, if a webhook is set and an update waits.
    pub(crate) fn next_webhook_job(&self) -> Option<WebhookJob> {
        let target = self.webhook.as_ref()?;
        let update = self.updates.front()?;
        Some(WebhookJob {
            update_id: update.id,
            body: serde_json::to_vec(&update.json).unwrap_or_default(),
            url: target.url.clone(),
            secret: target
                .secret
                .clone()
                .filter(|_| self.quirks.webhook_secret_header),
            attempt: update.attempts + 1,
        })
    }

    /// Records a webhook attempt; returns how long to wait before the next one if the
    /// update stays queued for a retry.
    pub(crate) fn finish_webhook_job(
        &mut self,
        job: &WebhookJob,
        result: Result<u16, String>,
    ) -> Option<Duration> {
        let at = self.since_start(Instant::now());
        let attempt = WebhookAttempt {
            update_id: job.update_id,
            attempt: job.attempt,
            at,
            url: job.url.clone(),
            secret_sent: job.secret.is_some(),
            result,
        };
        let succeeded = attempt.succeeded();
        let error = match &attempt.result {
            Ok(status) => format!("Wrong response from the webhook: {status}"),
            Err(error) => error.clone(),
        };
        self.webhook_attempts.push(attempt);
        let position = self.updates.iter().position(|u| u.id == job.update_id);
        if succeeded {
            self.stats.webhook_delivered += 1;
            if let Some(position) = position {
                self.updates.remove(position);
            }
            return None;
        }
        self.stats.webhook_failed += 1;
        self.last_webhook_error = Some((unix_now(), error));
        let position = position?;
        let attempts = self.updates.get(position).map_or(0, |u| u.attempts) + 1;
        if attempts >= self.webhook_max_attempts {
            self.updates.remove(position);
            self.stats.webhook_given_up += 1;
            return None;
        }
        if let Some(update) = self.updates.get_mut(position) {
            update.attempts = attempts;
        }
        let factor = 2u32.saturating_pow(attempts.saturating_sub(1).min(16));
        Some(
            self.webhook_backoff
                .saturating_mul(factor)
                .min(MAX_WEBHOOK_BACKOFF),
        )
    }
}

/// The key under which `setMyCommands` lists are stored: scope (default when absent) and
/// language.
pub(crate) fn commands_key(scope: Option<&Value>, language_code: Option<&str>) -> String {
    let scope = match scope {
        None => "default".to_owned(),
        Some(scope) if scope.get("type").and_then(Value::as_str) == Some("default") => {
            "default".to_owned()
        }
        Some(scope) => scope.to_string(),
    };
    format!("{scope}|{}", language_code.unwrap_or_default())
}

/// Seconds since the Unix epoch, for `date` fields.
pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
