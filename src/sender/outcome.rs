//! What a send's answer becomes: the outcome recorded, what it says of the messenger, and the
//! messages given back or given up.

use super::*;

/// A claimed row going back to the queue untried, due at once.
pub(super) fn put_back(row: &Claimed, now_ms: i64) -> Outcome {
    Outcome::Retry {
        outbox_id: row.outbox_id,
        not_before: now_ms,
        error: "returned unsent".into(),
        counts: false,
    }
}

/// What one send says of the messenger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Health {
    /// It answered (whatever it said).
    Answered,
    /// It delivered.
    Delivered,
    /// No answer, or a 5xx.
    Away,
    /// It refused the token.
    Refused,
}

/// Counts failures in a row (`u32::MAX`: the token was refused).
pub(super) fn note(health: Health, failing: &mut u32, relapses: &mut i64) {
    match health {
        Health::Delivered => {
            *failing = 0;
            *relapses = 0;
        }
        Health::Answered => *failing = 0,
        Health::Away => *failing = failing.saturating_add(1).min(u32::MAX - 1),
        Health::Refused => *failing = u32::MAX,
    }
}

/// A failure without an answer: the messenger's own 5xx, or the network.
pub(super) fn transient_outcome(error: &str) -> SendOutcome {
    let lower = error.to_ascii_lowercase();
    let server = error.starts_with('5')
        || [
            "bad gateway",
            "internal server error",
            "service unavailable",
            "gateway timeout",
        ]
        .iter()
        .any(|s| lower.contains(s));
    if server {
        SendOutcome::ServerError
    } else {
        SendOutcome::NetworkError
    }
}

/// Asks the messenger whether it is there (`getMe`).
pub(super) async fn ask(bot: &Bot, platform: Platform) -> Result<(), Delivery> {
    let _ = platform;
    call(bot, "getMe", &json!({})).await.map(|_| ())
}

pub(super) fn add_given(given: &mut GivenUp, kind: crate::domain::notice::MessageKind) {
    match given.counts.iter_mut().find(|(k, _)| *k == kind) {
        Some((_, n)) => *n += 1,
        None => given.counts.push((kind, 1)),
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn handle(
    done: &Done,
    governor: &mut Governor,
    next_for_chat: &mut HashMap<i64, Instant>,
    config: &SenderConfig,
    now_s: f64,
    record_tx: &mpsc::UnboundedSender<(Outcome, Option<(i64, String)>)>,
    clock: &Clock,
    rng: &mut impl Rng,
) -> Health {
    let id = done.row.outbox_id;
    let now_ms = clock.now_ms();
    let platform = config.platform;
    let (outcome, unreachable, health) = match &done.result {
        Delivery::Sent(message_id) => {
            ops::record_send(platform, SendOutcome::Sent);
            governor.on_success(now_s);
            (
                Outcome::Sent {
                    outbox_id: id,
                    message_id: *message_id,
                    sent_at: now_ms,
                },
                None,
                Health::Delivered,
            )
        }
        Delivery::RateLimited(wait) => {
            ops::record_send(platform, SendOutcome::RateLimited);
            governor.on_rate_limited(now_s, wait.as_secs_f64());
            next_for_chat.insert(done.row.chat_id, Instant::now() + *wait);
            tracing::debug!(chat = done.row.chat_id, wait = ?wait, rate = governor.rate(), "429");
            let not_before = now_ms + wait.as_millis() as i64;
            (
                Outcome::Retry {
                    outbox_id: id,
                    not_before,
                    error: "429".into(),
                    counts: false,
                },
                None,
                Health::Answered,
            )
        }
        Delivery::Transient(e) => {
            ops::record_send(platform, transient_outcome(e));
            ops::record_retry(platform);
            let delay = backoff(
                config.backoff,
                config.max_backoff,
                done.row.attempts,
                rng.random::<f64>(),
            );
            tracing::warn!(outbox_id = id, error = %e, retry_in = ?delay, "send failed, will retry");
            (
                Outcome::Retry {
                    outbox_id: id,
                    not_before: now_ms + delay.as_millis() as i64,
                    error: e.clone(),
                    counts: true,
                },
                None,
                Health::Away,
            )
        }
        Delivery::Rejected(e) => (
            {
                ops::record_send(platform, SendOutcome::Failed);
                Outcome::Retry {
                    outbox_id: id,
                    not_before: now_ms,
                    error: e.clone(),
                    counts: false,
                }
            },
            None,
            Health::Refused,
        ),
        Delivery::Failed(e) => {
            ops::record_send(platform, SendOutcome::Failed);
            tracing::error!(outbox_id = id, error = %e, "send failed for good");
            (
                Outcome::Failed {
                    outbox_id: id,
                    error: e.clone(),
                },
                None,
                Health::Answered,
            )
        }
        Delivery::Unreachable(e) => {
            ops::record_send(platform, SendOutcome::Unreachable);
            tracing::warn!(outbox_id = id, chat = done.row.chat_id, error = %e, "chat unreachable");
            (
                Outcome::Failed {
                    outbox_id: id,
                    error: e.clone(),
                },
                Some((done.row.chat_id, e.clone())),
                Health::Answered,
            )
        }
    };
    let _ = record_tx.send((outcome, unreachable));
    health
}
