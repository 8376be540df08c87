//! Applying a validated plan to the state: the message stored and recorded, files kept.

use super::*;

impl State {
    /// Delivers a validated plan: stores the message, records it, renders the answer.
    pub(super) fn apply(&mut self, plan: Plan, at: Duration) -> Value {
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
    pub(super) fn store_file(&mut self, file: FileArg, photo: bool) -> (FileMeta, SentFile) {
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

    pub(super) fn new_file_meta(
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
}

/// Width and height of a PNG, or zeros for anything else.
pub(super) fn png_dimensions(bytes: &[u8]) -> (u32, u32) {
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
