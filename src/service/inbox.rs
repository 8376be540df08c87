//! Received updates: stored before the messenger is told they arrived, read back for what was
//! not handled, and marked handled in the unit of work of their effects, together with the
//! answers they queue (claimed for the send worker, which is given them after the commit).

use crate::domain::member::Platform;
use crate::store::{Claimed, HeldLock, InboxRow, NewUpdate, Store, StoreError};

use super::Work;
use super::notify::{Answer, Direct, answers};

pub use crate::store::NewUpdate as Arrival;

/// The advisory lock key of the poller of a platform ("setad:poll" + the platform).
const POLL_LOCK: i64 = 0x5e7a_d700;

/// Stores updates of `platform`, skipping those already stored; returns the rows that are new.
/// Once this returns, the messenger may be told they were received.
pub async fn store(
    store: &Store,
    platform: Platform,
    updates: &[NewUpdate],
    now_ms: i64,
) -> Result<Vec<InboxRow>, StoreError> {
    store.store_updates(platform, updates, now_ms).await
}

/// The highest update id stored for `platform`.
pub async fn last_update_id(store: &Store, platform: Platform) -> Result<Option<i64>, StoreError> {
    store.last_update_id(platform).await
}

/// Up to `limit` unhandled updates of `platform` after inbox id `after`, oldest first.
pub async fn unhandled(
    store: &Store,
    platform: Platform,
    after: i64,
    limit: i64,
) -> Result<Vec<InboxRow>, StoreError> {
    store.unhandled(platform, after, limit).await
}

/// Takes the right to poll `platform` if no other process holds it (only one process may poll
/// a bot: the messenger answers 409 to a second). Held until the value is dropped.
pub async fn poll_lock(store: &Store, platform: Platform) -> Result<Option<HeldLock>, StoreError> {
    store.try_hold_lock(POLL_LOCK + platform as i64).await
}

/// Deletes handled updates received before `before_ms`.
pub async fn prune(store: &Store, before_ms: i64) -> Result<u64, StoreError> {
    store.prune_inbox(before_ms).await
}

/// Marks update `row` handled in `work` and queues its answers in the same transaction,
/// already claimed for the send worker of `direct`. Returns the claimed rows (to give to the
/// worker after the commit), or `None` when the update was handled elsewhere meanwhile: then
/// the caller must drop the unit of work.
pub async fn finish(
    work: &mut Work<'_>,
    direct: &Direct,
    platform: Platform,
    row: &InboxRow,
    given: &[Answer],
    now_ms: i64,
) -> Result<Option<Vec<Claimed>>, StoreError> {
    finish_run(work, direct, platform, &[(row, given)], now_ms).await
}

/// [`finish`] for a run of updates handled together: their answers (after what the services
/// gave [`Work::before_answers`]) queued in one statement per few dozen rows and their handled
/// marks in one, whatever the run's length. `None` when any of them was handled elsewhere
/// meanwhile.
pub async fn finish_run(
    work: &mut Work<'_>,
    direct: &Direct,
    platform: Platform,
    run: &[(&InboxRow, &[Answer])],
    now_ms: i64,
) -> Result<Option<Vec<Claimed>>, StoreError> {
    let mut messages = work.take_before_answers();
    for (row, given) in run {
        let chat = row.chat_id.unwrap_or_default();
        messages.extend(answers(platform, row.update_id, chat, given, now_ms));
    }
    let ids: Vec<i64> = run.iter().map(|(row, _)| row.inbox_id).collect();
    let tx = work.tx().await?;
    let until = now_ms + direct.lease.as_millis() as i64;
    let claimed = if direct.is_active() {
        tx.enqueue_claimed(&messages, now_ms / 1000, &direct.worker, until)
            .await?
    } else {
        // Another process sends: it takes them from the queue.
        tx.enqueue(&messages, now_ms / 1000).await?;
        Vec::new()
    };
    if tx.finish_updates(&ids, now_ms).await? < ids.len() as u64 {
        return Ok(None);
    }
    Ok(Some(claimed))
}

/// Marks update `row` failed for `reason` (it cannot be read), in a transaction of its own.
pub async fn unreadable(
    store: &Store,
    row: &InboxRow,
    reason: &str,
    now_ms: i64,
) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    if tx.finish_update(row.inbox_id, Some(reason), now_ms).await? {
        tx.commit().await?;
    }
    Ok(())
}
