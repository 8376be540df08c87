//! Simulated people: the [`User`] and [`Group`] handles and what they do (write, reply, edit,
//! press a button), turned into updates that the bot receives through `getUpdates` or its
//! webhook. Updates are shaped by the flavour like every other object.

use serde_json::{Map, Value};

use super::Double;
use super::state::{ChatEntry, ChatKind, Sender, State, StoredMessage, unix_now};

/// A simulated person. Their private chat with the bot has `chat_id == id`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct User {
    /// The user id (also the private chat id).
    pub id: i64,
    /// First name.
    pub first_name: String,
    /// Last name, if any.
    pub last_name: Option<String>,
    /// Username without `@`, if any.
    pub username: Option<String>,
    /// IETF language tag of the user's client (`fa`, `en`), if any.
    pub language_code: Option<String>,
}

impl User {
    /// The id of this user's private chat with the bot.
    #[must_use]
    pub fn chat_id(&self) -> i64 {
        self.id
    }

    /// The same user with a username.
    #[must_use]
    pub fn with_username(mut self, username: &str) -> Self {
        self.username = Some(username.to_owned());
        self
    }

    /// The same user with a client language.
    #[must_use]
    pub fn with_language(mut self, language_code: &str) -> Self {
        self.language_code = Some(language_code.to_owned());
        self
    }

    /// The same user with a last name.
    #[must_use]
    pub fn with_last_name(mut self, last_name: &str) -> Self {
        self.last_name = Some(last_name.to_owned());
        self
    }
}

/// A simulated group chat the bot is in. Its id is negative in the Telegram flavour and
/// positive in Bale's.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Group {
    /// The chat id.
    pub id: i64,
    /// The group's title.
    pub title: String,
}

/// Where group ids start, far from the small user ids tests use.
const GROUP_ID_BASE: i64 = 4_000_000_000;

impl State {
    /// Makes the user's private chat known, with the user's current names.
    fn register_user(&mut self, user: &User) {
        let kind = ChatKind::Private {
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
            username: user.username.clone(),
        };
        match self.chats.get_mut(&user.id) {
            Some(chat) => chat.kind = kind,
            None => {
                self.chats.insert(user.id, ChatEntry::new(kind));
            }
        }
    }

    fn register_group(&mut self, title: &str) -> Group {
        let n = self.next_group;
        self.next_group += 1;
        let id = if self.quirks.negative_group_ids {
            -(GROUP_ID_BASE + n)
        } else {
            GROUP_ID_BASE + n
        };
        self.chats.insert(
            id,
            ChatEntry::new(ChatKind::Group {
                title: title.to_owned(),
            }),
        );
        Group {
            id,
            title: title.to_owned(),
        }
    }

    /// A user's new message in a chat; returns its id.
    fn inject_message(
        &mut self,
        chat_id: i64,
        from: &User,
        text: &str,
        reply_to: Option<i64>,
    ) -> i64 {
        self.register_user(from);
        let chat = self.chat_mut(chat_id);
        let message_id = chat.next_message_id;
        chat.next_message_id += 1;
        let message = StoredMessage {
            id: message_id,
            sender: Sender::User(from.clone()),
            date: unix_now(),
            edit_date: None,
            text: Some(text.to_owned()),
            entities: command_entities(text),
            caption: None,
            media: None,
            reply_markup: None,
            reply_to,
            forward_origin: None,
            deleted: false,
        };
        let json = self.message_json(chat_id, &message, true);
        self.chat_mut(chat_id).messages.insert(message_id, message);
        self.push_update(update("message", json));
        message_id
    }

    /// A user's edit of their message (known or not) in a chat.
    fn inject_edit(&mut self, chat_id: i64, from: &User, message_id: i64, text: &str) {
        self.register_user(from);
        let date = unix_now();
        let chat = self.chat_mut(chat_id);
        let message = match chat.messages.get_mut(&message_id) {
            Some(message) => {
                message.text = Some(text.to_owned());
                message.entities = command_entities(text);
                message.edit_date = Some(date);
                message.clone()
            }
            None => StoredMessage {
                id: message_id,
                sender: Sender::User(from.clone()),
                date,
                edit_date: Some(date),
                text: Some(text.to_owned()),
                entities: command_entities(text),
                caption: None,
                media: None,
                reply_markup: None,
                reply_to: None,
                forward_origin: None,
                deleted: false,
            },
        };
        let json = self.message_json(chat_id, &message, true);
        self.push_update(update("edited_message", json));
    }

    /// A user's press on a button of the bot's message; returns the callback query id.
    fn inject_press(&mut self, chat_id: i64, from: &User, message_id: i64, data: &str) -> String {
        self.register_user(from);
        let id = 7_000_000_000_000_000_000_u64
            .saturating_add(self.next_callback)
            .to_string();
        self.next_callback += 1;
        self.callbacks.insert(id.clone(), false);
        let mut query = Map::new();
        query.insert("id".into(), Value::from(id.as_str()));
        query.insert("from".into(), self.user_json(from));
        let message = self
            .chats
            .get(&chat_id)
            .and_then(|c| c.live(message_id))
            .cloned();
        if let Some(message) = message {
            query.insert("message".into(), self.message_json(chat_id, &message, true));
        }
        if self.quirks.callback_chat_instance {
            query.insert(
                "chat_instance".into(),
                Value::from(chat_id.wrapping_mul(31).wrapping_add(17).to_string()),
            );
        }
        query.insert("data".into(), Value::from(data));
        self.push_update(update("callback_query", Value::Object(query)));
        id
    }
}

/// `{"<kind>": payload}`; `update_id` is added when queued.
fn update(kind: &str, payload: Value) -> Value {
    let mut m = Map::new();
    m.insert(kind.to_owned(), payload);
    Value::Object(m)
}

/// A `bot_command` entity at 0 for texts that start with `/command`.
fn command_entities(text: &str) -> Option<Value> {
    let command = text
        .split_whitespace()
        .next()
        .filter(|w| text.starts_with(w))?;
    if !command.starts_with('/') || command.len() < 2 {
        return None;
    }
    let mut entity = Map::new();
    entity.insert("type".into(), Value::from("bot_command"));
    entity.insert("offset".into(), Value::from(0));
    // Entity offsets and lengths count UTF-16 code units.
    entity.insert("length".into(), Value::from(command.encode_utf16().count()));
    Some(Value::Array(vec![Value::Object(entity)]))
}

impl Double {
    /// A simulated person with a private chat (`chat_id == user_id`), registered with the
    /// double so that the bot's messages to them carry their name.
    pub fn user(&self, user_id: i64, first_name: &str) -> User {
        let user = User {
            id: user_id,
            first_name: first_name.to_owned(),
            last_name: None,
            username: None,
            language_code: None,
        };
        self.with_state(|state| state.register_user(&user));
        user
    }

    /// A new group chat the bot is in.
    pub fn group(&self, title: &str) -> Group {
        self.with_state(|state| state.register_group(title))
    }

    /// `from` writes `text` to the bot in private; returns the message id. A text starting
    /// with `/command` carries a `bot_command` entity.
    pub fn send_text(&self, from: &User, text: &str) -> i64 {
        self.with_state(|state| state.inject_message(from.id, from, text, None))
    }

    /// `from` writes `text` in a group.
    pub fn send_text_in(&self, group: &Group, from: &User, text: &str) -> i64 {
        self.with_state(|state| state.inject_message(group.id, from, text, None))
    }

    /// `from` replies in private to message `reply_to_message_id` (usually the bot's); the
    /// update carries `reply_to_message` with that message as it stands.
    pub fn reply(&self, from: &User, reply_to_message_id: i64, text: &str) -> i64 {
        self.with_state(|state| {
            state.inject_message(from.id, from, text, Some(reply_to_message_id))
        })
    }

    /// `from` replies in a group.
    pub fn reply_in(
        &self,
        group: &Group,
        from: &User,
        reply_to_message_id: i64,
        text: &str,
    ) -> i64 {
        self.with_state(|state| {
            state.inject_message(group.id, from, text, Some(reply_to_message_id))
        })
    }

    /// `from` edits their private message: an `edited_message` update.
    pub fn edit(&self, from: &User, message_id: i64, new_text: &str) {
        self.with_state(|state| state.inject_edit(from.id, from, message_id, new_text));
    }

    /// `from` presses a button with `data` on the bot's private message `message_id`: a
    /// `callback_query` update. Returns the query id, which `answerCallbackQuery` expects.
    pub fn press(&self, from: &User, message_id: i64, data: &str) -> String {
        self.with_state(|state| state.inject_press(from.id, from, message_id, data))
    }

    /// `from` presses a button on the bot's message in a group.
    pub fn press_in(&self, group: &Group, from: &User, message_id: i64, data: &str) -> String {
        self.with_state(|state| state.inject_press(group.id, from, message_id, data))
    }

    /// Queues any JSON as an update; `update_id` is assigned if it has none (a given one
    /// moves the counter past it). Returns the update id.
    pub fn push_raw_update(&self, update: Value) -> i64 {
        self.with_state(|state| state.push_update(update))
    }
}

#[cfg(test)]
mod tests {
    use super::command_entities;
    use serde_json::json;

    #[test]
    fn commands_get_an_entity_measured_in_utf16() {
        assert_eq!(
            command_entities("/start abc"),
            Some(json!([{"type": "bot_command", "offset": 0, "length": 6}]))
        );
        assert_eq!(
            command_entities("/summary"),
            Some(json!([{"type": "bot_command", "offset": 0, "length": 8}]))
        );
        assert_eq!(
            command_entities("/گزارش"),
            Some(json!([{"type": "bot_command", "offset": 0, "length": 6}]))
        );
        for text in ["hello /start", "/", " /start", ""] {
            assert_eq!(command_entities(text), None, "{text:?}");
        }
    }
}
