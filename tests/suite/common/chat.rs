//! Reading what the bot sent to a chat of the Bot API double.

use std::time::Duration;

use setad::domain::member::Platform;
use setad_double::{Double, Flavour, Sent};

/// Waits for the next message to `chat` after the first `seen`, and returns it.
pub async fn next_to(double: &Double, chat: i64, seen: usize) -> Sent {
    let ok = double
        .wait_for(
            |v| v.messages_to(chat).count() > seen,
            Duration::from_secs(20),
        )
        .await;
    assert!(
        ok,
        "no message to {chat} after {seen}: {:#?}",
        double.messages_to(chat)
    );
    double.messages_to(chat).into_iter().nth(seen).unwrap()
}

/// Waits for a message to `chat` that contains `needle`; returns where it is among the
/// messages to `chat`, and them.
pub async fn wait_for_text(double: &Double, chat: i64, needle: &str) -> (usize, Vec<Sent>) {
    let found = double
        .wait_for(
            |v| {
                v.messages_to(chat)
                    .any(|m| m.text.as_deref().is_some_and(|t| t.contains(needle)))
            },
            Duration::from_secs(20),
        )
        .await;
    let sent = double.messages_to(chat);
    assert!(found, "no «{needle}» to {chat}: {sent:#?}");
    let at = sent.iter().position(|m| text(m).contains(needle)).unwrap();
    (at, sent)
}

/// A message's text (or caption), empty if none.
pub fn text(m: &Sent) -> &str {
    m.text.as_deref().unwrap_or("")
}

/// The callback data of a message's inline buttons, row by row.
pub fn button_data(m: &Sent) -> Vec<String> {
    let markup = m.reply_markup.clone().unwrap_or_default();
    markup["inline_keyboard"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row.as_array().cloned().unwrap_or_default())
        .filter_map(|b| b["callback_data"].as_str().map(str::to_owned))
        .collect()
}

/// The platform a flavour of the double plays.
pub fn platform_of(flavour: Flavour) -> Platform {
    match flavour {
        Flavour::Telegram => Platform::Telegram,
        Flavour::Bale => Platform::Bale,
    }
}

/// The word of a flavour in the environment's variable names (`SETAD_{it}_TOKEN`).
pub fn platform_var(flavour: Flavour) -> &'static str {
    match flavour {
        Flavour::Telegram => "TELEGRAM",
        Flavour::Bale => "BALE",
    }
}

/// Sends something to the bot (`send`) and returns the bot's next message to `chat`.
pub async fn answer<T>(double: &Double, chat: i64, send: impl FnOnce() -> T) -> Sent {
    let seen = double.messages_to(chat).len();
    send();
    next_to(double, chat, seen).await
}
