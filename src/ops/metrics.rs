//! The metrics: their names, the recorder that keeps them (the `metrics` crate's facade with
//! `metrics-exporter-prometheus` behind it), the functions the adapters call to count and time
//! what they do, and the gauges read from the database.
//!
//! Every name is a constant here and listed in the README ("Health and metrics"). Counters
//! and histograms are recorded where things happen; gauges are set by [`refresh`] from the
//! database, so that every process on one PostgreSQL reports the same queue.
//!
//! Until [`install`] has run, recording does nothing (the facade's default), so the adapters
//! record unconditionally and tests that never serve metrics pay nothing.

use std::sync::OnceLock;
use std::time::Duration;

use ::metrics::{Unit, counter, describe_counter, describe_gauge, describe_histogram, gauge};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::domain::member::Platform;
use crate::domain::notice::MessageKind;
use crate::domain::obligation::Shape;
use crate::store::{FactCoverage, QueueDepth, Store, StoreError};

/// Counter: messages the send queue tried to send, by `platform` and `outcome` (see
/// [`SendOutcome::as_str`]).
pub const SENDS: &str = "setad_sends_total";
/// Counter: sends tried again after a failure that may pass (a 5xx, the network), by
/// `platform`.
pub const SEND_RETRIES: &str = "setad_send_retries_total";
/// Counter: messages given up on by this process, by `platform` and `kind`.
pub const GIVEN_UP: &str = "setad_given_up_total";
/// Histogram: seconds an update took to handle, from its handling starting to its unit of
/// work committed, by `platform` (updates handled together each count their unit's time).
pub const HANDLER_SECONDS: &str = "setad_handler_duration_seconds";
/// Histogram: seconds from an update being stored in the inbox to being handled, by
/// `platform`.
pub const INBOX_LAG_SECONDS: &str = "setad_inbox_lag_seconds";
/// Gauge: messages waiting in the send queue (`pending`), by `platform` and `kind`.
pub const QUEUE_DEPTH: &str = "setad_queue_depth";
/// Gauge: messages in the database given up on for good (`expired`), by `platform` and `kind`.
pub const QUEUE_EXPIRED: &str = "setad_queue_expired";
/// Gauge: stored reports, by the `shape` of their obligation.
pub const REPORTS: &str = "setad_reports";
/// Gauge: stored reports that leave a fact unknown, by `shape` (see
/// [`Store::fact_coverage`]).
pub const REPORTS_UNKNOWN: &str = "setad_reports_unknown_fact";
/// Gauge: the share (0 to 1) of stored reports that leave a fact unknown, all shapes
/// together; 0 when none is stored.
pub const REPORTS_UNKNOWN_RATIO: &str = "setad_reports_unknown_fact_ratio";

/// The buckets of the handler's latency, in seconds.
const HANDLER_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// The buckets of the inbox's lag, in seconds (up to an hour: a restart after an outage).
const LAG_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0,
];

/// How a send ended, as the send queue's worker tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SendOutcome {
    /// The messenger took the message.
    Sent,
    /// 429: too many requests; it is sent again after the wait the messenger asked for.
    RateLimited,
    /// A 5xx answer.
    ServerError,
    /// No answer: the connection failed or timed out.
    NetworkError,
    /// Refused for good (another 4xx).
    Failed,
    /// The member cannot be reached (blocked the bot, deleted the chat).
    Unreachable,
}

impl SendOutcome {
    /// Every outcome.
    pub const ALL: [SendOutcome; 6] = [
        SendOutcome::Sent,
        SendOutcome::RateLimited,
        SendOutcome::ServerError,
        SendOutcome::NetworkError,
        SendOutcome::Failed,
        SendOutcome::Unreachable,
    ];

    /// The value of the `outcome` label.
    pub fn as_str(self) -> &'static str {
        match self {
            SendOutcome::Sent => "sent",
            SendOutcome::RateLimited => "rate_limited",
            SendOutcome::ServerError => "server_error",
            SendOutcome::NetworkError => "network_error",
            SendOutcome::Failed => "failed",
            SendOutcome::Unreachable => "unreachable",
        }
    }
}

/// Counts a send's outcome (`setad_sends_total{platform,outcome}`).
pub fn record_send(platform: Platform, outcome: SendOutcome) {
    counter!(SENDS, "platform" => platform.as_str(), "outcome" => outcome.as_str()).increment(1);
}

/// Counts a send tried again (`setad_send_retries_total{platform}`).
pub fn record_retry(platform: Platform) {
    counter!(SEND_RETRIES, "platform" => platform.as_str()).increment(1);
}

/// Counts `n` messages of `kind` given up on (`setad_given_up_total{platform,kind}`).
pub fn record_given_up(platform: Platform, kind: MessageKind, n: u64) {
    counter!(GIVEN_UP, "platform" => platform.as_str(), "kind" => kind.as_str()).increment(n);
}

/// Records the time an update took to handle (`setad_handler_duration_seconds{platform}`).
pub fn record_handled(platform: Platform, took: Duration) {
    ::metrics::histogram!(HANDLER_SECONDS, "platform" => platform.as_str()).record(took);
}

/// Records how long an update waited in the inbox (`setad_inbox_lag_seconds{platform}`):
/// from `stored_ms` to `handled_ms`, UTC milliseconds of the app's clock (never negative).
pub fn record_inbox_lag(platform: Platform, stored_ms: i64, handled_ms: i64) {
    let seconds = (handled_ms - stored_ms).max(0) as f64 / 1000.0;
    ::metrics::histogram!(INBOX_LAG_SECONDS, "platform" => platform.as_str()).record(seconds);
}

/// The process's recorder, installed once.
static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the Prometheus recorder as the process's global recorder, once (the tests start
/// several apps in one process); returns the handle that renders it. If another recorder was
/// installed first (never in the bot), the handle renders only the descriptions.
pub fn install() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(HANDLER_SECONDS.into()), HANDLER_BUCKETS)
                .and_then(|b| {
                    b.set_buckets_for_metric(Matcher::Full(INBOX_LAG_SECONDS.into()), LAG_BUCKETS)
                })
                .expect("the bucket lists are not empty")
                .build_recorder();
            let handle = recorder.handle();
            if let Err(e) = ::metrics::set_global_recorder(recorder) {
                tracing::warn!(error = %e, "another metrics recorder was installed first");
            }
            describe();
            handle
        })
        .clone()
}

/// The help text of every metric.
fn describe() {
    describe_counter!(SENDS, "Messages the send queue tried to send, by outcome.");
    describe_counter!(
        SEND_RETRIES,
        "Sends tried again after a 5xx or a network failure."
    );
    describe_counter!(GIVEN_UP, "Messages given up on by this process.");
    describe_histogram!(
        HANDLER_SECONDS,
        Unit::Seconds,
        "Time an update took to handle, to its unit of work committed."
    );
    describe_histogram!(
        INBOX_LAG_SECONDS,
        Unit::Seconds,
        "Time from an update being stored to being handled."
    );
    describe_gauge!(QUEUE_DEPTH, "Messages waiting in the send queue (pending).");
    describe_gauge!(
        QUEUE_EXPIRED,
        "Messages given up on for good (expired), in the database."
    );
    describe_gauge!(REPORTS, "Stored reports, by the shape of their obligation.");
    describe_gauge!(REPORTS_UNKNOWN, "Stored reports that leave a fact unknown.");
    describe_gauge!(
        REPORTS_UNKNOWN_RATIO,
        "Share of stored reports that leave a fact unknown (0 to 1)."
    );
}

/// Makes the counters of `platforms` exist at 0, so that they are scraped (and their rates
/// computed) from the start rather than from their first event.
pub fn register(platforms: &[Platform]) {
    for &p in platforms {
        for outcome in SendOutcome::ALL {
            counter!(SENDS, "platform" => p.as_str(), "outcome" => outcome.as_str()).increment(0);
        }
        counter!(SEND_RETRIES, "platform" => p.as_str()).increment(0);
        for kind in MessageKind::ALL {
            counter!(GIVEN_UP, "platform" => p.as_str(), "kind" => kind.as_str()).increment(0);
        }
    }
}

/// Sets the gauges from the database: the queue of every platform in `platforms` or in the
/// queue, every kind (0 when none), and the reports' facts.
pub async fn refresh(store: &Store, platforms: &[Platform]) -> Result<(), StoreError> {
    let depth = store.queue_depth().await?;
    let coverage = store.fact_coverage().await?;
    for d in queue_gauges(platforms, &depth) {
        let (platform, kind) = (d.platform.as_str(), d.kind.as_str());
        gauge!(QUEUE_DEPTH, "platform" => platform, "kind" => kind).set(d.pending as f64);
        gauge!(QUEUE_EXPIRED, "platform" => platform, "kind" => kind).set(d.expired as f64);
    }
    for c in coverage_gauges(&coverage) {
        gauge!(REPORTS, "shape" => c.shape.as_str()).set(c.reports as f64);
        gauge!(REPORTS_UNKNOWN, "shape" => c.shape.as_str()).set(c.unknown as f64);
    }
    gauge!(REPORTS_UNKNOWN_RATIO).set(unknown_ratio(&coverage));
    Ok(())
}

/// A gauge per platform (of `platforms` and of `depth`) and kind: `depth`'s counts, 0 where it
/// has none.
fn queue_gauges(platforms: &[Platform], depth: &[QueueDepth]) -> Vec<QueueDepth> {
    let mut all: Vec<Platform> = platforms.to_vec();
    all.extend(depth.iter().map(|d| d.platform));
    all.sort();
    all.dedup();
    all.into_iter()
        .flat_map(|platform| {
            MessageKind::ALL.into_iter().map(move |kind| {
                depth
                    .iter()
                    .find(|d| d.platform == platform && d.kind == kind)
                    .copied()
                    .unwrap_or(QueueDepth {
                        platform,
                        kind,
                        pending: 0,
                        expired: 0,
                    })
            })
        })
        .collect()
}

/// A gauge per shape: `coverage`'s counts, 0 where it has none.
fn coverage_gauges(coverage: &[FactCoverage]) -> Vec<FactCoverage> {
    Shape::ALL
        .into_iter()
        .map(|shape| {
            coverage
                .iter()
                .find(|c| c.shape == shape)
                .copied()
                .unwrap_or(FactCoverage {
                    shape,
                    reports: 0,
                    unknown: 0,
                })
        })
        .collect()
}

/// The share of reports that leave a fact unknown; 0 when there are none.
fn unknown_ratio(coverage: &[FactCoverage]) -> f64 {
    let reports: i64 = coverage.iter().map(|c| c.reports).sum();
    let unknown: i64 = coverage.iter().map(|c| c.unknown).sum();
    if reports == 0 {
        0.0
    } else {
        unknown as f64 / reports as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_platform_and_kind_has_a_queue_gauge() {
        let depth = [QueueDepth {
            platform: Platform::Bale,
            kind: MessageKind::Remind,
            pending: 3,
            expired: 1,
        }];
        let gauges = queue_gauges(&[Platform::Telegram], &depth);
        assert_eq!(gauges.len(), 2 * MessageKind::ALL.len());
        let bale_remind = gauges
            .iter()
            .find(|g| g.platform == Platform::Bale && g.kind == MessageKind::Remind)
            .unwrap();
        assert_eq!((bale_remind.pending, bale_remind.expired), (3, 1));
        assert!(
            gauges
                .iter()
                .filter(|g| g.platform == Platform::Telegram)
                .all(|g| g.pending == 0 && g.expired == 0)
        );
        assert!(queue_gauges(&[], &[]).is_empty());
    }

    #[test]
    fn the_unknown_share_counts_every_shape() {
        let coverage = |list: &[(Shape, i64, i64)]| -> Vec<FactCoverage> {
            list.iter()
                .map(|&(shape, reports, unknown)| FactCoverage {
                    shape,
                    reports,
                    unknown,
                })
                .collect()
        };
        for (list, ratio) in [
            (vec![], 0.0),
            (vec![(Shape::Meeting, 4, 1)], 0.25),
            (vec![(Shape::Meeting, 3, 1), (Shape::Quota, 1, 1)], 0.5),
            (vec![(Shape::Continuous, 2, 0)], 0.0),
        ] {
            let c = coverage(&list);
            assert_eq!(unknown_ratio(&c), ratio, "{list:?}");
            assert_eq!(coverage_gauges(&c).len(), Shape::ALL.len());
        }
    }

    #[test]
    fn outcomes_are_labelled_once_each() {
        let mut labels: Vec<&str> = SendOutcome::ALL.iter().map(|o| o.as_str()).collect();
        labels.sort();
        labels.dedup();
        assert_eq!(labels.len(), SendOutcome::ALL.len());
    }
}
