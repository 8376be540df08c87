//! Configuration from the environment (see `.env.example`). Tokens are kept in
//! [`SecretString`]s: they never appear in logs, errors or `Debug` output.

use std::net::SocketAddr;

use chrono::Weekday;
use chrono_tz::Tz;
use secrecy::SecretString;

use crate::domain::Lang;
use crate::domain::member::Platform;
use crate::platform::{SendRates, default_rates};

/// Telegram's public Bot API.
pub const TELEGRAM_API_URL: &str = "https://api.telegram.org";
/// Bale's Bot API.
pub const BALE_API_URL: &str = "https://tapi.bale.ai";
/// The database used when `DATABASE_URL` is not set.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://setad.db";

/// One messenger the bot serves.
#[derive(Debug, Clone)]
pub struct PlatformConfig {
    /// Which messenger.
    pub platform: Platform,
    /// The bot's token.
    pub token: SecretString,
    /// The Bot API base URL (no `/bot` suffix).
    pub api_url: String,
    /// The bot's username, for deep links (`SETAD_TELEGRAM_BOT` / `SETAD_BALE_BOT`); asked from
    /// the messenger at start when not set.
    pub username: Option<String>,
    /// How fast the send queue may send (`SETAD_TELEGRAM_RATE` / `SETAD_TELEGRAM_CHAT_RATE`,
    /// `SETAD_BALE_RATE` / `SETAD_BALE_CHAT_RATE`, messages per second).
    pub rates: SendRates,
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Pretty,
    /// One JSON object a line.
    Json,
}

/// Everything the bot is configured with.
#[derive(Debug, Clone)]
pub struct Config {
    /// The messengers served (none: the operator commands still work).
    pub platforms: Vec<PlatformConfig>,
    /// `sqlite://PATH` or `postgres://…`.
    pub database_url: String,
    /// The time zone "today" and every reminder time are in.
    pub tz: Tz,
    /// The default language.
    pub locale: Lang,
    /// The days of the week nobody works (Friday by default).
    pub weekend: Vec<Weekday>,
    /// Webhook mode: the public URL the messenger posts updates to.
    pub webhook_url: Option<String>,
    /// Webhook mode: the local address to listen on.
    pub listen: Option<SocketAddr>,
    /// Where `/healthz` and `/metrics` are served (`SETAD_METRICS_LISTEN`); not at all when
    /// unset.
    pub metrics_listen: Option<SocketAddr>,
    /// Log format.
    pub log_format: LogFormat,
    /// Variables that are set but no longer read (`SETAD_CATCH_UP_HOURS`: a message is now
    /// sent while it is useful, whatever delayed it); `setad run` warns of them.
    pub obsolete: Vec<&'static str>,
    /// Sends in flight at once per platform (`SETAD_SEND_CONCURRENCY`).
    pub send_concurrency: usize,
    /// Run the scheduler's tick at this interval instead of every minute on the minute
    /// (`SETAD_TICK_SECONDS`; for rehearsals and tests).
    pub tick_interval: Option<std::time::Duration>,
    /// The long-polling timeout (`SETAD_POLL_SECONDS`, default 25).
    pub poll_timeout: std::time::Duration,
    /// Threads for the asynchronous work (`SETAD_WORKER_THREADS`, default 1): the bot's own
    /// work per update is small and mostly waits on the network and the database, and every
    /// further thread costs a wake-up of a parked thread for much of what it takes over (on a
    /// 2-core machine, 2 threads took about 40% more CPU per reply than 1).
    pub worker_threads: usize,
}

/// A configuration value that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    /// The environment variable.
    pub variable: &'static str,
    /// What is wrong with it (never the value of a secret).
    pub problem: String,
}

fn weekday(s: &str) -> Option<Weekday> {
    match s.trim().to_ascii_lowercase().get(..3)? {
        "mon" => Some(Weekday::Mon),
        "tue" => Some(Weekday::Tue),
        "wed" => Some(Weekday::Wed),
        "thu" => Some(Weekday::Thu),
        "fri" => Some(Weekday::Fri),
        "sat" => Some(Weekday::Sat),
        "sun" => Some(Weekday::Sun),
        _ => None,
    }
}

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_vars(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `var` (the environment, or a test's map).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let get = |name: &str| {
            var(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let mut platforms = Vec::new();
        let number =
            |variable: &'static str, min: f64, max: f64| -> Result<Option<f64>, ConfigError> {
                match get(variable) {
                    None => Ok(None),
                    Some(v) => match v.parse::<f64>() {
                        Ok(n) if n >= min && n <= max => Ok(Some(n)),
                        _ => Err(ConfigError {
                            variable,
                            problem: format!("`{v}` is not a number from {min} to {max}"),
                        }),
                    },
                }
            };
        struct Vars {
            platform: Platform,
            token: &'static str,
            url: &'static str,
            bot: &'static str,
            default_url: &'static str,
            rate: &'static str,
            chat_rate: &'static str,
        }
        let telegram = Vars {
            platform: Platform::Telegram,
            token: "SETAD_TELEGRAM_TOKEN",
            url: "SETAD_TELEGRAM_API_URL",
            bot: "SETAD_TELEGRAM_BOT",
            default_url: TELEGRAM_API_URL,
            rate: "SETAD_TELEGRAM_RATE",
            chat_rate: "SETAD_TELEGRAM_CHAT_RATE",
        };
        let bale = Vars {
            platform: Platform::Bale,
            token: "SETAD_BALE_TOKEN",
            url: "SETAD_BALE_API_URL",
            bot: "SETAD_BALE_BOT",
            default_url: BALE_API_URL,
            rate: "SETAD_BALE_RATE",
            chat_rate: "SETAD_BALE_CHAT_RATE",
        };
        for vars in [telegram, bale] {
            let (platform, token_var, url_var, bot_var, default_url) = (
                vars.platform,
                vars.token,
                vars.url,
                vars.bot,
                vars.default_url,
            );
            let defaults = default_rates(platform);
            // 0 means no limit (a local Bot API server, a benchmark).
            let overall = match number(vars.rate, 0.0, 100_000.0)? {
                Some(0.0) => f64::INFINITY,
                Some(n) => n,
                None => defaults.overall,
            };
            let per_chat = number(vars.chat_rate, 0.01, 1_000.0)?.unwrap_or(defaults.per_chat);
            let rates = SendRates { overall, per_chat };
            if let Some(token) = get(token_var) {
                let api_url = get(url_var).unwrap_or_else(|| default_url.to_owned());
                if !(api_url.starts_with("http://") || api_url.starts_with("https://")) {
                    return Err(ConfigError {
                        variable: url_var,
                        problem: "must be an http(s) URL".into(),
                    });
                }
                platforms.push(PlatformConfig {
                    platform,
                    token: SecretString::from(token),
                    api_url: api_url.trim_end_matches('/').to_owned(),
                    username: get(bot_var).map(|u| u.trim_start_matches('@').to_owned()),
                    rates,
                });
            }
        }
        let tz = match get("SETAD_TZ") {
            Some(name) => name.parse::<Tz>().map_err(|_| ConfigError {
                variable: "SETAD_TZ",
                problem: format!("unknown time zone `{name}`"),
            })?,
            None => chrono_tz::Asia::Tehran,
        };
        let locale = match get("SETAD_LOCALE") {
            Some(code) => Lang::parse(&code).ok_or_else(|| ConfigError {
                variable: "SETAD_LOCALE",
                problem: format!("unsupported language `{code}` (fa or en)"),
            })?,
            None => Lang::Fa,
        };
        let weekend = match get("SETAD_WEEKEND") {
            Some(list) if list == "none" => Vec::new(),
            Some(list) => list
                .split(',')
                .map(|d| {
                    weekday(d).ok_or_else(|| ConfigError {
                        variable: "SETAD_WEEKEND",
                        problem: format!("`{d}` is not a day (fri, thu, …)"),
                    })
                })
                .collect::<Result<_, _>>()?,
            None => vec![Weekday::Fri],
        };
        let address = |variable: &'static str, example: &str| match get(variable) {
            Some(addr) => addr
                .parse::<SocketAddr>()
                .map(Some)
                .map_err(|_| ConfigError {
                    variable,
                    problem: format!("`{addr}` is not an address like {example}"),
                }),
            None => Ok(None),
        };
        let listen = address("SETAD_LISTEN", "0.0.0.0:8443")?;
        let metrics_listen = address("SETAD_METRICS_LISTEN", "127.0.0.1:9464")?;
        let log_format = match get("SETAD_LOG_FORMAT").as_deref() {
            None | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError {
                    variable: "SETAD_LOG_FORMAT",
                    problem: format!("`{other}` is neither pretty nor json"),
                });
            }
        };
        let obsolete: Vec<&'static str> = ["SETAD_CATCH_UP_HOURS"]
            .into_iter()
            .filter(|v| get(v).is_some())
            .collect();
        let send_concurrency =
            number("SETAD_SEND_CONCURRENCY", 1.0, 1024.0)?.unwrap_or(32.0) as usize;
        let tick_interval =
            number("SETAD_TICK_SECONDS", 0.05, 3600.0)?.map(std::time::Duration::from_secs_f64);
        let poll_timeout = std::time::Duration::from_secs(
            number("SETAD_POLL_SECONDS", 0.0, 50.0)?.unwrap_or(25.0) as u64,
        );
        let worker_threads = match number("SETAD_WORKER_THREADS", 1.0, 256.0)? {
            None => 1,
            Some(n) if n.fract() == 0.0 => n as usize,
            Some(n) => {
                return Err(ConfigError {
                    variable: "SETAD_WORKER_THREADS",
                    problem: format!("`{n}` is not a whole number"),
                });
            }
        };
        Ok(Config {
            poll_timeout,
            worker_threads,
            obsolete,
            send_concurrency,
            tick_interval,
            platforms,
            database_url: get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned()),
            tz,
            locale,
            weekend,
            webhook_url: get("SETAD_WEBHOOK_URL"),
            listen,
            metrics_listen,
            log_format,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_vars(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults() {
        let c = config(&[]).unwrap();
        assert!(c.platforms.is_empty());
        assert_eq!(c.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(c.tz, chrono_tz::Asia::Tehran);
        assert_eq!(c.locale, Lang::Fa);
        assert_eq!(c.weekend, vec![Weekday::Fri]);
    }

    #[test]
    fn platforms_and_secrets() {
        let c = config(&[
            ("SETAD_BALE_TOKEN", "123:secret-value"),
            ("SETAD_BALE_API_URL", "http://127.0.0.1:9/"),
            ("SETAD_WEEKEND", "thu,fri"),
        ])
        .unwrap();
        assert_eq!(c.platforms.len(), 1);
        assert_eq!(c.platforms[0].platform, Platform::Bale);
        assert_eq!(c.platforms[0].api_url, "http://127.0.0.1:9");
        assert!(
            !format!("{c:?}").contains("secret-value"),
            "the token leaked into Debug"
        );
        assert_eq!(c.weekend, vec![Weekday::Thu, Weekday::Fri]);
    }

    #[test]
    fn worker_threads() {
        assert_eq!(config(&[]).unwrap().worker_threads, 1);
        let four = config(&[("SETAD_WORKER_THREADS", "4")]).unwrap();
        assert_eq!(four.worker_threads, 4);
        for bad in ["0", "1.5", "many", "1000"] {
            let e = config(&[("SETAD_WORKER_THREADS", bad)]).unwrap_err();
            assert_eq!(e.variable, "SETAD_WORKER_THREADS", "{bad}");
        }
    }

    #[test]
    fn send_rates() {
        let c = config(&[
            ("SETAD_TELEGRAM_TOKEN", "1:x"),
            ("SETAD_BALE_TOKEN", "2:y"),
            ("SETAD_BALE_RATE", "4"),
        ])
        .unwrap();
        assert_eq!(c.platforms[0].rates, default_rates(Platform::Telegram));
        assert_eq!(c.platforms[1].rates.overall, 4.0);
        let unlimited = config(&[
            ("SETAD_TELEGRAM_TOKEN", "1:x"),
            ("SETAD_TELEGRAM_RATE", "0"),
        ])
        .unwrap();
        assert!(unlimited.platforms[0].rates.overall.is_infinite());
        assert_eq!(
            config(&[("SETAD_SEND_CONCURRENCY", "0")])
                .unwrap_err()
                .variable,
            "SETAD_SEND_CONCURRENCY"
        );
        assert!(config(&[]).unwrap().obsolete.is_empty());
        assert_eq!(
            config(&[("SETAD_CATCH_UP_HOURS", "48")]).unwrap().obsolete,
            ["SETAD_CATCH_UP_HOURS"]
        );
    }

    #[test]
    fn bad_values_name_the_variable() {
        assert_eq!(
            config(&[("SETAD_TZ", "Mars/Base")]).unwrap_err().variable,
            "SETAD_TZ"
        );
        assert_eq!(
            config(&[("SETAD_LOCALE", "de")]).unwrap_err().variable,
            "SETAD_LOCALE"
        );
        assert_eq!(
            config(&[("SETAD_WEEKEND", "someday")])
                .unwrap_err()
                .variable,
            "SETAD_WEEKEND"
        );
        let e = config(&[
            ("SETAD_TELEGRAM_TOKEN", "x"),
            ("SETAD_TELEGRAM_API_URL", "ftp://x"),
        ])
        .unwrap_err();
        assert_eq!(e.variable, "SETAD_TELEGRAM_API_URL");
    }

    #[test]
    fn metrics_listen() {
        assert_eq!(config(&[]).unwrap().metrics_listen, None);
        let c = config(&[("SETAD_METRICS_LISTEN", "127.0.0.1:9464")]).unwrap();
        assert_eq!(c.metrics_listen, Some(([127, 0, 0, 1], 9464).into()));
        for bad in ["9464", "localhost:9464", "127.0.0.1:99999", "127.0.0.1"] {
            let e = config(&[("SETAD_METRICS_LISTEN", bad)]).unwrap_err();
            assert_eq!(e.variable, "SETAD_METRICS_LISTEN", "{bad}");
            assert!(e.problem.contains(bad), "{e}");
        }
    }
}
