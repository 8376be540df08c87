//! The send queue against a messenger whose real limit is unknown, and one that fails 5% of
//! sends with 502: the real `setad run` binary against the Bot API double. Each test prints its
//! figures; the thresholds are the (85% of an unknown lower limit with at most 2% 429s;
//! 90% of the limit with 5% 5xx, every message delivered).

use crate::common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::{populate, run_env, spawn};
use setad_double::{Double, DoubleConfig};

/// Delivered reminders' times, in order.
fn reminder_times(double: &Double) -> Vec<Duration> {
    double.view(|v| {
        v.messages()
            .iter()
            .filter(|m| m.text.as_deref().is_some_and(|t| t.starts_with("📌")))
            .map(|m| m.at)
            .collect()
    })
}

/// Messages per second between the `from`-th and the `to`-th delivery.
fn rate(times: &[Duration], from: usize, to: usize) -> f64 {
    (to - from) as f64 / (times[to] - times[from]).as_secs_f64()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_settles_under_an_unknown_lower_limit() {
    let db = common::sqlite().await;
    let chats = populate(&db.store, 25).await; // 550 reminders
    let all: BTreeSet<i64> = chats.values().flatten().copied().collect();
    // Configured for 30/s; the messenger's real limit is 20/s.
    let double = Double::start(DoubleConfig {
        global_limit: Some(20.0),
        ..DoubleConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut env = run_env(&db.url, &double.url(), "2026-11-22T05:30:05Z");
    env.push(("SETAD_TELEGRAM_RATE".into(), "30".into()));
    let bot = spawn(dir.path(), "adaptive", &env);
    let done = double
        .wait_for(
            |v| v.messages().len() >= all.len(),
            Duration::from_secs(120),
        )
        .await;
    assert!(done, "{}", bot.log_tail());
    bot.stop();
    let times = reminder_times(&double);
    assert_eq!(times.len(), all.len());
    let stats = double.stats();
    // Settled: after the first 100 deliveries (the bucket's first second of burst and the
    // first adjustments), to the end.
    let settled = rate(&times, 100, times.len() - 1);
    let refused = stats.rate_limited as f64 / stats.requests as f64;
    eprintln!(
        "unknown lower limit: settled at {settled:.1}/s = {:.0}% of the real 20/s; {} of {} requests answered 429 ({:.1}%)",
        settled / 20.0 * 100.0,
        stats.rate_limited,
        stats.requests,
        refused * 100.0
    );
    assert!(settled >= 17.0, "{settled:.1}/s is under 85% of 20/s");
    assert!(
        refused <= 0.02,
        "{:.1}% of requests were answered 429",
        refused * 100.0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_percent_of_502s_neither_lose_messages_nor_stall_the_queue() {
    let db = common::sqlite().await;
    let chats = populate(&db.store, 20).await; // 440 reminders
    let all: BTreeSet<i64> = chats.values().flatten().copied().collect();
    let double = Double::start(DoubleConfig {
        global_limit: Some(20.0),
        server_error_rate: 0.05,
        seed: 7,
        ..DoubleConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut env = run_env(&db.url, &double.url(), "2026-11-22T05:30:05Z");
    env.push(("SETAD_TELEGRAM_RATE".into(), "20".into()));
    let bot = spawn(dir.path(), "errors", &env);
    let done = double
        .wait_for(
            |v| {
                let delivered: BTreeSet<i64> = v.messages().iter().map(|m| m.chat_id).collect();
                delivered.len() >= all.len()
            },
            Duration::from_secs(180),
        )
        .await;
    assert!(
        done,
        "not every message arrived: {:?}\n{}",
        double.stats(),
        bot.log_tail()
    );
    bot.stop();
    let times = reminder_times(&double);
    let stats = double.stats();
    let per_chat: BTreeSet<i64> = double.messages().iter().map(|m| m.chat_id).collect();
    assert_eq!(per_chat, all, "every message arrived");
    assert_eq!(times.len(), all.len(), "and none twice");
    // The rate while the fan-out ran: from the first delivery to the 95th percentile (the
    // last 5% are the retried ones, waiting out teloxide's 10 s sleep and the backoff).
    let p95 = times.len() * 95 / 100;
    let running = rate(&times, 0, p95);
    eprintln!(
        "5% 502s: {} answered 502, rate {running:.1}/s = {:.0}% of 20/s until the 95th percentile; all {} delivered after {:.1} s",
        stats.server_errors,
        running / 20.0 * 100.0,
        times.len(),
        times[times.len() - 1].as_secs_f64() - times[0].as_secs_f64()
    );
    assert!(stats.server_errors > 5, "{stats:?}");
    assert!(running >= 18.0, "{running:.1}/s is under 90% of 20/s");
}
