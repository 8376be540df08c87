//! The Bot API methods the double implements, as decisions on the state: validation (with
//! Telegram's error texts, so teloxide maps them to its `ApiError` variants), the blocked
//! check, fault draws, rate limits and finally the delivery. Synchronous: waiting (hangs,
//! long polls) is the server module's job.

mod admin;
mod apply;
mod plan;

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
        if self.outage {
            return Action::Drop { delivered: false };
        }
        if self.token_rejected {
            return Action::Reply(Err(ApiFailure::new(401, "Unauthorized")));
        }
        if method == "getupdates"
            && let Some(answer) = &self.updates_answer
        {
            return Action::Reply(Ok(answer.clone()));
        }
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
}
