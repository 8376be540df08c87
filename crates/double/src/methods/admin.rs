//! The methods that deliver nothing: updates, callback answers, command menus, webhooks,
//! deletions and chat actions.

use super::*;

impl State {
    pub(super) fn get_updates(&mut self, input: &Input) -> Result<Action, ApiFailure> {
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

    pub(super) fn answer_callback_query(&mut self, input: &Input) -> Result<Value, ApiFailure> {
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

    pub(super) fn set_my_commands(&mut self, input: &Input) -> Result<Value, ApiFailure> {
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

    pub(super) fn delete_my_commands(&mut self, input: &Input) -> Result<Value, ApiFailure> {
        let key = commands_key(
            input.json("scope")?.as_ref(),
            input.text("language_code")?.as_deref(),
        );
        self.commands.remove(&key);
        Ok(Value::Bool(true))
    }

    pub(super) fn get_my_commands(&self, input: &Input) -> Result<Value, ApiFailure> {
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

    pub(super) fn set_webhook(&mut self, input: &Input) -> Result<Value, ApiFailure> {
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

    pub(super) fn delete_webhook(&mut self, input: &Input) -> Result<Value, ApiFailure> {
        if input.flag("drop_pending_updates")? {
            self.updates.clear();
        }
        self.webhook = None;
        self.wake_updates = true;
        Ok(Value::Bool(true))
    }

    pub(super) fn webhook_info(&self) -> Value {
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

    pub(super) fn delete_message(&mut self, input: &Input) -> Result<Value, ApiFailure> {
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

    pub(super) fn send_chat_action(&mut self, input: &Input) -> Result<Value, ApiFailure> {
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
