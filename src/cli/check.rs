//! `setad check`: whether this installation is ready to go live, as a checklist in the
//! configured language, one line per point, each marked ✓ (fine), ! (works, but look at it),
//! ✗ (must be fixed) or – (not checked, because what it needs failed), then a verdict. It exits
//! non-zero when a line is ✗.
//!
//! It changes nothing: a missing SQLite file is not created, migrations are compared and not
//! applied, the write probe is rolled back, and the messengers are only asked (`getMe`,
//! `getWebhookInfo`). Tokens never appear in what it prints: the messengers' answers are
//! cleaned of them, and every line is scrubbed once more before it is written.

use std::io::Write;

use chrono::{DateTime, Utc};
use secrecy::ExposeSecret;
use serde_json::json;

use crate::config::{Config, ConfigError, PlatformConfig};
use crate::domain::Lang;
use crate::domain::member::Platform;
use crate::platform::{self, Delivery};
use crate::service::health::{self, Migrations, OpenError};
use crate::store::{QueueHealth, Store, StoreError};
use crate::t;

/// How long a messenger may take to answer one question.
const API_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Messages waiting longer than this make the queue line a warning (is `setad run` running?).
const QUEUE_STALL_SECS: i64 = 15 * 60;

/// The mark of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    Ok,
    Warn,
    Fail,
    Skipped,
}

impl Mark {
    fn symbol(self) -> &'static str {
        match self {
            Mark::Ok => "✓",
            Mark::Warn => "!",
            Mark::Fail => "✗",
            Mark::Skipped => "–",
        }
    }
}

/// The checklist as it is written: lines go out as soon as they are known (a messenger may
/// take seconds to answer), each cleaned of the tokens.
struct Checklist<W> {
    out: W,
    secrets: Vec<String>,
    problems: usize,
    warnings: usize,
}

impl<W: Write> Checklist<W> {
    fn line(&mut self, mark: Mark, text: String) -> std::io::Result<()> {
        match mark {
            Mark::Fail => self.problems += 1,
            Mark::Warn => self.warnings += 1,
            Mark::Ok | Mark::Skipped => {}
        }
        let mut text = text;
        for secret in &self.secrets {
            text = text.replace(secret.as_str(), "***");
        }
        writeln!(self.out, "{} {text}", mark.symbol())?;
        self.out.flush()
    }

    /// What `read` read, or `None` after a ✗ line worded by `text` from the error's causes.
    fn or_fail<T>(
        &mut self,
        read: Result<T, StoreError>,
        text: impl FnOnce(String) -> String,
    ) -> std::io::Result<Option<T>> {
        match read {
            Ok(value) => Ok(Some(value)),
            Err(e) => self
                .line(Mark::Fail, text(platform::with_causes(&e)))
                .map(|()| None),
        }
    }
}

/// Runs `setad check` on `config` (or the error reading it), at `now` (or the clock). Prints
/// the checklist to standard output; an `Err` when something must be fixed.
pub fn main(
    config: Result<Config, ConfigError>,
    now: Option<DateTime<Utc>>,
    offline: bool,
) -> anyhow::Result<()> {
    // The language of the configuration; when it cannot be read, that of SETAD_LOCALE if that
    // one is fine, Persian otherwise.
    let lang = match &config {
        Ok(c) => c.locale,
        Err(_) => std::env::var("SETAD_LOCALE")
            .ok()
            .and_then(|l| Lang::parse(l.trim()))
            .unwrap_or(Lang::Fa),
    };
    if let Ok(c) = &config {
        crate::telemetry::init(c.log_format, "warn");
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut list = Checklist {
        out: std::io::stdout().lock(),
        secrets: match &config {
            Ok(c) => c
                .platforms
                .iter()
                .map(|p| p.token.expose_secret().to_owned())
                .filter(|t| !t.is_empty())
                .collect(),
            Err(_) => Vec::new(),
        },
        problems: 0,
        warnings: 0,
    };
    let now = now.unwrap_or_else(Utc::now);
    runtime.block_on(check(&mut list, lang, config, now, offline))?;
    let verdict = match (list.problems, list.warnings) {
        (0, 0) => t!(lang, "check-ready"),
        (0, warnings) => t!(lang, "check-ready-warnings", warnings = warnings),
        (problems, warnings) => t!(
            lang,
            "check-not-ready",
            problems = problems,
            warnings = warnings
        ),
    };
    writeln!(list.out)?;
    writeln!(list.out, "{verdict}")?;
    list.out.flush()?;
    if list.problems > 0 {
        anyhow::bail!(t!(lang, "check-failed", problems = list.problems));
    }
    Ok(())
}

async fn check<W: Write>(
    list: &mut Checklist<W>,
    lang: Lang,
    config: Result<Config, ConfigError>,
    now: DateTime<Utc>,
    offline: bool,
) -> std::io::Result<()> {
    let config = match config {
        Ok(c) => c,
        Err(e) => {
            list.line(
                Mark::Fail,
                t!(lang, "check-config-bad", problem = e.to_string()),
            )?;
            return list.line(Mark::Skipped, t!(lang, "check-skipped-config"));
        }
    };
    if config.platforms.is_empty() {
        list.line(Mark::Fail, t!(lang, "check-config-no-platform"))?;
    } else {
        let names: Vec<String> = config
            .platforms
            .iter()
            .map(|p| platform_name(lang, p.platform))
            .collect();
        let mode = match &config.webhook_url {
            Some(url) => t!(lang, "check-mode-webhook", url = url.clone()),
            None => t!(lang, "check-mode-polling"),
        };
        list.line(
            Mark::Ok,
            t!(
                lang,
                "check-config-ok",
                platforms = names.join(&t!(lang, "list-comma")),
                mode = mode
            ),
        )?;
    }

    match database(list, lang, &config).await? {
        Some(store) => {
            migrations(list, lang, &store).await?;
            queue(list, lang, &store, now).await?;
            store.close().await;
        }
        None => list.line(Mark::Skipped, t!(lang, "check-skipped-database"))?,
    }

    for p in &config.platforms {
        let name = platform_name(lang, p.platform);
        webhook_url(list, lang, &config, p.platform)?;
        if offline {
            list.line(
                Mark::Skipped,
                t!(lang, "check-skipped-offline", platform = name),
            )?;
        } else {
            messenger(list, lang, &config, p).await?;
        }
    }
    Ok(())
}

/// The database line: opened as it is, and whether it takes writes. The store, when it opened.
async fn database<W: Write>(
    list: &mut Checklist<W>,
    lang: Lang,
    config: &Config,
) -> std::io::Result<Option<Store>> {
    let url = &config.database_url;
    // A relative SQLite path is shown as the file it is (the directory counts).
    let shown = health::sqlite_file(url)
        .map(|f| f.canonicalize().unwrap_or(f).display().to_string())
        .unwrap_or_else(|| super::redact(url));
    let store = match health::open(url).await {
        Ok(store) => store,
        Err(OpenError::Missing(file)) => {
            list.line(
                Mark::Fail,
                t!(lang, "check-db-missing", path = file.display().to_string()),
            )?;
            return Ok(None);
        }
        Err(OpenError::Store(e)) => {
            list.line(
                Mark::Fail,
                t!(
                    lang,
                    "check-db-unreachable",
                    database = shown,
                    error = platform::with_causes(&e)
                ),
            )?;
            return Ok(None);
        }
    };
    let backend = match store {
        Store::Sqlite(_) => "SQLite",
        Store::Postgres(_) => "PostgreSQL",
    };
    match health::writable(&store).await {
        Ok(()) => list.line(
            Mark::Ok,
            t!(lang, "check-db-ok", backend = backend, database = shown),
        )?,
        Err(e) => list.line(
            Mark::Fail,
            t!(
                lang,
                "check-db-readonly",
                backend = backend,
                database = shown,
                error = platform::with_causes(&e)
            ),
        )?,
    }
    Ok(Some(store))
}

async fn migrations<W: Write>(
    list: &mut Checklist<W>,
    lang: Lang,
    store: &Store,
) -> std::io::Result<()> {
    let read = health::migrations(store).await;
    let Some(m) = list.or_fail(read, |error| {
        t!(lang, "check-migrations-unreadable", error = error)
    })?
    else {
        return Ok(());
    };
    let count = m.known;
    if m.is_current() {
        let version = versions(&[m.latest.unwrap_or(0)]);
        return list.line(
            Mark::Ok,
            t!(
                lang,
                "check-migrations-ok",
                count = count,
                version = version
            ),
        );
    }
    let Migrations {
        pending,
        unknown,
        failed,
        changed,
        ..
    } = &m;
    let lines = [
        (
            unknown,
            t!(lang, "check-migrations-newer", versions = versions(unknown)),
        ),
        (
            failed,
            t!(lang, "check-migrations-failed", versions = versions(failed)),
        ),
        (
            changed,
            t!(
                lang,
                "check-migrations-changed",
                versions = versions(changed)
            ),
        ),
        (
            pending,
            t!(
                lang,
                "check-migrations-pending",
                pending = pending.len(),
                count = count,
                versions = versions(pending)
            ),
        ),
    ];
    for (which, text) in lines {
        if !which.is_empty() {
            list.line(Mark::Fail, text)?;
        }
    }
    Ok(())
}

/// Versions as their files number them (`0007, 0008`).
fn versions(list: &[i64]) -> String {
    let shown: Vec<String> = list.iter().map(|v| format!("{v:04}")).collect();
    shown.join(", ")
}

async fn queue<W: Write>(
    list: &mut Checklist<W>,
    lang: Lang,
    store: &Store,
    now: DateTime<Utc>,
) -> std::io::Result<()> {
    let read = health::queue(store, now).await;
    let Some(q) = list.or_fail(read, |error| {
        t!(lang, "check-queue-unreadable", error = error)
    })?
    else {
        return Ok(());
    };
    let QueueHealth {
        pending,
        oldest_pending_at,
        lapsed_claims,
        failed_last_day,
        given_up,
    } = q;
    match oldest_pending_at {
        Some(oldest) if pending > 0 => {
            let waited = (now.timestamp() - oldest).max(0);
            let mark = if waited > QUEUE_STALL_SECS {
                Mark::Warn
            } else {
                Mark::Ok
            };
            let mut text = t!(
                lang,
                "check-queue-pending",
                count = pending,
                age = age(lang, waited)
            );
            if mark == Mark::Warn {
                text.push_str(&t!(lang, "check-queue-stalled"));
            }
            list.line(mark, text)?;
        }
        _ => list.line(Mark::Ok, t!(lang, "check-queue-empty"))?,
    }
    for (count, text) in [
        (
            lapsed_claims,
            t!(lang, "check-queue-lapsed", count = lapsed_claims),
        ),
        (
            failed_last_day,
            t!(lang, "check-queue-failed", count = failed_last_day),
        ),
        (given_up, t!(lang, "check-queue-given-up", count = given_up)),
    ] {
        let mark = if count > 0 { Mark::Warn } else { Mark::Ok };
        list.line(mark, text)?;
    }
    Ok(())
}

/// A duration in seconds, in words.
fn age(lang: Lang, secs: i64) -> String {
    let (minutes, hours, days): (i64, i64, i64) = (secs / 60, secs / 3600, secs / 86_400);
    match secs {
        s if s < 60 => t!(lang, "check-age-seconds", n = s),
        s if s < 3600 => t!(lang, "check-age-minutes", n = minutes),
        s if s < 48 * 3600 => t!(lang, "check-age-hours", n = hours),
        _ => t!(lang, "check-age-days", n = days),
    }
}

/// The token (`getMe`) and webhook lines of one messenger.
async fn messenger<W: Write>(
    list: &mut Checklist<W>,
    lang: Lang,
    config: &Config,
    p: &PlatformConfig,
) -> std::io::Result<()> {
    let name = platform_name(lang, p.platform);
    let bot = platform::bot(&p.token, &p.api_url, API_TIMEOUT)
        .map_err(|e| Delivery::Failed(e.to_string()));
    let me = match &bot {
        Ok(bot) => platform::call(bot, "getMe", &json!({})).await,
        Err(failure) => Err(failure.clone()),
    };
    let (platform, host) = (name.clone(), host_of(&p.api_url));
    let text = match &me {
        Ok(me) => {
            let username = me["username"].as_str().unwrap_or("?").to_owned();
            t!(
                lang,
                "check-token-ok",
                platform = platform,
                host = host,
                username = username
            )
        }
        Err(failure) if platform::rejects_token(failure) => {
            let variable = format!("SETAD_{}_TOKEN", p.platform.as_str().to_uppercase());
            t!(
                lang,
                "check-token-rejected",
                platform = platform,
                host = host,
                variable = variable
            )
        }
        Err(Delivery::Transient(error)) => {
            let error = error.clone();
            t!(
                lang,
                "check-token-unreachable",
                platform = platform,
                host = host,
                error = error
            )
        }
        Err(other) => {
            let error = format!("{other:?}");
            t!(
                lang,
                "check-token-error",
                platform = platform,
                host = host,
                error = error
            )
        }
    };
    let (Ok(bot), Ok(_)) = (bot, me) else {
        list.line(Mark::Fail, text)?;
        return list.line(
            Mark::Skipped,
            t!(lang, "check-skipped-webhook", platform = name),
        );
    };
    list.line(Mark::Ok, text)?;
    webhook(list, lang, config, &bot, name).await
}

/// A ✗ line when `SETAD_WEBHOOK_URL` is not an `https` URL on a port the messenger of `p`
/// posts to (a setting, so checked offline too).
fn webhook_url<W: Write>(
    list: &mut Checklist<W>,
    lang: Lang,
    config: &Config,
    p: Platform,
) -> std::io::Result<()> {
    let name = platform_name(lang, p);
    if let Some(wanted) = &config.webhook_url
        && let Err(port) = platform::webhook_port(p, wanted)
    {
        let ports: Vec<String> = platform::webhook_ports(p)
            .iter()
            .map(u16::to_string)
            .collect();
        let text = match port {
            Some(port) => t!(
                lang,
                "check-webhook-port",
                platform = name.clone(),
                port = port,
                ports = ports.join(", ")
            ),
            None => t!(
                lang,
                "check-webhook-not-https",
                platform = name.clone(),
                url = wanted.clone()
            ),
        };
        list.line(Mark::Fail, text)?;
    }
    Ok(())
}

/// The webhook line: with `SETAD_WEBHOOK_URL`, the messenger's must be it; with polling, a
/// webhook set at the messenger is removed by `setad run` at start (a warning: another
/// installation may be using the same token).
async fn webhook<W: Write>(
    list: &mut Checklist<W>,
    lang: Lang,
    config: &Config,
    bot: &teloxide::Bot,
    name: String,
) -> std::io::Result<()> {
    // Bale may not answer it, or without the URL: a warning, not a failure.
    let actual = match platform::call(bot, "getWebhookInfo", &json!({})).await {
        Ok(info) => info["url"]
            .as_str()
            .map(str::to_owned)
            .ok_or("no url".to_owned()),
        Err(failure) => Err(format!("{failure:?}")),
    };
    let actual = match actual {
        Ok(url) => url,
        Err(error) => {
            let text = t!(
                lang,
                "check-webhook-unknown",
                platform = name,
                error = error
            );
            return list.line(Mark::Warn, text);
        }
    };
    let (mark, text) = match (&config.webhook_url, actual.is_empty()) {
        (Some(wanted), _) if *wanted == actual => (
            Mark::Ok,
            t!(lang, "check-webhook-ok", platform = name, url = actual),
        ),
        (Some(wanted), true) => (
            Mark::Warn,
            t!(
                lang,
                "check-webhook-unset",
                platform = name,
                url = wanted.clone()
            ),
        ),
        (Some(wanted), false) => (
            Mark::Fail,
            t!(
                lang,
                "check-webhook-other",
                platform = name,
                actual = actual,
                url = wanted.clone()
            ),
        ),
        (None, true) => (Mark::Ok, t!(lang, "check-polling-ok", platform = name)),
        (None, false) => (
            Mark::Warn,
            t!(
                lang,
                "check-polling-webhook",
                platform = name,
                actual = actual
            ),
        ),
    };
    list.line(mark, text)
}

/// The host (and port) of a Bot API URL, for messages: never the path, which holds the token
/// in a full method URL.
fn host_of(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) => match (u.host_str(), u.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_owned(),
            (None, _) => "?".to_owned(),
        },
        Err(_) => "?".to_owned(),
    }
}

fn platform_name(lang: Lang, platform: Platform) -> String {
    t!(lang, "check-platform", platform = platform.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_shown_without_paths() {
        assert_eq!(host_of("https://api.telegram.org"), "api.telegram.org");
        assert_eq!(host_of("http://127.0.0.1:9/x/bot1:2"), "127.0.0.1:9");
        assert_eq!(host_of("not a url"), "?");
    }

    #[test]
    fn ages_in_words() {
        assert_eq!(age(Lang::En, 5), "5 s");
        assert_eq!(age(Lang::En, 3 * 60 + 1), "3 min");
        assert_eq!(age(Lang::En, 5 * 3600), "5 h");
        assert_eq!(age(Lang::En, 3 * 86_400), "3 days");
    }

    #[test]
    fn lines_are_scrubbed_of_secrets_and_counted() {
        let mut list = Checklist {
            out: Vec::new(),
            secrets: vec!["123:SECRET".into()],
            problems: 0,
            warnings: 0,
        };
        list.line(Mark::Fail, "token 123:SECRET refused".into())
            .unwrap();
        list.line(Mark::Warn, "w".into()).unwrap();
        list.line(Mark::Skipped, "s".into()).unwrap();
        let out = String::from_utf8(list.out).unwrap();
        assert_eq!(out, "✗ token *** refused\n! w\n– s\n");
        assert_eq!((list.problems, list.warnings), (1, 1));
    }
}
