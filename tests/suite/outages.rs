//! Outages and wrong tokens, against the Bot API double: the bot runs in this process on an
//! injected clock (as `setad demo` runs it), so an outage of two hours takes seconds. The
//! messenger's absence, its return, malformed answers and a refused token are the double's
//! (`set_outage`, `set_updates_answer`, `set_token_rejected`); `setad run`'s exit is the real
//! binary's.

use crate::common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::{COUNTIES, at, populate_on, run_env_for, spawn};
use setad::app::App;
use setad::clock::Clock;
use setad::config::{Config, PlatformConfig};
use setad::domain::member::{Platform, Role};
use setad::platform::SendRates;
use setad_double::{Double, DoubleConfig, DoubleView, Flavour};

/// 1405/09/01 08:59 Tehran: a minute before the month's reminders.
const BEFORE_REMINDERS: &str = "2026-11-22T05:29:00Z";
/// 1405/09/01 09:00:05.
const REMINDERS: &str = "2026-11-22T05:30:05Z";
/// 1405/09/22 09:00:05: the nudge.
const NUDGE: &str = "2026-12-13T05:30:05Z";
/// 1405/09/26 08:00 Tehran: after Azar's reports fell due (the escalation is at 09:00).
const AFTER_DUE: &str = "2026-12-17T04:30:00Z";

/// The texts delivered that start with `mark`, by chat.
fn delivered(v: &DoubleView<'_>, mark: &str) -> BTreeMap<i64, usize> {
    let mut by_chat = BTreeMap::new();
    for m in v.messages() {
        if m.text.as_deref().is_some_and(|t| t.starts_with(mark)) {
            *by_chat.entry(m.chat_id).or_default() += 1;
        }
    }
    by_chat
}

fn calls_to(double: &Double, method: &str) -> usize {
    double.view(|v| v.calls_to(method).count())
}

fn platform_of(flavour: Flavour) -> Platform {
    match flavour {
        Flavour::Telegram => Platform::Telegram,
        Flavour::Bale => Platform::Bale,
    }
}

/// The bot, as `setad run` starts it, on `clock` against `double` at Telegram's limits (the
/// double enforces the same: 30 a second, one a second per chat).
async fn start(db: &common::TestDb, double: &Double, flavour: Flavour, clock: &Clock) -> App {
    let mut config = Config::from_vars(|_| None).unwrap();
    config.poll_timeout = Duration::from_secs(1);
    config.tick_interval = Some(Duration::from_millis(200));
    config.platforms = vec![PlatformConfig {
        platform: platform_of(flavour),
        token: "123456:TEST-TOKEN".to_owned().into(),
        api_url: double.url(),
        username: None,
        rates: SendRates {
            overall: 30.0,
            per_chat: 1.0,
        },
    }];
    let (_stop, stop_rx) = tokio::sync::watch::channel(false);
    std::mem::forget(_stop);
    App::start(&config, db.store.clone(), clock.clone(), stop_rx)
        .await
        .unwrap()
}

async fn double(flavour: Flavour) -> Double {
    let mut config = DoubleConfig::flavoured(flavour);
    config.global_limit = Some(30.0);
    config.per_chat_limit = Some(1.0);
    Double::start(config).await.unwrap()
}

/// The messenger goes away as the messages fall due, for `outage` on the injected clock
/// (walked in steps while the bot keeps trying); it comes back, and every message that waited
/// is delivered within 30 s, once each, without a 429.
async fn an_outage_loses_nothing(
    double: &Double,
    clock: &Clock,
    due_at: &str,
    outage: chrono::Duration,
    mark: &str,
    expected: usize,
) -> Duration {
    double.set_outage(true);
    let dropped = double.view(|v| v.stats().dropped);
    let asked = calls_to(double, "getMe");
    clock.set(at(due_at));
    // The bot tries, fails, and knows the messenger is away.
    let tried = double
        .wait_for(
            |v| v.stats().dropped >= dropped + 3,
            Duration::from_secs(20),
        )
        .await;
    assert!(tried, "the bot did not try to send");
    // The outage lasts `outage` on the bot's clock while it asks now and then.
    let steps = 20;
    for step in 1..=steps {
        clock.set(at(due_at) + outage * step / steps);
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    // It asks now and then whether the messenger is back (1 s, then doubling, with jitter).
    let asking = double
        .wait_for(
            |v| v.calls_to("getMe").count() >= asked + 2,
            Duration::from_secs(20),
        )
        .await;
    assert!(asking, "the bot does not ask whether the messenger is back");
    assert_eq!(
        double.view(|v| delivered(v, mark).len()),
        0,
        "nothing can be delivered during the outage"
    );
    let back = Instant::now();
    double.set_outage(false);
    let arrived = double
        .wait_for(
            |v| delivered(v, mark).len() >= expected,
            Duration::from_secs(40),
        )
        .await;
    let took = back.elapsed();
    assert!(arrived, "what waited was not delivered after the outage");
    let by_chat = double.view(|v| delivered(v, mark));
    assert_eq!(by_chat.len(), expected);
    assert!(by_chat.values().all(|n| *n == 1), "{by_chat:?}");
    assert!(
        took <= Duration::from_secs(30),
        "what waited took {took:?} after the messenger came back"
    );
    assert_eq!(
        double.view(|v| v.stats().rate_limited),
        0,
        "within the limits"
    );
    took
}

async fn outages_lose_nothing(flavour: Flavour) {
    let db = common::sqlite().await;
    populate_on(&db.store, 1, platform_of(flavour)).await;
    let double = double(flavour).await;
    let clock = Clock::manual(at(BEFORE_REMINDERS));
    let app = start(&db, &double, flavour, &clock).await;

    let took = an_outage_loses_nothing(
        &double,
        &clock,
        REMINDERS,
        chrono::Duration::seconds(60),
        "📌",
        COUNTIES.len(),
    )
    .await;
    eprintln!("{flavour:?}: after a 60-s outage, what waited went in {took:?}");
    // Nobody reported: every county is nudged, through two hours of outage.
    let took = an_outage_loses_nothing(
        &double,
        &clock,
        NUDGE,
        chrono::Duration::hours(2),
        "⏰",
        COUNTIES.len(),
    )
    .await;
    eprintln!("{flavour:?}: after a 2-h outage, what waited went in {took:?}");
    let counts = db.store.queue_counts().await.unwrap();
    assert_eq!(
        (counts.failed, counts.expired, counts.pending),
        (0, 0, 0),
        "{counts:?}"
    );
    app.stop().await.unwrap();
    double.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_60_s_and_a_2_h_outage_lose_nothing_on_telegram() {
    outages_lose_nothing(Flavour::Telegram).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_60_s_and_a_2_h_outage_lose_nothing_on_bale() {
    outages_lose_nothing(Flavour::Bale).await;
}

/// An outage that outlasts the reminders' use: at the due date they are given up (not sent
/// late), the admins get one alert that says so, and what is still useful (the escalation)
/// goes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_an_outage_made_useless_is_given_up_with_one_alert_to_the_admins() {
    let db = common::sqlite().await;
    populate_on(&db.store, 1, Platform::Telegram).await;
    common::add_member(&db.store, 4000, "mazandaran", Role::Admin, "مدیر سامانه").await;
    let double = double(Flavour::Telegram).await;
    let clock = Clock::manual(at(BEFORE_REMINDERS));
    let app = start(&db, &double, Flavour::Telegram, &clock).await;

    double.set_outage(true);
    clock.set(at(REMINDERS));
    let tried = double
        .wait_for(|v| v.stats().dropped >= 3, Duration::from_secs(20))
        .await;
    assert!(tried, "the bot did not try to send");
    // Away for 25 days: past the reminders' due time, before the escalation.
    clock.set(at(AFTER_DUE));
    tokio::time::sleep(Duration::from_secs(1)).await;
    let gave_up = wait_until(Duration::from_secs(20), || async {
        db.store.queue_counts().await.unwrap().expired >= COUNTIES.len() as i64
    })
    .await;
    assert!(gave_up, "{:?}", db.store.queue_counts().await.unwrap());
    double.set_outage(false);
    // 09:00: the escalation falls due, and is sent.
    clock.set(at(AFTER_DUE) + chrono::Duration::minutes(61));
    let arrived = double
        .wait_for(
            |v| !delivered(v, "📭").is_empty() && !delivered(v, "⚠️").is_empty(),
            Duration::from_secs(40),
        )
        .await;
    let (alerts, reminders) = double.view(|v| (delivered(v, "📭"), delivered(v, "📌")));
    assert!(
        arrived,
        "{alerts:?} {:?} {:?}",
        db.store.queue_counts().await.unwrap(),
        double.view(|v| v
            .calls()
            .iter()
            .rev()
            .take(10)
            .map(|c| format!("{} {:?} {:?}", c.method, c.at, c.outcome))
            .collect::<Vec<_>>())
    );
    assert!(
        reminders.is_empty(),
        "reminders are not sent after their due time"
    );
    assert_eq!(
        alerts,
        BTreeMap::from([(4000, 1)]),
        "one alert, to the admin"
    );
    let text = double.view(|v| {
        v.messages()
            .iter()
            .find(|m| m.chat_id == 4000)
            .and_then(|m| m.text.clone())
            .unwrap_or_default()
    });
    assert!(text.contains("۲۲ یادآوری"), "{text}");
    let counts = db.store.queue_counts().await.unwrap();
    assert_eq!(counts.expired, COUNTIES.len() as i64, "{counts:?}");
    app.stop().await.unwrap();
    double.shutdown().await;
}

async fn wait_until<F, Fut>(timeout: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if check().await {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `getUpdates` answers that are not a list of updates are retried with a growing pause, not
/// at once: a few requests in three seconds, not thousands; and polling resumes when the
/// answers are right again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_get_updates_answers_are_retried_with_a_growing_pause() {
    for flavour in [Flavour::Telegram, Flavour::Bale] {
        let db = common::sqlite().await;
        populate_on(&db.store, 1, platform_of(flavour)).await;
        let double = double(flavour).await;
        let clock = Clock::manual(at(BEFORE_REMINDERS));
        let app = start(&db, &double, flavour, &clock).await;
        let polling = double
            .wait_for(
                |v| v.calls_to("getUpdates").count() > 0,
                Duration::from_secs(10),
            )
            .await;
        assert!(polling);
        for answer in [
            serde_json::json!({"updates": []}),
            serde_json::json!([{"message": {"message_id": 1, "text": "no update_id"}}]),
            serde_json::json!("ok"),
        ] {
            double.set_updates_answer(Some(answer.clone()));
            // The poll in flight ends within its 1-s timeout; count from then.
            tokio::time::sleep(Duration::from_millis(1200)).await;
            let before = calls_to(&double, "getUpdates");
            tokio::time::sleep(Duration::from_secs(3)).await;
            let during = calls_to(&double, "getUpdates") - before;
            assert!(
                (1..=8).contains(&during),
                "{flavour:?}: {during} getUpdates in 3 s answered {answer}"
            );
            double.set_updates_answer(None);
            // Right answers again: a message is received and answered.
            let user = double.user(100_000, "فرماندار");
            let seen = double.view(|v| v.messages_to(user.chat_id()).count());
            double.send_text(&user, "/help");
            let answered = double
                .wait_for(
                    |v| v.messages_to(user.chat_id()).count() > seen,
                    Duration::from_secs(40),
                )
                .await;
            assert!(
                answered,
                "{flavour:?}: polling did not resume after {answer}"
            );
        }
        app.stop().await.unwrap();
        double.shutdown().await;
    }
}

/// A token the messenger refuses is said plainly, for its platform; the platform stops, the
/// others keep running, and the process exits non-zero when none is left.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_is_said_plainly_and_ends_the_process_when_no_platform_is_left() {
    let db = common::sqlite().await;
    populate_on(&db.store, 1, Platform::Bale).await;
    let dir = tempfile::tempdir().unwrap();

    // Only Telegram, refused from the start: a clear error and exit code 1, at once.
    let telegram = Double::start(DoubleConfig::flavoured(Flavour::Telegram))
        .await
        .unwrap();
    telegram.set_token_rejected(true);
    let env = run_env_for("TELEGRAM", &db.url, &telegram.url(), REMINDERS);
    let mut alone = spawn(dir.path(), "alone", &env);
    let status = exit_within(&mut alone.child, Duration::from_secs(20));
    let log = std::fs::read_to_string(&alone.log).unwrap();
    assert_eq!(status.and_then(|s| s.code()), Some(1), "{log}");
    assert!(log.contains("refused the token"), "{log}");
    assert!(log.contains("SETAD_TELEGRAM_TOKEN"), "{log}");
    assert!(
        !log.contains("TEST-TOKEN"),
        "the token is never logged:\n{log}"
    );
    assert!(
        !log.contains("cannot reach the messenger"),
        "a refused token is not an unreachable messenger:\n{log}"
    );

    // Telegram refused, Bale accepted: Bale keeps running and answers.
    let bale = Double::start(DoubleConfig::flavoured(Flavour::Bale))
        .await
        .unwrap();
    let mut env = env.clone();
    env.extend(run_env_for("BALE", &db.url, &bale.url(), REMINDERS));
    env.sort();
    env.dedup_by(|a, b| a.0 == b.0);
    let mut both = spawn(dir.path(), "both", &env);
    let user = bale.user(100_000, "فرماندار");
    bale.send_text(&user, "/help");
    let answered = bale
        .wait_for(
            |v| v.messages_to(user.chat_id()).count() > 0,
            Duration::from_secs(30),
        )
        .await;
    assert!(answered, "Bale does not run:\n{}", both.log_tail());
    assert!(
        both.child.try_wait().unwrap().is_none(),
        "{}",
        both.log_tail()
    );
    // Bale's token is revoked while it runs: no platform is left, the process ends.
    bale.set_token_rejected(true);
    let status = exit_within(&mut both.child, Duration::from_secs(30));
    let log = std::fs::read_to_string(&both.log).unwrap();
    assert_eq!(status.and_then(|s| s.code()), Some(1), "{log}");
    assert!(log.contains("SETAD_BALE_TOKEN"), "{log}");
    telegram.shutdown().await;
    bale.shutdown().await;
}

fn exit_within(
    child: &mut std::process::Child,
    timeout: Duration,
) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    None
}
