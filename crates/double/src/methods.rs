//! The Bot API methods the double implements, as decisions on the state: validation (with
//! Telegram's error texts, so teloxide maps them to its `ApiError` variants), the blocked
//! check, fault draws, rate limits and finally the delivery. Synchronous: waiting (hangs,
//! long polls) is the server module's job.

use std::time::Duration;

use rand::Rng;
use serde_json::{Map, Value};
use tokio::time::Instant;

use super::limits::retry_after;
use super::params::{ApiFailure, FileArg, Input};
use super::record::{ReplyTo, Sent, SentFile, SentKind};
use super::state::{
    Action, ChatKind, FileMeta, Media, Poll, Sender, State, StoredMessage, WebhookTarget,
    commands_key, unix_now,
};

/// Longest text Telegram accepts in a message, in characters.
const MAX_TEXT: usize = 4096;
/// Longest caption, in characters.
const MAX_CAPTION: usize = 1024;
/// Longest `callback_data`, in bytes.
const MAX_CALLBACK_DATA: usize = 64;
/// Longest long-poll `timeout` honoured, in seconds.
const MAX_POLL_TIMEOUT: i64 = 600;

const NOT_MODIFIED: &str = "Bad Request: message is not modified: specified new message content and reply markup \
                            are exactly the same as a current content and reply markup of the message";

/// The methods that deliver a message (and so count toward limits and draw faults).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Delivery {
    Message,
    Document,
    Photo,
    EditText,
    EditCaption,
    EditMarkup,
    Forward,
    Copy,
}

/// A validated delivery, ready to apply.
enum Plan {
    New {
        chat_id: i64,
        kind: SentKind,
        text: Option<String>,
        caption: Option<String>,
        file: Option<Box<FileArg>>,
        parse_mode: Option<String>,
        reply_markup: Option<Value>,
        reply_to: Option<ReplyTo>,
        reply_exists: bool,
        forward_origin: Option<Value>,
        /// For forwards and copies: the source's media.
        media: Option<Box<Media>>,
        answer_id_only: bool,
    },
    Edit {
        chat_id: i64,
        message_id: i64,
        kind: SentKind,
        text: Option<String>,
        caption: Option<Option<String>>,
        parse_mode: Option<String>,
        reply_markup: Option<Value>,
    },
}

impl Plan {
    fn chat_id(&self) -> i64 {
        match self {
            Plan::New { chat_id, .. } | Plan::Edit { chat_id, .. } => *chat_id,
        }
    }
}

/// Which fault, if any, a request drew.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fault {
    ServerError,
    Hang,
    Drop,
}

impl State {
    /// Runs one method (name already lower-cased).
    pub(crate) fn dispatch(
        &mut self,
        method: &str,
        input: &Input,
        now: Instant,
        at: Duration,
    ) -> Action {
        let delivery = match method {
            "sendmessage" => Some(Delivery::Message),
            "senddocument" => Some(Delivery::Document),
            "sendphoto" => Some(Delivery::Photo),
            "editmessagetext" => Some(Delivery::EditText),
            "editmessagecaption" => Some(Delivery::EditCaption),
            "editmessagereplymarkup" => Some(Delivery::EditMarkup),
            "forwardmessage" => Some(Delivery::Forward),
            "copymessage" => Some(Delivery::Copy),
            _ => None,
        };
        if let Some(delivery) = delivery {
            return self.deliver(delivery, input, now, at);
        }
        let result = match method {
            "getme" => Ok(self.me_json()),
            "getupdates" => {
                return self
                    .get_updates(input)
                    .unwrap_or_else(|f| Action::Reply(Err(f)));
            }
            "answercallbackquery" => self.answer_callback_query(input),
            "setmycommands" => self.set_my_commands(input),
            "deletemycommands" => self.delete_my_commands(input),
            "getmycommands" => self.get_my_commands(input),
            "setwebhook" => self.set_webhook(input),
            "deletewebhook" => self.delete_webhook(input),
            "getwebhookinfo" => Ok(self.webhook_info()),
            "deletemessage" => self.delete_message(input),
            "sendchataction" => self.send_chat_action(input),
            _ => Err(ApiFailure::not_found()),
        };
        Action::Reply(result)
    }

    fn deliver(&mut self, delivery: Delivery, input: &Input, now: Instant, at: Duration) -> Action {
        let plan = match self.plan(delivery, input) {
            Ok(plan) => plan,
            Err(failure) => return Action::Reply(Err(failure)),
        };
        let chat_id = plan.chat_id();
        if let Some(failure) = self.forbidden(chat_id) {
            return Action::Reply(Err(failure));
        }
        let fault = self.draw_fault();
        if fault == Some(Fault::ServerError) {
            return Action::Reply(Err(ApiFailure::new(502, "Bad Gateway")));
        }
        if let Err(wait) = self.admit(chat_id, now) {
            return Action::Reply(Err(ApiFailure::retry_after(retry_after(wait))));
        }
        let delivers = match fault {
            Some(Fault::Hang) => self.faults.hang_delivers,
            Some(Fault::Drop) => self.faults.drop_delivers,
            _ => true,
        };
        let result = delivers.then(|| self.apply(plan, at));
        match (fault, result) {
            (Some(Fault::Hang), then) => Action::Hang {
                delay: self.faults.hang_for,
                then,
            },
            (Some(Fault::Drop), result) => Action::Drop {
                delivered: result.is_some(),
            },
            (_, Some(result)) => Action::Reply(Ok(result)),
            (_, None) => Action::Drop { delivered: false },
        }
    }

    /// One draw from the seeded generator for every delivery that gets this far, whatever
    /// the rates, so that a seed gives the same sequence of faults.
    fn draw_fault(&mut self) -> Option<Fault> {
        let draw: f64 = self.rng.random();
        let f = self.faults;
        if draw < f.server_error_rate {
            Some(Fault::ServerError)
        } else if draw < f.server_error_rate + f.hang_rate {
            Some(Fault::Hang)
        } else if draw < f.server_error_rate + f.hang_rate + f.drop_rate {
            Some(Fault::Drop)
        } else {
            None
        }
    }

    /// The 403 for a chat that blocked the bot (or a group that removed it).
    fn forbidden(&self, chat_id: i64) -> Option<ApiFailure> {
        let chat = self.chats.get(&chat_id).filter(|c| c.blocked)?;
        Some(ApiFailure::new(
            403,
            match chat.kind {
                ChatKind::Private { .. } => "Forbidden: bot was blocked by the user",
                ChatKind::Group { .. } => "Forbidden: bot was kicked from the group chat",
            },
        ))
    }

    fn plan(&self, delivery: Delivery, input: &Input) -> Result<Plan, ApiFailure> {
        match delivery {
            Delivery::Message => {
                let chat_id = input.chat_id()?;
                let text = message_text(input, "text")?;
                let (reply_to, reply_exists) = self.reply_target(chat_id, input)?;
                Ok(Plan::New {
                    chat_id,
                    kind: SentKind::Text,
                    text: Some(text),
                    caption: None,
                    file: None,
                    parse_mode: input.text("parse_mode")?,
                    reply_markup: reply_markup(input)?,
                    reply_to,
                    reply_exists,
                    forward_origin: None,
                    media: None,
                    answer_id_only: false,
                })
            }
            Delivery::Document | Delivery::Photo => {
                let chat_id = input.chat_id()?;
                let (key, kind) = match delivery {
                    Delivery::Photo => ("photo", SentKind::Photo),
                    _ => ("document", SentKind::Document),
                };
                let file = input.file(key).ok_or_else(|| {
                    ApiFailure::bad_request(format!(
                        "Bad Request: there is no {key} in the request"
                    ))
                })?;
                if matches!(&file, FileArg::Upload(part) if part.bytes.is_empty()) {
                    return Err(ApiFailure::bad_request(
                        "Bad Request: file must be non-empty",
                    ));
                }
                let caption = caption(input)?;
                let (reply_to, reply_exists) = self.reply_target(chat_id, input)?;
                Ok(Plan::New {
                    chat_id,
                    kind,
                    text: None,
                    caption,
                    file: Some(Box::new(file)),
                    parse_mode: input.text("parse_mode")?,
                    reply_markup: reply_markup(input)?,
                    reply_to,
                    reply_exists,
                    forward_origin: None,
                    media: None,
                    answer_id_only: false,
                })
            }
            Delivery::Forward | Delivery::Copy => {
                let chat_id = input.chat_id()?;
                let from_chat_id = input.chat_id_of("from_chat_id")?;
                let message_id = input.required_i64(
                    "message_id",
                    "Bad Request: message identifier is not specified",
                )?;
                let copy = delivery == Delivery::Copy;
                let source = self
                    .chats
                    .get(&from_chat_id)
                    .and_then(|c| c.live(message_id))
                    .ok_or_else(|| {
                        ApiFailure::bad_request(if copy {
                            "Bad Request: message to copy not found"
                        } else {
                            "Bad Request: message to forward not found"
                        })
                    })?;
                let caption = if copy && input.params.contains_key("caption") {
                    caption(input)?
                } else {
                    source.caption.clone()
                };
                let (reply_to, reply_exists) = if copy {
                    self.reply_target(chat_id, input)?
                } else {
                    (None, false)
                };
                let forward_origin = (!copy).then(|| {
                    let mut origin = Map::new();
                    origin.insert("type".into(), Value::from("user"));
                    origin.insert("date".into(), Value::from(source.date));
                    let sender = match &source.sender {
                        Sender::Bot => Value::Object(self.bot_json()),
                        Sender::User(user) => self.user_json(user),
                    };
                    origin.insert("sender_user".into(), sender);
                    Value::Object(origin)
                });
                Ok(Plan::New {
                    chat_id,
                    kind: if copy {
                        SentKind::Copy
                    } else {
                        SentKind::Forward
                    },
                    text: source.text.clone(),
                    caption,
                    file: None,
                    parse_mode: input.text("parse_mode")?,
                    reply_markup: if copy { reply_markup(input)? } else { None },
                    reply_to,
                    reply_exists,
                    forward_origin,
                    media: source.media.clone().map(Box::new),
                    answer_id_only: copy,
                })
            }
            Delivery::EditText | Delivery::EditCaption | Delivery::EditMarkup => {
                self.plan_edit(delivery, input)
            }
        }
    }

    fn plan_edit(&self, delivery: Delivery, input: &Input) -> Result<Plan, ApiFailure> {
        if input.params.contains_key("inline_message_id") {
            return Err(ApiFailure::bad_request(
                "Bad Request: inline messages are not supported by the double",
            ));
        }
        let chat_id = input.chat_id()?;
        let message_id = input.required_i64(
            "message_id",
            "Bad Request: message identifier is not specified",
        )?;
        let text = match delivery {
            Delivery::EditText => Some(message_text(input, "text")?),
            _ => None,
        };
        let new_caption = match delivery {
            Delivery::EditCaption => Some(caption(input)?),
            _ => None,
        };
        let new_markup = reply_markup(input)?;
        let message = self
            .chats
            .get(&chat_id)
            .and_then(|c| c.live(message_id))
            .ok_or_else(|| ApiFailure::bad_request("Bad Request: message to edit not found"))?;
        if !matches!(message.sender, Sender::Bot) {
            return Err(ApiFailure::bad_request(
                "Bad Request: message can't be edited",
            ));
        }
        let unchanged_markup = new_markup == message.reply_markup;
        let unchanged = match delivery {
            Delivery::EditText => {
                if message.media.is_some() {
                    return Err(ApiFailure::bad_request(
                        "Bad Request: there is no text in the message to edit",
                    ));
                }
                text == message.text
            }
            Delivery::EditCaption => {
                if message.media.is_none() {
                    return Err(ApiFailure::bad_request(
                        "Bad Request: there is no caption in the message to edit",
                    ));
                }
                new_caption.as_ref() == Some(&message.caption)
            }
            _ => true,
        };
        if unchanged && unchanged_markup {
            return Err(ApiFailure::bad_request(NOT_MODIFIED));
        }
        Ok(Plan::Edit {
            chat_id,
            message_id,
            kind: if delivery == Delivery::EditMarkup {
                SentKind::EditMarkup
            } else {
                SentKind::Edit
            },
            text,
            caption: new_caption,
            parse_mode: input.text("parse_mode")?,
            reply_markup: new_markup,
        })
    }

    /// The reply target and whether the replied message exists; a missing one is a 400
    /// unless sending without it was allowed.
    fn reply_target(
        &self,
        chat_id: i64,
        input: &Input,
    ) -> Result<(Option<ReplyTo>, bool), ApiFailure> {
        let (reply_to, allow_missing) = input.reply_to()?;
        let Some(reply) = reply_to else {
            return Ok((None, false));
        };
        let exists = self
            .chats
            .get(&chat_id)
            .and_then(|c| c.live(reply.message_id))
            .is_some();
        if !exists && !allow_missing {
            return Err(ApiFailure::bad_request(
                "Bad Request: message to be replied not found",
            ));
        }
        Ok((Some(reply), exists))
    }

    /// Delivers a validated plan: stores the message, records it, renders the answer.
    fn apply(&mut self, plan: Plan, at: Duration) -> Value {
        self.stats.delivered += 1;
        match plan {
            Plan::New {
                chat_id,
                kind,
                text,
                caption,
                file,
                parse_mode,
                reply_markup,
                reply_to,
                reply_exists,
                forward_origin,
                media,
                answer_id_only,
            } => {
                let (media, sent_file) = match file {
                    Some(file) => {
                        let (meta, sent_file) = self.store_file(*file, kind == SentKind::Photo);
                        let media = if kind == SentKind::Photo {
                            Media::Photo(meta)
                        } else {
                            Media::Document(meta)
                        };
                        (Some(media), Some(sent_file))
                    }
                    None => (media.map(|m| *m), None),
                };
                let chat = self.chat_mut(chat_id);
                let message_id = chat.next_message_id;
                chat.next_message_id += 1;
                let stored = StoredMessage {
                    id: message_id,
                    sender: Sender::Bot,
                    date: unix_now(),
                    edit_date: None,
                    text: if media.is_none() { text.clone() } else { None },
                    entities: None,
                    caption: if media.is_some() {
                        caption.clone()
                    } else {
                        None
                    },
                    media,
                    reply_markup: reply_markup.clone(),
                    reply_to: reply_to.filter(|_| reply_exists).map(|r| r.message_id),
                    forward_origin,
                    deleted: false,
                };
                let answer = if answer_id_only {
                    let mut m = Map::new();
                    m.insert("message_id".into(), Value::from(message_id));
                    Value::Object(m)
                } else {
                    self.message_json(chat_id, &stored, true)
                };
                let shown = stored.text.clone().or_else(|| stored.caption.clone());
                self.chat_mut(chat_id).messages.insert(message_id, stored);
                self.sent.push(Sent {
                    kind,
                    chat_id,
                    message_id,
                    text: shown,
                    reply_markup,
                    reply_to,
                    parse_mode,
                    at,
                    file: sent_file,
                });
                answer
            }
            Plan::Edit {
                chat_id,
                message_id,
                kind,
                text,
                caption,
                parse_mode,
                reply_markup,
            } => {
                let date = unix_now();
                let chat = self.chat_mut(chat_id);
                let Some(message) = chat.messages.get_mut(&message_id) else {
                    // Checked by `plan_edit` under the same lock.
                    return Value::Null;
                };
                if let Some(text) = text {
                    message.text = Some(text);
                }
                if let Some(caption) = caption {
                    message.caption = caption;
                }
                message.reply_markup = reply_markup.clone();
                message.edit_date = Some(date);
                let shown = message.text.clone().or_else(|| message.caption.clone());
                let message = message.clone();
                self.sent.push(Sent {
                    kind,
                    chat_id,
                    message_id,
                    text: shown,
                    reply_markup,
                    reply_to: None,
                    parse_mode,
                    at,
                    file: None,
                });
                self.message_json(chat_id, &message, true)
            }
        }
    }

    /// Gives an upload (or a reference) a `file_id`; a known `file_id` keeps its metadata.
    fn store_file(&mut self, file: FileArg, photo: bool) -> (FileMeta, SentFile) {
        match file {
            FileArg::Reference(reference) => {
                let meta = match self.files.get(&reference) {
                    Some(meta) => meta.clone(),
                    None => {
                        let meta = self.new_file_meta(photo, None, None, 0, (0, 0));
                        self.files.insert(meta.file_id.clone(), meta.clone());
                        meta
                    }
                };
                let sent = SentFile {
                    file_name: meta.file_name.clone(),
                    mime_type: meta.mime_type.clone(),
                    bytes: Default::default(),
                    size: meta.size,
                    file_id: meta.file_id.clone(),
                    reference: Some(reference),
                };
                (meta, sent)
            }
            FileArg::Upload(part) => {
                let size = part.bytes.len();
                let dimensions = if photo {
                    png_dimensions(&part.bytes)
                } else {
                    (0, 0)
                };
                let meta = self.new_file_meta(
                    photo,
                    part.file_name.clone(),
                    part.mime_type.clone(),
                    size,
                    dimensions,
                );
                self.files.insert(meta.file_id.clone(), meta.clone());
                let sent = SentFile {
                    file_name: part.file_name,
                    mime_type: part.mime_type,
                    bytes: part.bytes,
                    size,
                    file_id: meta.file_id.clone(),
                    reference: None,
                };
                (meta, sent)
            }
        }
    }

    fn new_file_meta(
        &mut self,
        photo: bool,
        file_name: Option<String>,
        mime_type: Option<String>,
        size: usize,
        (width, height): (u32, u32),
    ) -> FileMeta {
        let n = self.next_file;
        self.next_file += 1;
        FileMeta {
            file_id: format!(
                "{}{n:010}",
                if photo {
                    "AgACAgQAAxkDdbl"
                } else {
                    "BQACAgQAAxkDdbl"
                }
            ),
            file_unique_id: format!("AgADdbl{n:06}"),
            file_name,
            mime_type,
            size,
            width,
            height,
        }
    }

    fn get_updates(&mut self, input: &Input) -> Result<Action, ApiFailure> {
        if self.webhook.is_some() {
            return Err(ApiFailure::new(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the \
                 webhook first",
            ));
        }
        let offset = input.i64("offset")?;
        let limit = input.i64("limit")?.unwrap_or(100).clamp(1, 100);
        let timeout = input
            .i64("timeout")?
            .unwrap_or(0)
            .clamp(0, MAX_POLL_TIMEOUT);
        match offset {
            Some(offset) if offset > 0 => {
                self.updates.retain(|u| u.id >= offset);
                self.confirmed_offset = self.confirmed_offset.max(offset);
            }
            Some(offset) if offset < 0 => {
                let keep = usize::try_from(offset.unsigned_abs()).unwrap_or(usize::MAX);
                while self.updates.len() > keep {
                    self.updates.pop_front();
                }
            }
            _ => {}
        }
        self.poll_generation += 1;
        // Wakes an older poll so that it answers its conflict.
        self.wake_updates = true;
        Ok(Action::Poll(Poll {
            call_index: 0,
            generation: self.poll_generation,
            limit: usize::try_from(limit).unwrap_or(100),
            timeout: Duration::from_secs(timeout.unsigned_abs()),
        }))
    }

    fn answer_callback_query(&mut self, input: &Input) -> Result<Value, ApiFailure> {
        let invalid = || {
            ApiFailure::bad_request(
                "Bad Request: query is too old and response timeout expired or query id is invalid",
            )
        };
        let id = input.text("callback_query_id")?.ok_or_else(invalid)?;
        let answered = self.callbacks.get_mut(&id).ok_or_else(invalid)?;
        *answered = true;
        Ok(Value::Bool(true))
    }

    fn set_my_commands(&mut self, input: &Input) -> Result<Value, ApiFailure> {
        if self.quirks.refuse_set_my_commands {
            return Err(ApiFailure::bad_request(
                "Bad Request: method setMyCommands is not supported",
            ));
        }
        let commands = input.json("commands")?.ok_or_else(|| {
            ApiFailure::bad_request("Bad Request: parameter \"commands\" is required")
        })?;
        let Value::Array(list) = &commands else {
            return Err(ApiFailure::bad_request(
                "Bad Request: can't parse commands JSON object",
            ));
        };
        for command in list {
            let name = command
                .get("command")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let name = name.strip_prefix('/').unwrap_or(name);
            let name_ok = (1..=32).contains(&name.len())
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !name_ok {
                return Err(ApiFailure::bad_request("Bad Request: BOT_COMMAND_INVALID"));
            }
            let description = command
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if !(1..=256).contains(&description.chars().count()) {
                return Err(ApiFailure::bad_request(
                    "Bad Request: command description is invalid",
                ));
            }
        }
        let key = commands_key(
            input.json("scope")?.as_ref(),
            input.text("language_code")?.as_deref(),
        );
        self.commands.insert(key, commands);
        Ok(Value::Bool(true))
    }

    fn delete_my_commands(&mut self, input: &Input) -> Result<Value, ApiFailure> {
        let key = commands_key(
            input.json("scope")?.as_ref(),
            input.text("language_code")?.as_deref(),
        );
        self.commands.remove(&key);
        Ok(Value::Bool(true))
    }

    fn get_my_commands(&self, input: &Input) -> Result<Value, ApiFailure> {
        let key = commands_key(
            input.json("scope")?.as_ref(),
            input.text("language_code")?.as_deref(),
        );
        Ok(self
            .commands
            .get(&key)
            .cloned()
            .unwrap_or_else(|| Value::Array(Vec::new())))
    }

    fn set_webhook(&mut self, input: &Input) -> Result<Value, ApiFailure> {
        let url = input.text("url")?.unwrap_or_default();
        let secret = input.text("secret_token")?.filter(|s| !s.is_empty());
        if let Some(secret) = &secret {
            let allowed = secret.len() <= 256
                && secret
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
            if !allowed {
                return Err(ApiFailure::bad_request(
                    "Bad Request: secret token contains unallowed characters",
                ));
            }
        }
        if input.flag("drop_pending_updates")? {
            self.updates.clear();
        }
        if url.trim().is_empty() {
            self.webhook = None;
        } else {
            match reqwest::Url::parse(url.trim()) {
                Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => {}
                _ => {
                    return Err(ApiFailure::bad_request(
                        "Bad Request: bad webhook: invalid URL specified",
                    ));
                }
            }
            self.webhook = Some(WebhookTarget {
                url: url.trim().to_owned(),
                secret,
            });
        }
        self.wake_updates = true;
        Ok(Value::Bool(true))
    }

    fn delete_webhook(&mut self, input: &Input) -> Result<Value, ApiFailure> {
        if input.flag("drop_pending_updates")? {
            self.updates.clear();
        }
        self.webhook = None;
        self.wake_updates = true;
        Ok(Value::Bool(true))
    }

    fn webhook_info(&self) -> Value {
        let mut m = Map::new();
        m.insert(
            "url".into(),
            Value::from(self.webhook.as_ref().map_or("", |w| w.url.as_str())),
        );
        m.insert("has_custom_certificate".into(), Value::Bool(false));
        m.insert(
            "pending_update_count".into(),
            Value::from(self.updates.len()),
        );
        if let Some((date, message)) = &self.last_webhook_error {
            m.insert("last_error_date".into(), Value::from(*date));
            m.insert("last_error_message".into(), Value::from(message.as_str()));
        }
        if self.webhook.is_some() {
            m.insert("max_connections".into(), Value::from(1));
        }
        Value::Object(m)
    }

    fn delete_message(&mut self, input: &Input) -> Result<Value, ApiFailure> {
        let chat_id = input.chat_id()?;
        let message_id = input.required_i64(
            "message_id",
            "Bad Request: message identifier is not specified",
        )?;
        let message = self
            .chats
            .get_mut(&chat_id)
            .and_then(|c| c.messages.get_mut(&message_id))
            .filter(|m| !m.deleted)
            .ok_or_else(|| ApiFailure::bad_request("Bad Request: message to delete not found"))?;
        message.deleted = true;
        Ok(Value::Bool(true))
    }

    fn send_chat_action(&mut self, input: &Input) -> Result<Value, ApiFailure> {
        let chat_id = input.chat_id()?;
        if input.text("action")?.is_none() {
            return Err(ApiFailure::bad_request("Bad Request: action is empty"));
        }
        match self.forbidden(chat_id) {
            Some(failure) => Err(failure),
            None => Ok(Value::Bool(true)),
        }
    }
}

/// A required message text: non-blank and at most [`MAX_TEXT`] characters.
fn message_text(input: &Input, key: &str) -> Result<String, ApiFailure> {
    let text = input.text(key)?.unwrap_or_default();
    if text.trim().is_empty() {
        return Err(ApiFailure::bad_request(
            "Bad Request: message text is empty",
        ));
    }
    if text.chars().count() > MAX_TEXT {
        return Err(ApiFailure::bad_request("Bad Request: message is too long"));
    }
    Ok(text)
}

/// An optional caption of at most [`MAX_CAPTION`] characters.
fn caption(input: &Input) -> Result<Option<String>, ApiFailure> {
    let caption = input.text("caption")?.filter(|c| !c.is_empty());
    if caption
        .as_ref()
        .is_some_and(|c| c.chars().count() > MAX_CAPTION)
    {
        return Err(ApiFailure::bad_request(
            "Bad Request: message caption is too long",
        ));
    }
    Ok(caption)
}

/// The `reply_markup`, checked the way Telegram checks inline keyboards.
fn reply_markup(input: &Input) -> Result<Option<Value>, ApiFailure> {
    let unparsable =
        || ApiFailure::bad_request("Bad Request: can't parse reply keyboard markup JSON object");
    let Some(markup) = input.json("reply_markup").map_err(|_| unparsable())? else {
        return Ok(None);
    };
    if !markup.is_object() {
        return Err(unparsable());
    }
    if let Some(rows) = markup.get("inline_keyboard") {
        let rows = rows.as_array().ok_or_else(unparsable)?;
        for row in rows {
            for button in row.as_array().ok_or_else(unparsable)? {
                if button.get("text").and_then(Value::as_str).is_none() {
                    return Err(ApiFailure::bad_request(
                        "Bad Request: can't parse inline keyboard button: Text must be non-empty",
                    ));
                }
                if let Some(data) = button.get("callback_data") {
                    let len = data.as_str().map_or(0, str::len);
                    if !(1..=MAX_CALLBACK_DATA).contains(&len) {
                        return Err(ApiFailure::bad_request("Bad Request: BUTTON_DATA_INVALID"));
                    }
                }
            }
        }
    }
    Ok(Some(markup))
}

/// Width and height of a PNG, or zeros for anything else.
fn png_dimensions(bytes: &[u8]) -> (u32, u32) {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    let read = |range: std::ops::Range<usize>| {
        bytes
            .get(range)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(u32::from_be_bytes)
    };
    match (bytes.starts_with(SIGNATURE), read(16..20), read(20..24)) {
        (true, Some(width), Some(height)) => (width, height),
        _ => (0, 0),
    }
}
