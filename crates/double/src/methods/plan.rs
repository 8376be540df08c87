//! Validating a delivery into a plan: the texts, captions, keyboards and replies Telegram
//! would refuse, with its error texts.

use super::*;

impl State {
    pub(super) fn plan(&self, delivery: Delivery, input: &Input) -> Result<Plan, ApiFailure> {
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

    pub(super) fn plan_edit(&self, delivery: Delivery, input: &Input) -> Result<Plan, ApiFailure> {
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
    pub(super) fn reply_target(
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
}

/// A required message text: non-blank and at most [`MAX_TEXT`] characters.
pub(super) fn message_text(input: &Input, key: &str) -> Result<String, ApiFailure> {
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
pub(super) fn caption(input: &Input) -> Result<Option<String>, ApiFailure> {
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
pub(super) fn reply_markup(input: &Input) -> Result<Option<Value>, ApiFailure> {
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
