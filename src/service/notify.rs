//! The one place where what the services decided to say becomes rows of the send queue: typed
//! [`Notice`]s worded by the adapters' [`Compose`], answers to what a member sent, each split
//! at the messenger's length limit, keyed so that nothing is queued twice, and prioritised by
//! kind.

use tokio::sync::mpsc;

use crate::domain::Lang;
use crate::domain::member::Platform;
use crate::domain::notice::{Compose, MessageKind, Notice, useful_until};
use crate::domain::text::{MESSAGE_LIMIT, split_message};
use crate::store::{Claimed, MemberRow, NewMessage, Payload};

/// Whom a message goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recipient {
    /// The member.
    pub member_id: i64,
    /// Its platform.
    pub platform: Platform,
    /// Its chat.
    pub chat_id: i64,
    /// Its language.
    pub lang: Lang,
}

impl From<&MemberRow> for Recipient {
    fn from(m: &MemberRow) -> Recipient {
        Recipient {
            member_id: m.member_id,
            platform: m.platform,
            chat_id: m.chat_id,
            lang: m.lang,
        }
    }
}

/// How the parts of a long message are keyed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keying {
    /// The first part has the key itself (what is looked up to tell whether it was queued).
    Whole,
    /// Every part has the key and `:N`, from `:0`.
    Parts,
}

/// The key of a reminder or nudge of `occurrence_id` to `member_id`: one of each, ever, whoever
/// queues it (the tick, or joining after the reminders went out). The store's query of due
/// notices spells the same key in SQL.
pub fn notice_key(kind: MessageKind, occurrence_id: i64, member_id: i64) -> String {
    format!("{kind}:{occurrence_id}:{member_id}")
}

/// A notice to one recipient, worded in its language, as queue rows.
pub struct Queued<'a> {
    /// What to say.
    pub notice: &'a Notice,
    /// To whom.
    pub to: Recipient,
    /// The unique key (see [`Keying`]).
    pub key: String,
    /// How parts are keyed.
    pub keying: Keying,
    /// The occurrence a reply to it reports on.
    pub occurrence_id: Option<i64>,
    /// UTC milliseconds before which it is not sent.
    pub not_before: i64,
    /// UTC milliseconds after which it is no longer worth sending
    /// ([`crate::domain::notice::useful_until`]).
    pub expires_at: i64,
    /// Fell due too long ago: recorded, never sent.
    pub missed: bool,
}

impl Queued<'_> {
    /// The queue rows.
    pub fn messages(&self, compose: &dyn Compose) -> Vec<NewMessage> {
        let text = compose.compose(self.notice, self.to.lang);
        split_message(&text, MESSAGE_LIMIT)
            .into_iter()
            .enumerate()
            .map(|(part, body)| NewMessage {
                dedup_key: match (self.keying, part) {
                    (Keying::Whole, 0) => self.key.clone(),
                    _ => format!("{}:{part}", self.key),
                },
                platform: self.to.platform,
                chat_id: self.to.chat_id,
                member_id: Some(self.to.member_id),
                kind: self.notice.kind(),
                occurrence_id: self.occurrence_id,
                report_id: None,
                body,
                not_before: self.not_before,
                expires_at: self.expires_at,
                missed: self.missed,
                payload: None,
            })
            .collect()
    }
}

/// An answer to what a member sent: text, buttons (rows of label and callback data), and the
/// message it answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answer {
    /// The text (split at the messenger's limit when queued).
    pub text: String,
    /// Inline buttons, on the last part.
    pub buttons: Vec<Vec<(String, String)>>,
    /// The message answered, by the first part.
    pub reply_to: Option<i64>,
    /// The report it confirms: a reply to it fills that report (recorded on every part).
    pub report_id: Option<i64>,
}

impl Answer {
    /// A plain answer.
    pub fn text(text: String) -> Answer {
        Answer {
            text,
            ..Answer::default()
        }
    }
}

/// The answers to one update as queue rows, keyed by the update (a redelivered update queues
/// nothing new).
pub fn answers(
    platform: Platform,
    update_id: i64,
    chat_id: i64,
    answers: &[Answer],
    now_ms: i64,
) -> Vec<NewMessage> {
    let mut messages = Vec::new();
    for (i, a) in answers.iter().enumerate() {
        let parts = split_message(&a.text, MESSAGE_LIMIT);
        let last = parts.len() - 1;
        for (j, body) in parts.into_iter().enumerate() {
            messages.push(NewMessage {
                dedup_key: format!("{platform}:reply:{update_id}:{chat_id}:{i}:{j}"),
                platform,
                chat_id,
                member_id: None,
                kind: MessageKind::Notice,
                occurrence_id: None,
                report_id: a.report_id,
                body,
                not_before: now_ms,
                expires_at: useful_until(MessageKind::Notice, now_ms, None),
                missed: false,
                payload: Payload {
                    reply_to: if j == 0 { a.reply_to } else { None },
                    buttons: if j == last {
                        a.buttons.clone()
                    } else {
                        Vec::new()
                    },
                }
                .to_json(),
            });
        }
    }
    messages
}

/// Hands messages straight to a running send worker, skipping the queue's claim: the writer
/// queues them already claimed by the worker (in the transaction of its other effects) and
/// gives them over after the commit. If the process dies in between, the claim lapses and the
/// queue sends them. Answers to people travel this way, so a confirmation is sent at once.
/// While the worker is not its platform's sender (another process on the database is), they
/// are queued for whichever process sends instead.
#[derive(Clone, Debug)]
pub struct Direct {
    /// The worker the messages are claimed for.
    pub worker: String,
    /// How long such a claim holds.
    pub lease: std::time::Duration,
    rows: mpsc::UnboundedSender<Claimed>,
    active: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Direct {
    /// A hand-over to the worker `worker`, and the worker's end of it.
    pub fn new(
        worker: String,
        lease: std::time::Duration,
    ) -> (Direct, mpsc::UnboundedReceiver<Claimed>) {
        let (rows, received) = mpsc::unbounded_channel();
        (
            Direct {
                worker,
                lease,
                rows,
                active: Default::default(),
            },
            received,
        )
    }

    /// Whether the worker sends now (it is its platform's sender).
    pub fn is_active(&self) -> bool {
        self.active.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Says whether the worker sends now.
    pub fn set_active(&self, active: bool) {
        self.active
            .store(active, std::sync::atomic::Ordering::SeqCst);
    }

    /// Gives claimed messages to the worker (messages it will not take any more, because it
    /// stopped, go back to the queue with its other claims or when their lease lapses).
    pub fn give(&self, rows: Vec<Claimed>) {
        for row in rows {
            let _ = self.rows.send(row);
        }
    }
}
