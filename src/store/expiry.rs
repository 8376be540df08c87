//! The send queue's messages that outlived their use, and what waited after failed sends: given
//! up (state `expired`), made due again when the messenger answers, and claims taken over from
//! a sender that died.

use crate::domain::member::Platform;
use crate::domain::notice::MessageKind;

use super::{Store, StoreError, with_tx};

/// What a sweep of expired messages gave up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GivenUp {
    /// How many of each kind, by kind.
    pub counts: Vec<(MessageKind, u64)>,
    /// The last error one of them met when it was tried, if any was.
    pub last_error: Option<String>,
}

impl GivenUp {
    /// How many in all.
    pub fn total(&self) -> u64 {
        self.counts.iter().map(|(_, n)| n).sum()
    }
}

impl Store {
    /// Gives up the waiting messages of `platform` that were no longer worth sending at
    /// `now_ms` (state `expired`), and says how many of each kind.
    pub async fn give_up_expired(
        &self,
        platform: Platform,
        now_ms: i64,
    ) -> Result<GivenUp, StoreError> {
        let mut tx = self.begin().await?;
        let rows: Vec<(MessageKind, Option<String>)> = with_tx!(&mut tx, c => sqlx::query_as(
            "UPDATE outbox SET state = 'expired', updated_at = $3 \
             WHERE platform = $1 AND state = 'pending' AND expires_at <= $2 \
             RETURNING kind, last_error",
        )
        .bind(platform.as_str())
        .bind(now_ms)
        .bind(now_ms / 1000)
        .fetch_all(&mut *c)
        .await?);
        tx.commit().await?;
        let mut given = GivenUp::default();
        for (kind, error) in rows {
            match given.counts.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, n)) => *n += 1,
                None => given.counts.push((kind, 1)),
            }
            if error.is_some() {
                given.last_error = error;
            }
        }
        given.counts.sort_by_key(|(k, _)| k.priority());
        Ok(given)
    }

    /// Makes the waiting messages of `platform` that were put off after a failed send due at
    /// `now_ms` (the messenger answers again: what waited goes now, not at its own backoff).
    /// Returns how many.
    pub async fn send_delayed_now(
        &self,
        platform: Platform,
        now_ms: i64,
    ) -> Result<u64, StoreError> {
        let mut tx = self.begin().await?;
        let n = with_tx!(&mut tx, c => sqlx::query(
            "UPDATE outbox SET not_before = $2 \
             WHERE platform = $1 AND state = 'pending' AND not_before > $2 AND attempts > 0",
        )
        .bind(platform.as_str())
        .bind(now_ms)
        .execute(&mut *c)
        .await?
        .rows_affected());
        tx.commit().await?;
        Ok(n)
    }

    /// Returns to the queue every claim on `platform` not held by `worker` (a worker that
    /// just became the platform's one sender takes over from one that died). Returns how many.
    pub async fn release_others(
        &self,
        platform: Platform,
        worker: &str,
    ) -> Result<u64, StoreError> {
        let mut tx = self.begin().await?;
        let n = with_tx!(&mut tx, c => sqlx::query(
            "UPDATE outbox SET state = 'pending', claimed_by = NULL, claimed_until = NULL \
             WHERE platform = $1 AND state = 'sending' AND claimed_by <> $2",
        )
        .bind(platform.as_str())
        .bind(worker)
        .execute(&mut *c)
        .await?
        .rows_affected());
        tx.commit().await?;
        Ok(n)
    }
}
