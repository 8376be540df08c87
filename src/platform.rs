//! Everything that differs between Telegram and Bale, in one place: base URLs, deep links,
//! how text is sent (Bale renders its own Markdown in plain text, and replies with
//! `reply_to_message_id`, which teloxide cannot send), the default send rates, how an answer is
//! classified, the ports a webhook may use (Bale: 443 and 88 only), building the teloxide `Bot`, and completing Bale's JSON so that teloxide's strict
//! types can read it (`getMe` without its flags, users without `is_bot`, callback queries
//! without `chat_instance`).
//!
//! Telegram messages are sent through teloxide. Bale messages are posted as JSON through the
//! same `Bot`'s HTTP client, URL and token, because teloxide's `SendMessage` has no
//! `reply_to_message_id` and its strict `Message` type cannot read Bale's answers.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, MessageId, ReplyParameters};
use teloxide::{ApiError, Bot, RequestError};

use crate::domain::member::Platform;

/// What became of one send.
#[derive(Debug, Clone, PartialEq)]
pub enum Delivery {
    /// Delivered, with the message id when the answer could be read.
    Sent(Option<i64>),
    /// 429: wait this long.
    RateLimited(Duration),
    /// 5xx, a network error, a timeout: try again later.
    Transient(String),
    /// 403: the member blocked the bot or left.
    Unreachable(String),
    /// 401: the messenger refuses the bot's token (revoked, or another bot's): nothing on this
    /// platform can work until an operator gives a right one.
    Rejected(String),
    /// Anything else (400 …): sending again will not help.
    Failed(String),
}

impl std::fmt::Display for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Delivery::Sent(_) => f.write_str("sent"),
            Delivery::RateLimited(wait) => write!(f, "429, retry after {} s", wait.as_secs()),
            Delivery::Transient(e) => write!(f, "not answered: {e}"),
            Delivery::Unreachable(e) => write!(f, "chat unreachable: {e}"),
            Delivery::Rejected(e) => write!(f, "token refused: {e}"),
            Delivery::Failed(e) => write!(f, "refused: {e}"),
        }
    }
}

/// The delay before attempt `attempts + 1` of something that failed: `base · 2^attempts`,
/// capped at `max`, times a jitter in [0.5, 1.5) (`jitter` in [0, 1)), so that many waiters
/// do not come back at the same instant.
pub fn backoff(base: Duration, max: Duration, attempts: i64, jitter: f64) -> Duration {
    let exp = base.as_secs_f64() * 2f64.powi(attempts.clamp(0, 30) as i32);
    Duration::from_secs_f64(exp.min(max.as_secs_f64()) * (0.5 + jitter.clamp(0.0, 1.0)))
}

/// Where a platform's parts say that the messenger refused the token (the platform, and what
/// it answered): the app stops that platform, and the process when none is left.
pub type Refusals = tokio::sync::mpsc::UnboundedSender<(Platform, String)>;

/// A message to send.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outgoing {
    /// The chat.
    pub chat_id: i64,
    /// The text (as written; [`outgoing_text`] is applied when sending).
    pub text: String,
    /// The message it answers.
    pub reply_to: Option<i64>,
    /// Inline buttons: rows of (label, callback data).
    pub buttons: Vec<Vec<(String, String)>>,
}

/// Sends `out` on `platform`.
pub async fn send(bot: &Bot, platform: Platform, out: &Outgoing) -> Delivery {
    let text = outgoing_text(platform, &out.text);
    match platform {
        Platform::Telegram => {
            let mut request = bot.send_message(ChatId(out.chat_id), text);
            if let Some(id) = out.reply_to.and_then(|id| i32::try_from(id).ok()) {
                request = request.reply_parameters(
                    ReplyParameters::new(MessageId(id)).allow_sending_without_reply(),
                );
            }
            if !out.buttons.is_empty() {
                request = request.reply_markup(keyboard(&out.buttons));
            }
            classify(request.await.map(|m| i64::from(m.id.0)))
        }
        Platform::Bale => {
            let mut body = json!({ "chat_id": out.chat_id, "text": text });
            if let Some(id) = out.reply_to {
                body["reply_to_message_id"] = json!(id);
            }
            if !out.buttons.is_empty() {
                body["reply_markup"] = keyboard_json(&out.buttons);
            }
            match call(bot, "sendMessage", &body).await {
                Ok(result) => Delivery::Sent(result["message_id"].as_i64()),
                Err(d) => d,
            }
        }
    }
}

fn keyboard(rows: &[Vec<(String, String)>]) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(rows.iter().map(|row| {
        row.iter()
            .map(|(label, data)| InlineKeyboardButton::callback(label.clone(), data.clone()))
            .collect::<Vec<_>>()
    }))
}

fn keyboard_json(rows: &[Vec<(String, String)>]) -> Value {
    json!({ "inline_keyboard": rows.iter().map(|row| row.iter().map(|(label, data)| json!({"text": label, "callback_data": data})).collect::<Vec<_>>()).collect::<Vec<_>>() })
}

/// Posts a Bot API method as JSON and reads the envelope: the `result`, or the [`Delivery`]
/// the error amounts to. Used for Bale, and for the raw calls of both platforms
/// (`getUpdates`, `getMe`) whose JSON is stored or completed before it is typed.
pub async fn call(bot: &Bot, method: &str, body: &Value) -> Result<Value, Delivery> {
    let mut url = bot.api_url();
    let path = format!(
        "{}/bot{}/{method}",
        url.path().trim_end_matches('/'),
        bot.token()
    );
    url.set_path(&path);
    let response = bot
        .client()
        .post(url)
        .json(body)
        .send()
        .await
        .map_err(|e| Delivery::Transient(without_token(&with_causes(&e), bot.token())))?;
    let status = response.status();
    let text = response
        .text()
        .await
        .map_err(|e| Delivery::Transient(without_token(&with_causes(&e), bot.token())))?;
    let envelope: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if envelope["ok"] == Value::Bool(true) {
        return Ok(envelope["result"].clone());
    }
    let code = envelope["error_code"]
        .as_u64()
        .unwrap_or(u64::from(status.as_u16()));
    let description = envelope["description"].as_str().unwrap_or("").to_owned();
    Err(match code {
        429 => Delivery::RateLimited(Duration::from_secs(
            envelope["parameters"]["retry_after"]
                .as_u64()
                .unwrap_or(1)
                .max(1),
        )),
        401 => Delivery::Rejected(format!("{code} {description}")),
        403 => Delivery::Unreachable(description),
        500..=599 => Delivery::Transient(format!("{code} {description}")),
        _ if envelope.is_null() => Delivery::Transient(format!("{status}: unreadable answer")),
        _ => Delivery::Failed(format!("{code} {description}")),
    })
}

/// The ports a messenger posts webhooks to: Telegram 443, 80, 88 and 8443; Bale only 443
/// and 88.
pub fn webhook_ports(platform: Platform) -> &'static [u16] {
    match platform {
        Platform::Telegram => &[443, 80, 88, 8443],
        Platform::Bale => &[443, 88],
    }
}

/// The port of a webhook URL, if it is an `https` URL the messenger of `platform` posts to;
/// otherwise `Err` with the port it names (`None`: not an `https` URL at all).
pub fn webhook_port(platform: Platform, url: &str) -> Result<u16, Option<u16>> {
    let url = reqwest::Url::parse(url).map_err(|_| None)?;
    if url.scheme() != "https" {
        return Err(None);
    }
    let port = url.port_or_known_default().ok_or(None)?;
    if webhook_ports(platform).contains(&port) {
        Ok(port)
    } else {
        Err(Some(port))
    }
}

/// Whether a failed call means the token itself is wrong: the Bot API answers 401
/// (Unauthorized) to a token it does not know and 404 (Not Found) to one that is not even
/// shaped like a token, on Telegram and Bale alike.
pub fn rejects_token(failure: &Delivery) -> bool {
    match failure {
        Delivery::Rejected(_) => true,
        Delivery::Failed(text) => text.starts_with("401 ") || text.starts_with("404 "),
        _ => false,
    }
}

/// An error with its causes (`error sending request …: tcp connect error: Connection refused`):
/// reqwest's own message names the URL but not why.
pub fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let more = cause.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = cause.source();
    }
    text
}

fn without_token(message: &str, token: &str) -> String {
    if token.is_empty() {
        message.to_owned()
    } else {
        message.replace(token, "***")
    }
}

/// Sends a document (an XLSX export) with a caption.
pub async fn send_document(
    bot: &Bot,
    platform: Platform,
    chat_id: i64,
    name: &str,
    bytes: Vec<u8>,
    caption: &str,
) -> Delivery {
    let file = teloxide::types::InputFile::memory(bytes).file_name(name.to_owned());
    let request = bot
        .send_document(ChatId(chat_id), file)
        .caption(outgoing_text(platform, caption));
    match request.await {
        Ok(m) => Delivery::Sent(Some(i64::from(m.id.0))),
        Err(e) => classify(Err(e)),
    }
}

/// Answers a button press (every press must be answered, on both platforms).
pub async fn answer_callback(bot: &Bot, id: &str, text: Option<&str>) -> Delivery {
    let mut body = json!({ "callback_query_id": id });
    if let Some(t) = text {
        body["text"] = json!(t);
    }
    match call(bot, "answerCallbackQuery", &body).await {
        Ok(_) => Delivery::Sent(None),
        Err(d) => d,
    }
}

/// Classifies teloxide's answer to a send.
pub fn classify(result: Result<i64, RequestError>) -> Delivery {
    match result {
        Ok(id) => Delivery::Sent(Some(id)),
        Err(RequestError::RetryAfter(s)) => Delivery::RateLimited(s.duration()),
        Err(RequestError::Api(e)) => {
            let text = e.to_string();
            match e {
                ApiError::BotBlocked
                | ApiError::BotKicked
                | ApiError::BotKickedFromSupergroup
                | ApiError::BotKickedFromChannel
                | ApiError::UserDeactivated
                | ApiError::CantInitiateConversation
                | ApiError::CantTalkWithBots => Delivery::Unreachable(text),
                ApiError::InvalidToken => Delivery::Rejected(text),
                _ if text.starts_with("Forbidden") => Delivery::Unreachable(text),
                ApiError::Unknown(ref s) if looks_transient(s) => Delivery::Transient(text),
                _ => Delivery::Failed(text),
            }
        }
        Err(RequestError::InvalidJson { raw, .. }) => {
            // Delivered if the messenger said ok (its Message may lack fields teloxide
            // requires); otherwise an error page from a proxy: try again.
            match serde_json::from_str::<Value>(&raw) {
                Ok(v) if v["ok"] == Value::Bool(true) => {
                    Delivery::Sent(v["result"]["message_id"].as_i64())
                }
                _ => Delivery::Transient(format!(
                    "unreadable answer: {}",
                    raw.chars().take(120).collect::<String>()
                )),
            }
        }
        Err(RequestError::MigrateToChatId(_)) => {
            Delivery::Failed("the group moved to a supergroup".into())
        }
        Err(e) => Delivery::Transient(e.to_string()),
    }
}

fn looks_transient(description: &str) -> bool {
    let d = description.to_ascii_lowercase();
    [
        "bad gateway",
        "internal server error",
        "service unavailable",
        "gateway timeout",
        "timeout",
        "too many",
    ]
    .iter()
    .any(|s| d.contains(s))
}

/// Completes an update's JSON from Bale so that teloxide's types read it: users get
/// `is_bot: false`, callback queries an empty `chat_instance`, chats a `type`, files a
/// `file_unique_id`. Telegram's updates are left as they are.
pub fn complete_update(platform: Platform, update: &mut Value) {
    if platform == Platform::Bale {
        complete(update, None);
    }
}

fn complete(value: &mut Value, key: Option<&str>) {
    match value {
        Value::Object(map) => {
            match key {
                Some("from" | "user" | "forward_from" | "via_bot" | "left_chat_member") => {
                    map.entry("is_bot").or_insert(Value::Bool(false));
                    map.entry("first_name")
                        .or_insert(Value::String(String::new()));
                }
                Some("chat" | "sender_chat") if !map.contains_key("type") => {
                    let kind = if map.contains_key("title") {
                        "group"
                    } else {
                        "private"
                    };
                    map.insert("type".into(), Value::String(kind.into()));
                }
                Some("callback_query") => {
                    map.entry("chat_instance")
                        .or_insert(Value::String(String::new()));
                }
                Some(
                    "document" | "photo" | "audio" | "video" | "voice" | "sticker" | "animation"
                    | "video_note",
                ) => {
                    if let Some(id) = map.get("file_id").cloned() {
                        map.entry("file_unique_id").or_insert(id);
                    }
                }
                _ => {}
            }
            for (k, v) in map.iter_mut() {
                let k = k.clone();
                complete(v, Some(&k));
            }
        }
        Value::Array(items) => {
            let user_list = matches!(key, Some("new_chat_members"));
            for item in items {
                complete(item, if user_list { Some("user") } else { key });
            }
        }
        _ => {}
    }
}

/// Completes a `getMe` answer: Bale's lacks the flags teloxide's `Me` requires.
pub fn complete_me(me: &mut Value) {
    if let Value::Object(map) = me {
        map.entry("is_bot").or_insert(Value::Bool(true));
        for flag in [
            "can_join_groups",
            "can_read_all_group_messages",
            "supports_inline_queries",
            "can_connect_to_business",
            "has_main_web_app",
        ] {
            map.entry(flag).or_insert(Value::Bool(false));
        }
    }
}

/// How fast the send queue may send on a platform.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SendRates {
    /// Messages per second over all chats (`f64::INFINITY`: no limit).
    pub overall: f64,
    /// Messages per second to one chat.
    pub per_chat: f64,
}

/// The default rates: Telegram's published bulk limits (about 30 a second, one a second per
/// chat); Bale publishes none, so start lower (reported: about 4/s in a loop hit limits) and
/// let the queue adapt to its 429s.
pub fn default_rates(platform: Platform) -> SendRates {
    match platform {
        Platform::Telegram => SendRates {
            overall: 30.0,
            per_chat: 1.0,
        },
        Platform::Bale => SendRates {
            overall: 10.0,
            per_chat: 1.0,
        },
    }
}

/// The text as it is sent. Telegram gets plain text (no `parse_mode`). Bale has no
/// `parse_mode` but renders `*bold*`, `_italic_` and `[text](url)` in plain text, so those
/// characters are replaced by look-alikes that it leaves alone.
pub fn outgoing_text(platform: Platform, text: &str) -> String {
    match platform {
        Platform::Telegram => text.to_owned(),
        Platform::Bale => text
            .replace('*', "∗")
            .replace('_', "‗")
            .replace('[', "［")
            .replace(']', "］"),
    }
}

/// The link that opens the bot with `/start CODE`.
pub fn deep_link(platform: Platform, bot: &str, code: &str) -> String {
    match platform {
        Platform::Telegram => format!("https://t.me/{bot}?start={code}"),
        Platform::Bale => format!("https://ble.ir/{bot}?start={code}"),
    }
}

/// A teloxide `Bot` with `token` on the Bot API at `api_url` (no `/bot` suffix), with a request
/// timeout of `timeout`.
pub fn bot(token: &SecretString, api_url: &str, timeout: Duration) -> anyhow::Result<Bot> {
    let client = teloxide::net::default_reqwest_settings()
        .timeout(timeout)
        .pool_max_idle_per_host(64)
        .build()?;
    let url = reqwest_url(api_url)?;
    Ok(Bot::with_client(token.expose_secret(), client).set_api_url(url))
}

fn reqwest_url(url: &str) -> anyhow::Result<reqwest::Url> {
    Ok(url.parse()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bale_text_is_neutralised() {
        assert_eq!(
            outgoing_text(Platform::Bale, "a*b_c [x](y)"),
            "a∗b‗c ［x］(y)"
        );
        assert_eq!(outgoing_text(Platform::Telegram, "a*b_c"), "a*b_c");
    }

    #[test]
    fn bale_updates_are_completed() {
        let mut update = json!({
            "update_id": 5,
            "callback_query": {
                "id": "9", "data": "x",
                "from": {"id": 7, "first_name": "علی"},
                "message": {"message_id": 3, "date": 0, "chat": {"id": 7}, "text": "t",
                            "from": {"id": 1, "first_name": "bot", "is_bot": true},
                            "document": {"file_id": "f"}}
            }
        });
        complete_update(Platform::Bale, &mut update);
        let q = &update["callback_query"];
        assert_eq!(q["chat_instance"], "");
        assert_eq!(q["from"]["is_bot"], false);
        assert_eq!(
            q["message"]["from"]["is_bot"], true,
            "present fields are kept"
        );
        assert_eq!(q["message"]["chat"]["type"], "private");
        assert_eq!(q["message"]["document"]["file_unique_id"], "f");
        let parsed: teloxide::types::Update = serde_json::from_str(&update.to_string()).unwrap();
        assert!(
            matches!(parsed.kind, teloxide::types::UpdateKind::CallbackQuery(_)),
            "{parsed:?}"
        );

        let mut me = json!({"id": 1, "first_name": "ستاد", "username": "setad_bot"});
        complete_me(&mut me);
        let me: teloxide::types::Me = serde_json::from_value(me).unwrap();
        assert_eq!(me.username(), "setad_bot");
    }

    #[test]
    fn errors_are_classified() {
        use std::sync::Arc;
        assert_eq!(
            classify(Err(RequestError::Api(ApiError::BotBlocked))),
            Delivery::Unreachable("Forbidden: bot was blocked by the user".into())
        );
        assert!(matches!(
            classify(Err(RequestError::Api(ApiError::Unknown(
                "Bad Gateway".into()
            )))),
            Delivery::Transient(_)
        ));
        assert!(matches!(
            classify(Err(RequestError::Api(ApiError::Unknown(
                "Bad Request: chat not found".into()
            )))),
            Delivery::Failed(_)
        ));
        let delivered = RequestError::InvalidJson {
            source: Arc::new(serde_json::from_str::<u8>("x").unwrap_err()),
            raw: r#"{"ok":true,"result":{"message_id":7}}"#.into(),
        };
        assert_eq!(classify(Err(delivered)), Delivery::Sent(Some(7)));
        let html = RequestError::InvalidJson {
            source: Arc::new(serde_json::from_str::<u8>("x").unwrap_err()),
            raw: "<html>502 Bad Gateway</html>".into(),
        };
        assert!(matches!(classify(Err(html)), Delivery::Transient(_)));
    }

    #[test]
    fn backoff_doubles_with_jitter_and_a_cap() {
        let base = Duration::from_secs(2);
        let max = Duration::from_secs(60);
        assert_eq!(backoff(base, max, 0, 0.5), Duration::from_secs(2));
        assert_eq!(backoff(base, max, 3, 0.5), Duration::from_secs(16));
        assert_eq!(backoff(base, max, 10, 0.5), Duration::from_secs(60));
        assert_eq!(backoff(base, max, 1, 0.0), Duration::from_secs(2));
        assert_eq!(backoff(base, max, 1, 1.0), Duration::from_secs(6));
        assert_eq!(backoff(base, max, 400, 0.5), Duration::from_secs(60));
    }

    #[test]
    fn webhooks_go_to_the_ports_each_messenger_allows() {
        for (platform, url, expected) in [
            (Platform::Telegram, "https://bot.example.org/hook", Ok(443)),
            (
                Platform::Telegram,
                "https://bot.example.org:8443/hook",
                Ok(8443),
            ),
            (
                Platform::Bale,
                "https://bot.example.org:8443/hook",
                Err(Some(8443)),
            ),
            (Platform::Bale, "https://bot.example.org:88/hook", Ok(88)),
            (Platform::Bale, "http://bot.example.org/hook", Err(None)),
            (Platform::Telegram, "not a url", Err(None)),
        ] {
            assert_eq!(webhook_port(platform, url), expected, "{platform} {url}");
        }
    }

    #[test]
    fn a_401_or_404_rejects_the_token() {
        for (failure, rejected) in [
            (Delivery::Rejected("401 Unauthorized".into()), true),
            (Delivery::Failed("404 Not Found".into()), true),
            (
                Delivery::Failed("400 Bad Request: chat not found".into()),
                false,
            ),
            (Delivery::Transient("502 Bad Gateway".into()), false),
            (Delivery::Unreachable("Forbidden".into()), false),
        ] {
            assert_eq!(rejects_token(&failure), rejected, "{failure:?}");
        }
    }

    #[test]
    fn links() {
        assert_eq!(
            deep_link(Platform::Bale, "setad_bot", "abc"),
            "https://ble.ir/setad_bot?start=abc"
        );
        assert_eq!(
            deep_link(Platform::Telegram, "setad_bot", "abc"),
            "https://t.me/setad_bot?start=abc"
        );
    }
}
