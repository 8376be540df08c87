//! Everything that differs between Telegram and Bale, in one place: base URLs, deep links,
//! how text is sent (Bale renders its own Markdown in plain text), the default send rates, and
//! building the teloxide `Bot` for a platform.

use std::time::Duration;

use secrecy::ExposeSecret;
use teloxide::Bot;

use crate::config::PlatformConfig;
use crate::domain::member::Platform;

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

/// A teloxide `Bot` for the configured platform, with a request timeout of `timeout`.
pub fn bot(config: &PlatformConfig, timeout: Duration) -> anyhow::Result<Bot> {
    let client = teloxide::net::default_reqwest_settings()
        .timeout(timeout)
        .pool_max_idle_per_host(64)
        .build()?;
    let url = reqwest_url(&config.api_url)?;
    Ok(Bot::with_client(config.token.expose_secret(), client).set_api_url(url))
}

fn reqwest_url(url: &str) -> anyhow::Result<reqwest::Url> {
    Ok(url.parse()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bale_text_is_neutralised() {
        assert_eq!(
            outgoing_text(Platform::Bale, "a*b_c [x](y)"),
            "a∗b‗c ［x］(y)"
        );
        assert_eq!(outgoing_text(Platform::Telegram, "a*b_c"), "a*b_c");
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
