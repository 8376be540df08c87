//! `setad check`, run as the real binary: a good installation against the Bot API double is
//! ready (exit 0); each broken one gives its ✗ line and a non-zero exit: a token the messenger
//! rejects, a messenger that cannot be reached, a database with pending migrations or newer
//! than the binary, a missing database file, a configuration value that cannot be read. The
//! queue's health shows waiting, lapsed, failed and given-up messages. No token is ever printed.

use crate::common;

use std::path::Path;
use std::process::Command;

use setad::store::Store;
use setad_double::{Double, DoubleConfig, Flavour};

/// The token of the good configuration (the double accepts any `digits:secret`).
const TOKEN: &str = "123456:CHECK-SECRET-TOKEN";

/// What `setad check` printed, and whether it exited 0.
struct Checked {
    ok: bool,
    stdout: String,
    stderr: String,
}

impl Checked {
    /// Asserts that a line of the checklist is `line` exactly.
    fn has_line(&self, line: &str) {
        assert!(
            self.stdout.lines().any(|l| l == line),
            "no line «{line}» in:\n{}\nstderr: {}",
            self.stdout,
            self.stderr
        );
    }

    /// Asserts that a line starts with `start`.
    fn has_line_starting(&self, start: &str) {
        assert!(
            self.stdout.lines().any(|l| l.starts_with(start)),
            "no line starting «{start}» in:\n{}\nstderr: {}",
            self.stdout,
            self.stderr
        );
    }

    /// Asserts that `secret` appears nowhere in what was printed.
    fn never_shows(&self, secret: &str) {
        assert!(
            !self.stdout.contains(secret) && !self.stderr.contains(secret),
            "«{secret}» was printed:\n{}\n{}",
            self.stdout,
            self.stderr
        );
    }
}

/// The environment of a check in `lang` on the database at `db`, serving `platform`
/// (`TELEGRAM` or `BALE`) with `token` at the Bot API `api`, and `more`.
fn serving(
    lang: &str,
    db: &str,
    platform: &str,
    (token, api): (&str, &str),
    more: &[(&str, &str)],
) -> Vec<(String, String)> {
    let mut env = vars(&[("SETAD_LOCALE", lang), ("DATABASE_URL", db)]);
    env.push((format!("SETAD_{platform}_TOKEN"), token.to_owned()));
    env.push((format!("SETAD_{platform}_API_URL"), api.to_owned()));
    env.extend(vars(more));
    env
}

fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Runs `setad check` in `dir` with only `env` set (and RUST_LOG=warn). Blocking: call it from
/// a multi-threaded runtime so the double keeps answering.
fn check(dir: &Path, env: &[(String, String)]) -> Checked {
    check_args(dir, &[], env)
}

fn check_args(dir: &Path, args: &[&str], env: &[(String, String)]) -> Checked {
    let out = Command::new(env!("CARGO_BIN_EXE_setad"))
        .arg("check")
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("RUST_LOG", "warn")
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .output()
        .expect("run setad check");
    Checked {
        ok: out.status.success(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn host(url: &str) -> &str {
    url.trim_start_matches("http://")
}

/// How many migrations this binary carries for SQLite (the files).
fn sqlite_migrations() -> usize {
    std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "sql")
        })
        .count()
}

/// A migrated SQLite database, the double, a directory to run in, and the double's URL.
async fn fixture() -> (common::TestDb, Double, tempfile::TempDir, String) {
    let db = common::sqlite().await;
    let double = Double::start(DoubleConfig::default()).await.unwrap();
    let api = double.url();
    (db, double, tempfile::tempdir().unwrap(), api)
}

/// Sets the double's webhook for [`TOKEN`], as another installation would.
async fn set_webhook(double: &Double, url: &str) {
    let body = format!(r#"{{"url": "{url}"}}"#);
    let answer = reqwest::Client::new()
        .post(format!("{}/bot{TOKEN}/setWebhook", double.url()))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_good_installation_is_ready_in_english_and_in_persian() {
    // The double serves as long as `_serving` lives.
    let (db, _serving, dir, api) = fixture().await;
    let env = |lang| serving(lang, &db.url, "TELEGRAM", (TOKEN, &api), &[]);
    let en = check(dir.path(), &env("en"));
    assert!(en.ok, "{}\n{}", en.stdout, en.stderr);
    let file = db.url.trim_start_matches("sqlite://");
    en.has_line("✓ Configuration read: Telegram; long polling.");
    en.has_line(&format!(
        "✓ Database: SQLite {file}, reachable and writable."
    ));
    en.has_line_starting(&format!(
        "✓ Migrations: all {} applied (the latest is 00",
        sqlite_migrations()
    ));
    en.has_line_starting(&format!(
        "✓ Telegram: the token is accepted by {}; the bot is @",
        host(&api)
    ));
    en.has_line("✓ Telegram: no webhook set; long polling will work.");
    en.has_line("✓ Send queue: nothing waiting.");
    en.has_line("✓ Send queue: no claim has lapsed.");
    en.has_line("✓ Send queue: nothing failed in the last day.");
    en.has_line("✓ Send queue: nothing given up.");
    assert_eq!(en.stdout.lines().last(), Some("Ready to go live."));
    assert!(
        en.stdout
            .lines()
            .filter(|l| !l.is_empty() && *l != "Ready to go live.")
            .all(|l| l.starts_with("✓ ")),
        "{}",
        en.stdout
    );
    en.never_shows(TOKEN);
    en.never_shows("CHECK-SECRET");

    let fa = check(dir.path(), &env("fa"));
    assert!(fa.ok, "{}\n{}", fa.stdout, fa.stderr);
    fa.has_line("✓ پیکربندی خوانده شد: تلگرام؛ دریافت پیاپی (long polling).");
    fa.has_line_starting(&format!(
        "✓ مهاجرت‌ها: هر {} مهاجرت اعمال شده است",
        setad::domain::text::localize_digits(
            &sqlite_migrations().to_string(),
            setad::domain::text::Digits::Persian
        )
    ));
    fa.has_line("✓ صف ارسال: چیزی در انتظار نیست.");
    assert_eq!(fa.stdout.lines().last(), Some("آمادهٔ راه‌اندازی است."));
    fa.never_shows(TOKEN);

    // Nothing was changed: the queue is as empty as before.
    assert_eq!(db.store.count("outbox").await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_webhook_is_compared_with_the_configured_one() {
    let (db, double, dir, api) = fixture().await;
    let hook = "https://bot.example.org/hook";
    let env = |webhook: Option<&str>| {
        let more = match webhook {
            Some(url) => vec![("SETAD_WEBHOOK_URL", url), ("SETAD_LISTEN", "127.0.0.1:0")],
            None => Vec::new(),
        };
        serving("en", &db.url, "TELEGRAM", (TOKEN, &api), &more)
    };

    // Not set yet: `setad run` will set it.
    let unset = check(dir.path(), &env(Some(hook)));
    assert!(unset.ok, "{}", unset.stdout);
    unset.has_line(&format!(
        "! Telegram: no webhook is set yet; `setad run` sets it to {hook}."
    ));
    unset.has_line("Ready to go live, with one warning (marked !).");

    set_webhook(&double, hook).await;
    let same = check(dir.path(), &env(Some(hook)));
    assert!(same.ok, "{}", same.stdout);
    same.has_line(&format!("✓ Telegram: the webhook is set to {hook}."));

    // Polling while a webhook is set at the messenger: a warning, still ready.
    let polling = check(dir.path(), &env(None));
    assert!(polling.ok, "{}", polling.stdout);
    polling.has_line_starting(&format!(
        "! Telegram: a webhook is set ({hook}) but this installation polls"
    ));

    // Another URL at the messenger than the configured one: a problem.
    let differs = check(dir.path(), &env(Some("https://new.example.org/hook")));
    assert!(!differs.ok, "{}", differs.stdout);
    differs.has_line_starting(&format!(
        "✗ Telegram: the messenger's webhook is {hook}, not SETAD_WEBHOOK_URL (https://new.example.org/hook)"
    ));
    differs.never_shows(TOKEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bale_is_checked_and_its_webhook_ports_are_kept() {
    let db = common::sqlite().await;
    let double = Double::start(DoubleConfig::flavoured(Flavour::Bale))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let api = double.url();
    let good = check(
        dir.path(),
        &serving("en", &db.url, "BALE", (TOKEN, &api), &[]),
    );
    assert!(good.ok, "{}\n{}", good.stdout, good.stderr);
    good.has_line_starting(&format!(
        "✓ Bale: the token is accepted by {}; the bot is @",
        host(&api)
    ));
    good.has_line("✓ Bale: no webhook set; long polling will work.");

    // Bale posts webhooks to 443 and 88 only; Telegram to 8443 as well. A setting: checked
    // offline too.
    let hook = [("SETAD_WEBHOOK_URL", "https://bot.example.org:8443/hook")];
    let port = check_args(
        dir.path(),
        &["--offline"],
        &serving("en", &db.url, "BALE", (TOKEN, &api), &hook),
    );
    assert!(!port.ok);
    port.has_line(
        "✗ Bale: SETAD_WEBHOOK_URL uses port 8443, but Bale posts webhooks only to ports 443, 88.",
    );
    let telegram = check_args(
        dir.path(),
        &["--offline"],
        &serving("en", &db.url, "TELEGRAM", (TOKEN, &api), &hook),
    );
    assert!(telegram.ok, "{}", telegram.stdout);
    let plain = [("SETAD_WEBHOOK_URL", "http://bot.example.org/hook")];
    let http = check_args(
        dir.path(),
        &["--offline"],
        &serving("fa", &db.url, "BALE", (TOKEN, &api), &plain),
    );
    assert!(!http.ok);
    http.has_line_starting(
        "✗ بله: SETAD_WEBHOOK_URL (http://bot.example.org/hook) نشانی https نیست",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_the_messenger_rejects_is_named_as_such() {
    // The double serves as long as `_serving` lives.
    let (db, _serving, dir, api) = fixture().await;
    let wrong = "wrong-s3cr3t";
    let env = |lang| serving(lang, &db.url, "TELEGRAM", (wrong, &api), &[]);
    let out = check(dir.path(), &env("en"));
    assert!(!out.ok);
    out.has_line(&format!(
        "✗ Telegram: {} rejected the token: it is not a valid Telegram bot token (check \
         SETAD_TELEGRAM_TOKEN and that it was not revoked).",
        host(&api)
    ));
    out.has_line("– Telegram: the webhook was not checked without a working token.");
    out.has_line("Not ready to go live: one problem (marked ✗), no warning.");
    assert!(
        out.stderr.contains("not ready (one problem)"),
        "{}",
        out.stderr
    );
    out.never_shows(wrong);

    // The same in Persian.
    let fa = check(dir.path(), &env("fa"));
    assert!(!fa.ok);
    fa.has_line_starting(&format!(
        "✗ تلگرام: {} توکن را رد کرد: این توکن ربات معتبری برای تلگرام نیست",
        host(&api)
    ));
    fa.has_line("آمادهٔ راه‌اندازی نیست: ۱ مشکل (با ✗ نشان داده شده)، ۰ هشدار.");
    fa.never_shows(wrong);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_messenger_that_cannot_be_reached_is_named_by_its_host() {
    let db = common::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    // A loopback port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let api = format!("http://127.0.0.1:{port}");
    let env = serving("en", &db.url, "BALE", (TOKEN, &api), &[]);
    let out = check(dir.path(), &env);
    assert!(!out.ok);
    out.has_line_starting(&format!("✗ Bale: cannot reach 127.0.0.1:{port}: "));
    out.has_line_starting("Not ready to go live: one problem");
    out.never_shows(TOKEN);
    out.never_shows("CHECK-SECRET");

    // --offline asks no messenger: ready.
    let offline = check_args(dir.path(), &["--offline"], &env);
    assert!(offline.ok, "{}", offline.stdout);
    offline.has_line("– Bale: the token and the webhook were not checked (--offline).");
    offline.has_line("Ready to go live.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_migrations_are_reported_and_not_applied() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("empty.db");
    std::fs::File::create(&file).unwrap();
    let url = format!("sqlite://{}", file.display());
    let out = check(
        dir.path(),
        &vars(&[("SETAD_LOCALE", "en"), ("DATABASE_URL", &url)]),
    );
    assert!(!out.ok, "{}", out.stdout);
    let n = sqlite_migrations();
    let all: Vec<String> = (1..=n).map(|v| format!("{v:04}")).collect();
    out.has_line(&format!(
        "✗ Migrations: {n} of {n} not applied yet ({}): take a backup (`setad backup FILE`), \
         then run `setad migrate`.",
        all.join(", ")
    ));
    // No messenger is configured either.
    out.has_line_starting("✗ The configuration has no messenger");
    // The check applied nothing.
    let store = Store::connect(&url).await.unwrap();
    assert!(store.applied_migrations().await.unwrap().is_empty());
    store.close().await;

    // A database file that does not exist is named, and not created.
    let missing = dir.path().join("missing.db");
    let url = format!("sqlite://{}", missing.display());
    let out = check(
        dir.path(),
        &vars(&[("SETAD_LOCALE", "en"), ("DATABASE_URL", &url)]),
    );
    assert!(!out.ok);
    out.has_line(&format!(
        "✗ Database: {} does not exist; `setad migrate` creates it (or DATABASE_URL names the \
         wrong file).",
        missing.display()
    ));
    out.has_line("– Migrations and the send queue were not checked: the database did not open.");
    assert!(!missing.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_newer_than_the_binary_is_refused() {
    let db = common::sqlite().await;
    let pool = db.store.sqlite_pool().unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (9999, 'from the future', TRUE, x'00', 0)",
    )
    .execute(pool)
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = check(
        dir.path(),
        &vars(&[("SETAD_LOCALE", "en"), ("DATABASE_URL", &db.url)]),
    );
    assert!(!out.ok);
    out.has_line_starting(
        "✗ Migrations: the database has 9999, which this binary does not know: the database is \
         newer than this binary.",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configuration_value_that_cannot_be_read_is_the_failed_first_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = check(
        dir.path(),
        &vars(&[
            ("SETAD_LOCALE", "en"),
            ("SETAD_TZ", "Mars/Base"),
            ("SETAD_TELEGRAM_TOKEN", TOKEN),
        ]),
    );
    assert!(!out.ok);
    assert_eq!(
        out.stdout.lines().next(),
        Some("✗ The configuration cannot be read: SETAD_TZ: unknown time zone `Mars/Base`"),
        "{}",
        out.stdout
    );
    out.has_line("– Nothing else was checked: fix the configuration first.");
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    out.never_shows(TOKEN);
    // Nothing was created where the default database would be.
    assert!(!dir.path().join("setad.db").exists());

    let fa = check(
        dir.path(),
        &vars(&[("SETAD_LOCALE", "fa"), ("SETAD_WEEKEND", "someday")]),
    );
    assert!(!fa.ok);
    fa.has_line_starting("✗ پیکربندی خوانده نشد: SETAD_WEEKEND");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_shows_what_waits_lapsed_failed_and_was_given_up() {
    let db = common::sqlite().await;
    let now = common::at("2026-11-22T12:00:00Z").timestamp();
    let pool = db.store.sqlite_pool().unwrap();
    // (state, created_at, updated_at, claimed_until in ms)
    let rows: [(&str, i64, i64, Option<i64>); 5] = [
        ("pending", now - 2 * 3600, now - 2 * 3600, None),
        ("pending", now - 60, now - 60, None),
        ("sending", now - 3600, now - 3600, Some((now - 60) * 1000)),
        ("failed", now - 3600, now - 3600, None),
        ("expired", now - 9 * 86_400, now - 8 * 86_400, None),
    ];
    for (n, (state, created, updated, claimed_until)) in rows.iter().enumerate() {
        sqlx::query(
            "INSERT INTO outbox (dedup_key, platform, chat_id, kind, body, priority, state, \
             attempts, not_before, claimed_by, claimed_until, created_at, updated_at) \
             VALUES ($1, 'telegram', 1, 'remind', 'x', 1, $2, 0, 0, $3, $4, $5, $6)",
        )
        .bind(format!("test:{n}"))
        .bind(*state)
        .bind(claimed_until.map(|_| "dead-worker"))
        .bind(*claimed_until)
        .bind(*created)
        .bind(*updated)
        .execute(pool)
        .await
        .unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let out = check(
        dir.path(),
        &vars(&[
            ("SETAD_LOCALE", "en"),
            ("DATABASE_URL", &db.url),
            ("SETAD_NOW", "2026-11-22T12:00:00Z"),
        ]),
    );
    out.has_line(
        "! Send queue: 2 messages waiting, the oldest for 2 h. Is `setad run` running, and the \
         messenger reachable?",
    );
    out.has_line(
        "! Send queue: one message claimed by a worker that stopped (sent again once the claim \
         lapses).",
    );
    out.has_line("! Send queue: one message failed in the last day.");
    out.has_line("! Send queue: one message given up (no longer useful when it could be sent).");
    // Warnings alone would be ready; the missing messenger is the one problem.
    out.has_line("Not ready to go live: one problem (marked ✗), 4 warnings.");
}

async fn postgres_is_checked_like_sqlite() {
    let db = common::postgres().await;
    let double = Double::start(DoubleConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let api = double.url();
    let out = check(
        dir.path(),
        &serving("en", &db.url, "TELEGRAM", (TOKEN, &api), &[]),
    );
    assert!(out.ok, "{}\n{}", out.stdout, out.stderr);
    out.has_line_starting("✓ Database: PostgreSQL postgres://…@");
    out.has_line_starting("✓ Migrations: all ");
    out.has_line("✓ Send queue: nothing given up.");
    out.never_shows("setad_ci:setad_ci");
    out.never_shows(TOKEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(setad_postgres), ignore = "SETAD_TEST_POSTGRES_URL is not set")]
async fn check_on_postgres() {
    postgres_is_checked_like_sqlite().await
}
