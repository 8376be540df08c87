//! The last check of the bot's rate, as each request leaves.

use super::*;

/// No more than the rate's whole number of requests leave within [`governor::WINDOW`], counted
/// as each send's task runs (what the messenger sees), not when its slot was given.
pub(super) struct Window {
    cap: Option<usize>,
    recent: std::sync::Mutex<VecDeque<Instant>>,
}

impl Window {
    pub(super) fn new(rate: f64) -> Window {
        Window {
            cap: rate.is_finite().then(|| (rate.floor() as usize).max(1)),
            recent: std::sync::Mutex::new(VecDeque::new()),
        }
    }

    /// Waits until a request may leave, and counts it.
    pub(super) async fn admit(&self) {
        let Some(cap) = self.cap else { return };
        let window = Duration::from_secs_f64(governor::WINDOW);
        loop {
            let wait = {
                let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
                let now = Instant::now();
                while recent
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= window)
                {
                    recent.pop_front();
                }
                if recent.len() < cap {
                    recent.push_back(now);
                    return;
                }
                recent.front().map(|t| *t + window).unwrap_or(now)
            };
            tokio::time::sleep_until(wait).await;
        }
    }
}
