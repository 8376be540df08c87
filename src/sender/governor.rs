//! The send rate governor: paces sends evenly at a rate, pauses on a 429 for its `retry_after`,
//! and, where the real limit is unknown (Bale publishes none), adapts: it lowers the rate by a
//! factor on a 429 (at most once a second, since one burst of 429s is one signal) and raises it
//! slowly, by a share of the current rate each second of success. Against a token-bucket limit
//! this settles a little under the real rate with very few 429s.
//!
//! It also keeps a window of the last sends: never more than the rate's whole number of sends
//! start within one second (and a little: [`WINDOW`]), so a slot caught up after a late
//! wake-up cannot put one message too many in a second, as the messenger counts them.
//!
//! Pure: time is passed in as seconds on a monotonic clock.

use std::collections::VecDeque;

/// Multiplies the rate on a 429.
pub const DECREASE: f64 = 0.85;
/// Share of the current rate added per second without a 429.
pub const INCREASE: f64 = 0.01;
/// The rate never goes below this (messages per second).
pub const MIN_RATE: f64 = 0.5;
/// The window in which no more than the rate's whole number of sends start, in seconds: a
/// second, and a margin for the sends' different ways to the messenger.
pub const WINDOW: f64 = 1.01;

/// The governor's state.
#[derive(Debug, Clone)]
pub struct Governor {
    max_rate: f64,
    rate: f64,
    adaptive: bool,
    next_slot: f64,
    paused_until: f64,
    last_decrease: f64,
    last_increase: f64,
    /// When the latest sends started (as many as the rate's whole number).
    recent: VecDeque<f64>,
}

impl Governor {
    /// A governor that starts at `max_rate` (messages per second, `f64::INFINITY` for none).
    pub fn new(max_rate: f64, adaptive: bool) -> Governor {
        Governor {
            max_rate,
            rate: max_rate,
            adaptive,
            next_slot: f64::NEG_INFINITY,
            paused_until: f64::NEG_INFINITY,
            last_decrease: f64::NEG_INFINITY,
            last_increase: f64::NEG_INFINITY,
            recent: VecDeque::new(),
        }
    }

    /// The current rate.
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// Takes the next send slot and returns when it is (at or before `now`: send at once).
    ///
    /// Slots follow each other exactly `1/rate` apart, so a timer that wakes a millisecond late
    /// does not push every later slot back (at 30/s that alone loses 3% of the rate). Only a
    /// slot missed by more than one interval is dropped: idle time does not build up a burst.
    pub fn reserve(&mut self, now: f64) -> f64 {
        let slot = if self.rate.is_finite() && now - self.next_slot <= 1.0 / self.rate {
            self.next_slot
        } else {
            now
        };
        let mut at = slot.max(self.paused_until);
        if let (Some(cap), Some(first)) = (self.cap(), self.recent.front())
            && self.recent.len() >= cap
        {
            at = at.max(first + WINDOW);
        }
        if self.rate.is_finite() {
            self.next_slot = at + 1.0 / self.rate;
        }
        at
    }

    /// The most sends that may start within [`WINDOW`] (`None`: no limit).
    fn cap(&self) -> Option<usize> {
        self.rate
            .is_finite()
            .then(|| (self.rate.floor() as usize).max(1))
    }

    /// A send started at `now` (after its slot came): the window counts it.
    pub fn started(&mut self, now: f64) {
        let Some(cap) = self.cap() else { return };
        self.recent.push_back(now);
        while self.recent.len() > cap {
            self.recent.pop_front();
        }
    }

    /// A send succeeded at `now`.
    pub fn on_success(&mut self, now: f64) {
        if self.adaptive && self.rate < self.max_rate && now - self.last_increase >= 1.0 {
            self.rate = (self.rate * (1.0 + INCREASE)).min(self.max_rate);
            self.last_increase = now;
        }
    }

    /// The messenger answered 429 with `retry_after` seconds at `now`.
    pub fn on_rate_limited(&mut self, now: f64, retry_after: f64) {
        self.paused_until = self.paused_until.max(now + retry_after.max(0.0));
        if self.adaptive && now - self.last_decrease >= 1.0 {
            let base = if self.rate.is_finite() {
                self.rate
            } else {
                self.max_rate.min(1000.0)
            };
            self.rate = (base * DECREASE).max(MIN_RATE);
            self.last_decrease = now;
            self.last_increase = now;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paces_evenly() {
        let mut g = Governor::new(10.0, false);
        let slots: Vec<f64> = (0..3).map(|_| g.reserve(0.0)).collect();
        assert_eq!(slots, [0.0, 0.1, 0.2]);
        // Idle time does not build up credit.
        assert_eq!(g.reserve(5.0), 5.0);
        assert!((g.reserve(5.0) - 5.1).abs() < 1e-9);
    }

    #[test]
    fn a_late_wake_up_does_not_shift_the_schedule() {
        let mut g = Governor::new(10.0, false);
        assert_eq!(g.reserve(0.0), 0.0);
        // Woken 5 ms late for the slot at 0.1: the slot keeps its time, the next is at 0.2.
        assert!((g.reserve(0.105) - 0.1).abs() < 1e-9);
        assert!((g.reserve(0.105) - 0.2).abs() < 1e-9);
        // Over 100 slots, each woken 2 ms late, the average rate stays 10/s.
        let mut last = 0.0;
        let mut now = 0.2;
        for _ in 0..100 {
            let at = g.reserve(now);
            now = at.max(now) + 0.002;
            last = at;
        }
        assert!((last - 10.2).abs() < 1e-6, "{last}");
    }

    #[test]
    fn no_more_than_the_rate_start_within_a_second() {
        let mut g = Governor::new(3.0, false);
        let mut starts = Vec::new();
        // Woken late for the first slot (0.3 s), then on time: the caught-up slots may not put
        // four sends within a second.
        let mut now = 0.3;
        for _ in 0..9 {
            let at = g.reserve(now).max(now);
            g.started(at);
            starts.push(at);
            now = at;
        }
        for pair in starts.windows(4) {
            assert!(pair[3] - pair[0] >= WINDOW - 1e-9, "{starts:?}");
        }
        // Still close to the rate over the whole run.
        let rate = (starts.len() - 1) as f64 / (starts[8] - starts[0]);
        assert!(rate > 2.8, "{rate}: {starts:?}");
    }

    #[test]
    fn a_429_pauses_and_lowers_the_rate_once_per_burst() {
        let mut g = Governor::new(30.0, true);
        g.on_rate_limited(10.0, 1.0);
        g.on_rate_limited(10.2, 1.0);
        assert!((g.rate() - 25.5).abs() < 1e-9, "{}", g.rate());
        assert!(g.reserve(10.5) >= 11.2);
        // Without adaptation the rate stays but the pause holds.
        let mut fixed = Governor::new(30.0, false);
        fixed.on_rate_limited(0.0, 2.0);
        assert_eq!(fixed.rate(), 30.0);
        assert_eq!(fixed.reserve(0.5), 2.0);
    }

    #[test]
    fn the_rate_climbs_back_slowly_to_the_maximum() {
        let mut g = Governor::new(20.0, true);
        g.on_rate_limited(0.0, 0.0);
        let low = g.rate();
        for s in 1..=5 {
            g.on_success(f64::from(s));
        }
        assert!(g.rate() > low && g.rate() < 20.0, "{}", g.rate());
        for s in 6..=100 {
            g.on_success(f64::from(s));
        }
        assert_eq!(g.rate(), 20.0);
    }

    #[test]
    fn unlimited_stays_unlimited_until_told_otherwise() {
        let mut g = Governor::new(f64::INFINITY, true);
        assert_eq!(g.reserve(1.0), 1.0);
        assert_eq!(g.reserve(1.0), 1.0);
        g.on_rate_limited(2.0, 1.0);
        assert!(g.rate().is_finite());
    }
}
