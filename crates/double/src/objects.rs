//! The Bot API objects the double answers with (users, chats, messages, `getMe`), shaped by
//! the flavour's [`Quirks`](super::Quirks): Telegram's complete objects or Bale's thinner
//! ones. Rendering only: reads the state, changes nothing.

use serde_json::{Map, Value};

use super::inject::User;
use super::state::{ChatEntry, ChatKind, FileMeta, Media, Sender, State, StoredMessage};

impl State {
    /// The bot as a user object.
    pub(crate) fn bot_json(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("id".into(), Value::from(self.bot.id));
        if self.quirks.user_is_bot {
            m.insert("is_bot".into(), Value::Bool(true));
        }
        m.insert(
            "first_name".into(),
            Value::from(self.bot.first_name.as_str()),
        );
        m.insert("username".into(), Value::from(self.bot.username.as_str()));
        m
    }

    /// The answer to `getMe`.
    pub(crate) fn me_json(&self) -> Value {
        let mut m = self.bot_json();
        if self.quirks.me_capability_flags {
            m.insert("can_join_groups".into(), Value::Bool(true));
            m.insert("can_read_all_group_messages".into(), Value::Bool(false));
            m.insert("supports_inline_queries".into(), Value::Bool(false));
            m.insert("can_connect_to_business".into(), Value::Bool(false));
            m.insert("has_main_web_app".into(), Value::Bool(false));
        }
        Value::Object(m)
    }

    /// A (human) user object.
    pub(crate) fn user_json(&self, user: &User) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), Value::from(user.id));
        if self.quirks.user_is_bot {
            m.insert("is_bot".into(), Value::Bool(false));
        }
        m.insert("first_name".into(), Value::from(user.first_name.as_str()));
        insert_opt(&mut m, "last_name", user.last_name.as_deref());
        insert_opt(&mut m, "username", user.username.as_deref());
        insert_opt(&mut m, "language_code", user.language_code.as_deref());
        Value::Object(m)
    }

    /// A chat object.
    pub(crate) fn chat_json(&self, chat_id: i64) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), Value::from(chat_id));
        match self.chats.get(&chat_id).map(|c| &c.kind) {
            Some(ChatKind::Private {
                first_name,
                last_name,
                username,
            }) => {
                m.insert("type".into(), Value::from("private"));
                m.insert("first_name".into(), Value::from(first_name.as_str()));
                insert_opt(&mut m, "last_name", last_name.as_deref());
                insert_opt(&mut m, "username", username.as_deref());
            }
            Some(ChatKind::Group { title }) => {
                m.insert("type".into(), Value::from("group"));
                m.insert("title".into(), Value::from(title.as_str()));
            }
            None => {
                m.insert("type".into(), Value::from("private"));
                m.insert("first_name".into(), Value::from(format!("User {chat_id}")));
            }
        }
        Value::Object(m)
    }

    /// A message object; `nest` adds `reply_to_message` (one level, as Telegram does).
    pub(crate) fn message_json(&self, chat_id: i64, message: &StoredMessage, nest: bool) -> Value {
        let mut m = Map::new();
        m.insert("message_id".into(), Value::from(message.id));
        let from = match &message.sender {
            Sender::Bot => Value::Object(self.bot_json()),
            Sender::User(user) => self.user_json(user),
        };
        m.insert("from".into(), from);
        m.insert("date".into(), Value::from(message.date));
        m.insert("chat".into(), self.chat_json(chat_id));
        if let Some(edit_date) = message.edit_date {
            m.insert("edit_date".into(), Value::from(edit_date));
        }
        if let Some(origin) = &message.forward_origin {
            m.insert("forward_origin".into(), origin.clone());
        }
        if nest {
            let replied = message.reply_to.and_then(|id| {
                self.chats
                    .get(&chat_id)
                    .and_then(|c: &ChatEntry| c.live(id))
            });
            if let Some(replied) = replied {
                m.insert(
                    "reply_to_message".into(),
                    self.message_json(chat_id, replied, false),
                );
            }
        }
        match &message.media {
            None => {
                m.insert(
                    "text".into(),
                    Value::from(message.text.as_deref().unwrap_or_default()),
                );
                if let Some(entities) = &message.entities {
                    m.insert("entities".into(), entities.clone());
                }
            }
            Some(Media::Document(file)) => {
                m.insert("document".into(), document_json(file));
                insert_opt(&mut m, "caption", message.caption.as_deref());
            }
            Some(Media::Photo(file)) => {
                m.insert("photo".into(), Value::Array(vec![photo_json(file)]));
                insert_opt(&mut m, "caption", message.caption.as_deref());
            }
        }
        // Messages echo inline keyboards only: a reply keyboard is not part of the message,
        // and teloxide would fail to parse it as one.
        if let Some(markup) = message
            .reply_markup
            .as_ref()
            .filter(|m| m.get("inline_keyboard").is_some())
        {
            m.insert("reply_markup".into(), markup.clone());
        }
        Value::Object(m)
    }
}

fn document_json(file: &FileMeta) -> Value {
    let mut m = Map::new();
    insert_opt(&mut m, "file_name", file.file_name.as_deref());
    insert_opt(&mut m, "mime_type", file.mime_type.as_deref());
    m.insert("file_id".into(), Value::from(file.file_id.as_str()));
    m.insert(
        "file_unique_id".into(),
        Value::from(file.file_unique_id.as_str()),
    );
    m.insert("file_size".into(), Value::from(file.size));
    Value::Object(m)
}

fn photo_json(file: &FileMeta) -> Value {
    let mut m = Map::new();
    m.insert("file_id".into(), Value::from(file.file_id.as_str()));
    m.insert(
        "file_unique_id".into(),
        Value::from(file.file_unique_id.as_str()),
    );
    m.insert("width".into(), Value::from(file.width));
    m.insert("height".into(), Value::from(file.height));
    m.insert("file_size".into(), Value::from(file.size));
    Value::Object(m)
}

fn insert_opt(m: &mut Map<String, Value>, key: &str, value: Option<&str>) {
    if let Some(value) = value {
        m.insert(key.to_owned(), Value::from(value));
    }
}
