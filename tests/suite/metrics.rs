//! Health and metrics over real HTTP (`curl`): the `setad run` binary against the Bot API
//! double with `SETAD_METRICS_LISTEN` set, a reminder sent and a member's reply handled, then
//! `/healthz` and `/metrics`; `/healthz`'s 503 with no platform running and with the database
//! closed; and the store's reads behind the gauges on both backends.

use crate::common;

use std::time::{Duration, Instant};

use common::chat::{next_to, text, wait_for_text};
use common::{Backend, add_member, at, backend_tests, run_env, spawn, tick_config};
use setad::domain::member::{Platform, Role};
use setad::domain::notice::MessageKind;
use setad::domain::obligation::Shape;
use setad::ops::{Health, Ops, PlatformState};
use setad::store::{FactCoverage, NewMessage, QueueDepth, ReportInput, Store};
use setad_double::{Double, DoubleConfig};

/// 1405/09/01 09:00:05 Tehran: the month's reminders go out.
const FIRST: &str = "2026-11-22T05:30:05Z";

/// `GET url` with curl: the status (0 when nothing answered) and the body.
async fn curl(url: &str) -> (u16, String) {
    let out = tokio::process::Command::new("curl")
        .args([
            "-sS",
            "--max-time",
            "5",
            "--write-out",
            "\n%{http_code}",
            url,
        ])
        .output()
        .await
        .expect("run curl");
    let all = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, code) = all.rsplit_once('\n').unwrap_or(("", all.as_str()));
    (code.trim().parse().unwrap_or(0), body.to_owned())
}

/// Asks `url` until `done` holds for its answer (or 30 s pass); returns the last answer.
async fn curl_until(url: &str, done: impl Fn(u16, &str) -> bool) -> (u16, String) {
    let start = Instant::now();
    loop {
        let (status, body) = curl(url).await;
        if done(status, &body) || start.elapsed() > Duration::from_secs(30) {
            return (status, body);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The value of one series (`name{labels}` exactly as rendered) in an exposition.
fn value(exposition: &str, series: &str) -> Option<f64> {
    exposition.lines().find_map(|line| {
        let rest = line.strip_prefix(series)?.strip_prefix(' ')?;
        rest.trim().parse().ok()
    })
}

/// A loopback address no one listens on now.
fn free_addr() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

/// `setad run` serving metrics, with the Mazandaran data and one member.
struct Running {
    _db: common::TestDb,
    double: Double,
    _dir: tempfile::TempDir,
    bot: common::Process,
    /// Where `/healthz` and `/metrics` are served.
    addr: String,
}

/// Starts `setad run` (its log named `name`) at [`FIRST`] against a Telegram double, serving
/// metrics on a free port, with the governor of Amol (user and chat 5001) a member.
async fn start_with_a_governor(name: &str) -> Running {
    let db = common::sqlite().await;
    setad::service::import::import(&db.store, &common::mazandaran_source(), 0)
        .await
        .unwrap();
    add_member(&db.store, 5001, "amol", Role::Governor, "فرماندار آمل").await;
    let double = Double::start(DoubleConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let addr = free_addr();
    let mut env = run_env(&db.url, &double.url(), FIRST);
    env.push(("SETAD_METRICS_LISTEN".into(), addr.clone()));
    let bot = spawn(dir.path(), name, &env);
    Running {
        _db: db,
        double,
        _dir: dir,
        bot,
        addr,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_and_a_reply_show_in_the_metrics() {
    let run = start_with_a_governor("metrics").await;
    let (double, bot, addr) = (&run.double, &run.bot, &run.addr);
    let (healthz, metrics) = (
        format!("http://{addr}/healthz"),
        format!("http://{addr}/metrics"),
    );

    // Healthy once Telegram runs.
    let (status, body) = curl_until(&healthz, |status, _| status == 200).await;
    assert_eq!(status, 200, "{body}\n{}", bot.log_tail());
    let health: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(health["status"], "ok", "{health}");
    assert_eq!(health["database"], "ok", "{health}");
    assert_eq!(health["platforms"]["telegram"], "running", "{health}");

    // The reminder of R3 arrives; the governor replies saying only that it was held.
    let (at_r3, sent) = wait_for_text(double, 5001, "(R3)").await;
    let governor = double.user(5001, "فرماندار");
    let seen = sent.len();
    double.reply(&governor, sent[at_r3].message_id, "جلسه ستاد برگزار شد");
    let confirmation = next_to(double, 5001, seen).await;
    assert!(
        text(&confirmation).contains("ثبت شد"),
        "{}",
        text(&confirmation)
    );

    // The gauges follow within a refresh (15 s).
    let meeting = r#"setad_reports{shape="meeting"}"#;
    let (status, m) = curl_until(&metrics, |_, body| value(body, meeting) == Some(1.0)).await;
    assert_eq!(status, 200);
    assert_eq!(value(&m, meeting), Some(1.0), "{m}");
    // Held, but neither the day nor the attendance said: a fact unknown.
    assert_eq!(
        value(&m, r#"setad_reports_unknown_fact{shape="meeting"}"#),
        Some(1.0),
        "{m}"
    );
    assert_eq!(
        value(&m, r#"setad_reports{shape="quota"}"#),
        Some(0.0),
        "{m}"
    );
    assert_eq!(
        value(&m, "setad_reports_unknown_fact_ratio"),
        Some(1.0),
        "{m}"
    );
    // The reply's update was handled: a latency and a lag were recorded, in buckets.
    let handled = value(
        &m,
        r#"setad_handler_duration_seconds_count{platform="telegram"}"#,
    );
    assert!(handled.is_some_and(|n| n >= 1.0), "{m}");
    let lag = value(&m, r#"setad_inbox_lag_seconds_count{platform="telegram"}"#);
    assert!(lag.is_some_and(|n| n >= 1.0), "{m}");
    assert!(
        m.contains(r#"setad_handler_duration_seconds_bucket{platform="telegram",le="+Inf"}"#),
        "{m}"
    );
    // A queue depth and an expired count per kind; nothing is waiting once the reminder went.
    for kind in MessageKind::ALL {
        let labels = format!(r#"{{platform="telegram",kind="{}"}}"#, kind.as_str());
        let depth = value(&m, &format!("setad_queue_depth{labels}"));
        assert!(depth.is_some_and(|n| n >= 0.0), "{kind:?}: {m}");
        let expired = value(&m, &format!("setad_queue_expired{labels}"));
        assert_eq!(expired, Some(0.0), "{kind:?}: {m}");
    }
    // The send worker's counters exist from the start, every outcome.
    for outcome in [
        "sent",
        "rate_limited",
        "server_error",
        "network_error",
        "failed",
    ] {
        let series = format!(r#"setad_sends_total{{platform="telegram",outcome="{outcome}"}}"#);
        assert!(
            value(&m, &series).is_some_and(|n| n >= 0.0),
            "{series}: {m}"
        );
    }
    assert!(value(&m, r#"setad_send_retries_total{platform="telegram"}"#).is_some());
    assert!(
        value(
            &m,
            r#"setad_given_up_total{platform="telegram",kind="remind"}"#
        )
        .is_some()
    );
    assert!(
        m.contains("# TYPE setad_handler_duration_seconds histogram"),
        "{m}"
    );
    // Nothing else is served there.
    assert_eq!(curl(&format!("http://{addr}/")).await.0, 404);
    assert_eq!(curl(&format!("http://{addr}/webhook")).await.0, 404);
    run.bot.stop();
}

/// The send worker counts what it sends (`crate::ops::record_send`, called from
/// `src/sender/`, which another branch of issue 11 changes).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sends_are_counted() {
    let run = start_with_a_governor("sends").await;
    let (double, addr) = (&run.double, &run.addr);
    wait_for_text(double, 5001, "(R3)").await;
    let sent = r#"setad_sends_total{platform="telegram",outcome="sent"}"#;
    let (_, m) = curl_until(&format!("http://{addr}/metrics"), |_, body| {
        value(body, sent).is_some_and(|n| n >= 1.0)
    })
    .await;
    assert!(value(&m, sent).is_some_and(|n| n >= 1.0), "{m}");
    run.bot.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unhealthy_while_no_platform_runs() {
    let db = common::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let addr = free_addr();
    // Nobody answers on the Bot API's address: Telegram stays starting.
    let mut env = run_env(&db.url, &format!("http://{}", free_addr()), FIRST);
    env.push(("SETAD_METRICS_LISTEN".into(), addr.clone()));
    let bot = spawn(dir.path(), "unhealthy", &env);
    let (status, body) = curl_until(&format!("http://{addr}/healthz"), |s, _| s != 0).await;
    assert_eq!(status, 503, "{body}\n{}", bot.log_tail());
    let health: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(health["status"], "unavailable", "{health}");
    assert_eq!(health["reason"], "no platform is running", "{health}");
    assert_eq!(health["platforms"]["telegram"], "starting", "{health}");
    assert_eq!(health["database"], "ok", "{health}");
    // The metrics are served all the same.
    let (status, m) = curl(&format!("http://{addr}/metrics")).await;
    assert_eq!(status, 200);
    assert!(m.contains("setad_sends_total"), "{m}");
    bot.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unhealthy_when_the_database_does_not_answer() {
    let db = common::sqlite().await;
    let health = Health::starting([Platform::Telegram, Platform::Bale]);
    health.set(Platform::Telegram, PlatformState::Running);
    health.set(
        Platform::Bale,
        PlatformState::Stopped("token rejected".into()),
    );
    let listen = "127.0.0.1:0".parse().unwrap();
    let ops = Ops::start(listen, db.store.clone(), health, vec![Platform::Telegram])
        .await
        .unwrap();
    let url = format!("http://{}/healthz", ops.addr());
    let (status, body) = curl(&url).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains(r#""bale":"stopped: token rejected""#),
        "{body}"
    );

    db.store.close().await;
    let (status, body) = curl(&url).await;
    assert_eq!(status, 503, "{body}");
    let health: serde_json::Value = serde_json::from_str(&body).unwrap();
    let reason = health["reason"].as_str().unwrap_or_default();
    assert!(
        reason.starts_with("the database does not answer"),
        "{health}"
    );
    ops.stop().await;
}

backend_tests!(
    the_queue_depth_counts_pending_and_expired,
    the_reports_facts_are_counted
);

async fn the_queue_depth_counts_pending_and_expired(backend: Backend) {
    let db = backend.open().await;
    let message = |key: &str, platform: Platform, kind: MessageKind| NewMessage {
        expires_at: i64::MAX,
        dedup_key: key.into(),
        platform,
        chat_id: 1,
        member_id: None,
        kind,
        occurrence_id: None,
        report_id: None,
        body: "متن".into(),
        not_before: 0,
        missed: false,
        payload: None,
    };
    let messages = [
        message("a", Platform::Telegram, MessageKind::Remind),
        message("b", Platform::Telegram, MessageKind::Remind),
        message("c", Platform::Telegram, MessageKind::Remind),
        message("d", Platform::Bale, MessageKind::Alert),
    ];
    db.store.enqueue(&messages, 0).await.unwrap();
    // One given up on: the state the sender gives a message no longer useful.
    let expire = "UPDATE outbox SET state = 'expired' WHERE dedup_key = 'c'";
    match &db.store {
        Store::Sqlite(s) => sqlx::query(expire).execute(s.pool()).await.map(|_| ()),
        Store::Postgres(p) => sqlx::query(expire).execute(p).await.map(|_| ()),
    }
    .unwrap();
    let mut depth = db.store.queue_depth().await.unwrap();
    depth.sort_by_key(|d| (d.platform, d.kind));
    assert_eq!(
        depth,
        [
            QueueDepth {
                platform: Platform::Telegram,
                kind: MessageKind::Remind,
                pending: 2,
                expired: 1
            },
            QueueDepth {
                platform: Platform::Bale,
                kind: MessageKind::Alert,
                pending: 1,
                expired: 0
            },
        ]
    );
    db.store.ping().await.unwrap();
}

async fn the_reports_facts_are_counted(backend: Backend) {
    let db = backend.open().await;
    setad::service::import::import(&db.store, &common::mazandaran_source(), 0)
        .await
        .unwrap();
    setad::service::tick::tick(&db.store, &tick_config(), at(FIRST))
        .await
        .unwrap();
    assert!(db.store.fact_coverage().await.unwrap().is_empty());
    let obligations = db.store.obligations().await.unwrap();
    let rows = db.store.period_rows(140509).await.unwrap();
    let of = |key: &str, n: usize| {
        let id = obligations
            .iter()
            .find(|o| o.key == key)
            .unwrap()
            .obligation_id;
        let found: Vec<_> = rows
            .iter()
            .filter(|r| r.obligation_id == id)
            .take(n)
            .collect();
        assert_eq!(found.len(), n, "{key}");
        found
    };
    let (r3, r2) = (of("R3", 4), of("R2", 2));
    let held = |held_on: Option<&str>, attendees: Option<i64>| ReportInput {
        body: "گزارش".into(),
        held: Some(true),
        held_on: held_on.map(str::to_owned),
        attendees,
        ..ReportInput::default()
    };
    let reports = [
        // A meeting held on a day with its attendance: every fact known.
        (r3[0], held(Some("2026-12-01"), Some(12))),
        // Held, but the day not said; held, the attendance not said; held or not not said.
        (r3[1], held(None, Some(12))),
        (r3[2], held(Some("2026-12-01"), None)),
        (r3[3], ReportInput::default()),
        // A quota: only the number insured counts.
        (
            r2[0],
            ReportInput {
                insured: Some(35),
                ..ReportInput::default()
            },
        ),
        (r2[1], held(Some("2026-12-01"), Some(3))),
    ];
    let mut tx = db.store.begin().await.unwrap();
    for (row, input) in &reports {
        tx.save_report(row.occurrence_id, input, at(FIRST).timestamp())
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let mut coverage = db.store.fact_coverage().await.unwrap();
    coverage.sort_by_key(|c| c.shape.as_str());
    assert_eq!(
        coverage,
        [
            FactCoverage {
                shape: Shape::Meeting,
                reports: 4,
                unknown: 3
            },
            FactCoverage {
                shape: Shape::Quota,
                reports: 2,
                unknown: 1
            },
        ]
    );
}
