//! What the double imitates and how badly it behaves: [`DoubleConfig`], the [`Flavour`] of
//! messenger and the [`Quirks`] that tell the flavours apart. Plain data only: nothing here
//! touches the network or the double's state.

use std::time::Duration;

/// Which messenger's Bot API the double imitates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Flavour {
    /// Telegram: complete objects, exactly as teloxide expects them.
    #[default]
    Telegram,
    /// Bale (`tapi.bale.ai`): the same envelope and methods, with the gaps Bale is reported to
    /// have (see [`Quirks`]).
    Bale,
}

impl Flavour {
    /// The quirks this flavour has; [`DoubleConfig::quirks`] may override them one by one.
    #[must_use]
    pub fn quirks(self) -> Quirks {
        match self {
            Flavour::Telegram => Quirks {
                me_capability_flags: true,
                user_is_bot: true,
                callback_chat_instance: true,
                refuse_set_my_commands: false,
                webhook_secret_header: true,
                negative_group_ids: true,
            },
            Flavour::Bale => Quirks {
                me_capability_flags: false,
                user_is_bot: false,
                callback_chat_instance: false,
                refuse_set_my_commands: true,
                webhook_secret_header: false,
                negative_group_ids: false,
            },
        }
    }
}

/// The individual differences between Telegram and Bale, so that a test can switch one of
/// them on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Quirks {
    /// `getMe` carries `can_join_groups`, `can_read_all_group_messages`,
    /// `supports_inline_queries` and `has_main_web_app` (teloxide requires all four).
    pub me_capability_flags: bool,
    /// Every user object (the bot as `from` included) carries `is_bot` (teloxide requires it).
    pub user_is_bot: bool,
    /// Callback queries carry `chat_instance` (teloxide requires it).
    pub callback_chat_instance: bool,
    /// `setMyCommands` is answered 400 instead of being stored.
    pub refuse_set_my_commands: bool,
    /// Webhook posts carry `X-Telegram-Bot-Api-Secret-Token` when `setWebhook` set a secret.
    pub webhook_secret_header: bool,
    /// Group chat ids are negative (Telegram) rather than positive (Bale).
    pub negative_group_ids: bool,
}

/// How the double starts: identity of the bot, flavour, limits and fault rates.
///
/// Rates are shares in `0.0..=1.0` (out-of-range or non-finite values are clamped to that
/// range, `NaN` counts as 0); limits are requests per second, and a limit that is not a
/// positive finite number means "no limit".
#[derive(Clone, Debug)]
pub struct DoubleConfig {
    /// Which messenger to imitate.
    pub flavour: Flavour,
    /// Overrides the flavour's [`Quirks`] when set.
    pub quirks: Option<Quirks>,
    /// The bot's `username`, without `@`.
    pub bot_username: String,
    /// The bot's `first_name`.
    pub bot_first_name: String,
    /// The bot's user id (Telegram puts it before the `:` of the token; the double does not
    /// check that they match).
    pub bot_id: i64,
    /// Accepted send/edit requests per second over all chats (token bucket of capacity one
    /// second's worth).
    pub global_limit: Option<f64>,
    /// Accepted send/edit requests per second to one chat (token bucket of capacity 1: two
    /// deliveries to a chat are never closer than `1 / per_chat_limit` seconds).
    pub per_chat_limit: Option<f64>,
    /// Share of send/edit requests answered `502 Bad Gateway` (not delivered). Beware:
    /// teloxide sleeps 10 s after every 5xx answer.
    pub server_error_rate: f64,
    /// Share of send/edit requests that hang for [`hang_for`](Self::hang_for) before the
    /// double answers.
    pub hang_rate: f64,
    /// How long a hung request hangs. teloxide's HTTP client gives up after 17 s.
    pub hang_for: Duration,
    /// Whether a hung request still delivers its message (then it is answered normally after
    /// the hang); if not, the connection is closed after the hang without an answer.
    pub hang_delivers: bool,
    /// Share of send/edit requests whose connection is broken: a `200` header, then a body
    /// that fails, so the client sees a network error.
    pub drop_rate: f64,
    /// Whether a dropped request still delivers its message.
    pub drop_delivers: bool,
    /// Seed of the one random generator behind every fault decision.
    pub seed: u64,
    /// The first `update_id` handed out. Above `u32::MAX`, teloxide rejects whole
    /// `getUpdates` batches.
    pub first_update_id: i64,
    /// How many times a webhook post is tried before the update is given up (at least 1).
    pub webhook_max_attempts: u32,
    /// Wait after the first failed webhook post; doubled after each further failure.
    pub webhook_backoff: Duration,
    /// How long the double waits for the webhook receiver's answer.
    pub webhook_timeout: Duration,
    /// Largest request body accepted (uploads included).
    pub max_body_bytes: usize,
}

impl Default for DoubleConfig {
    fn default() -> Self {
        DoubleConfig {
            flavour: Flavour::Telegram,
            quirks: None,
            bot_username: "setad_test_bot".to_owned(),
            bot_first_name: "Setad".to_owned(),
            bot_id: 123,
            global_limit: None,
            per_chat_limit: None,
            server_error_rate: 0.0,
            hang_rate: 0.0,
            hang_for: Duration::from_secs(20),
            hang_delivers: true,
            drop_rate: 0.0,
            drop_delivers: false,
            seed: 0,
            first_update_id: 1,
            webhook_max_attempts: 5,
            webhook_backoff: Duration::from_millis(50),
            webhook_timeout: Duration::from_secs(5),
            max_body_bytes: 64 * 1024 * 1024,
        }
    }
}

impl DoubleConfig {
    /// The default configuration in the given flavour.
    #[must_use]
    pub fn flavoured(flavour: Flavour) -> Self {
        DoubleConfig {
            flavour,
            ..DoubleConfig::default()
        }
    }

    /// The quirks in force: the override if set, else the flavour's.
    #[must_use]
    pub fn effective_quirks(&self) -> Quirks {
        self.quirks.unwrap_or_else(|| self.flavour.quirks())
    }
}

/// Clamps a share to `0.0..=1.0`, treating `NaN` as 0.
pub(crate) fn share(rate: f64) -> f64 {
    if rate.is_nan() {
        0.0
    } else {
        rate.clamp(0.0, 1.0)
    }
}

/// Keeps a limit only if it is a positive finite number.
pub(crate) fn limit(rate: Option<f64>) -> Option<f64> {
    rate.filter(|r| r.is_finite() && *r > 0.0)
}
