//! The token buckets behind the double's rate limits. Pure arithmetic on instants passed in by
//! the caller; the state module decides which buckets a request must pass.

use tokio::time::Instant;

/// Slack for floating-point error when deciding whether a whole token is available.
const EPSILON: f64 = 1e-9;

/// A token bucket: `capacity` tokens at most, refilled at `rate` tokens per second.
#[derive(Clone, Debug)]
pub(crate) struct Bucket {
    rate: f64,
    capacity: f64,
    tokens: f64,
    last: Instant,
}

impl Bucket {
    /// A full bucket. `rate` must be positive and finite (see `config::limit`).
    pub(crate) fn new(rate: f64, capacity: f64, now: Instant) -> Self {
        let capacity = capacity.max(1.0);
        Bucket {
            rate,
            capacity,
            tokens: capacity,
            last: now,
        }
    }

    /// Seconds until a token is available (0 if one is available now).
    pub(crate) fn wait(&mut self, now: Instant) -> f64 {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.capacity);
        self.last = now;
        if self.tokens >= 1.0 - EPSILON {
            0.0
        } else {
            (1.0 - self.tokens) / self.rate
        }
    }

    /// Takes one token; call only after [`Bucket::wait`] returned 0 for the same instant.
    pub(crate) fn take(&mut self) {
        self.tokens = (self.tokens - 1.0).max(0.0);
    }
}

/// The `retry_after` for a wait: whole seconds, rounded up, at least 1.
pub(crate) fn retry_after(wait: f64) -> u64 {
    let secs = wait.ceil();
    if secs.is_finite() && secs >= 1.0 {
        // A float-to-int `as` saturates; waits are small.
        secs as u64
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_full_bucket_lets_its_capacity_through_then_waits() {
        let t0 = Instant::now();
        let mut bucket = Bucket::new(2.0, 2.0, t0);
        for _ in 0..2 {
            assert_eq!(bucket.wait(t0), 0.0);
            bucket.take();
        }
        let wait = bucket.wait(t0);
        assert!((wait - 0.5).abs() < 1e-6, "{wait}");
        assert_eq!(bucket.wait(t0 + Duration::from_millis(500)), 0.0);
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        for (wait, expected) in [(0.0, 1), (0.2, 1), (1.0, 1), (1.01, 2), (f64::NAN, 1)] {
            assert_eq!(retry_after(wait), expected, "{wait}");
        }
    }
}
