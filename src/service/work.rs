//! The unit of work a caller hands a use case: one transaction, begun at its first write, so
//! that reads come first and hold no write lock; what the use cases write (a report, a joined
//! member, the messages they queue) and what the caller writes (an update's handled mark)
//! commit together. Messages reach the send worker only after the commit.

use crate::store::{NewMessage, Store, StoreError, Tx};

/// One transaction, begun lazily, whether it queued messages for the send worker, and the
/// messages for the person being answered that go before the answers.
pub struct Work<'s> {
    store: &'s Store,
    tx: Option<Tx>,
    queued: bool,
    first: Vec<NewMessage>,
}

impl<'s> Work<'s> {
    /// A unit of work on `store`; nothing is begun yet.
    pub fn new(store: &'s Store) -> Work<'s> {
        Work {
            store,
            tx: None,
            queued: false,
            first: Vec::new(),
        }
    }

    /// The store, for reads outside the transaction.
    pub fn store(&self) -> &'s Store {
        self.store
    }

    /// Whether nothing was begun yet (so a write of its own elsewhere cannot wait on this one).
    pub fn is_idle(&self) -> bool {
        self.tx.is_none()
    }

    /// The transaction, begun now if it was not yet.
    pub async fn tx(&mut self) -> Result<&mut Tx, StoreError> {
        if self.tx.is_none() {
            self.tx = Some(self.store.begin().await?);
        }
        Ok(self.tx.as_mut().expect("just begun"))
    }

    /// Queues messages for the send worker to claim, in this transaction.
    pub async fn queue(&mut self, messages: &[NewMessage], now: i64) -> Result<(), StoreError> {
        if messages.is_empty() {
            return Ok(());
        }
        self.tx().await?.enqueue(messages, now).await?;
        self.queued = true;
        Ok(())
    }

    /// Messages to the person whose update is being handled, to be sent before the answers to
    /// it (the reminders a member who just joined has missed, before the welcome): the caller
    /// queues them with its answers ([`super::inbox::finish_run`]).
    pub fn before_answers(&mut self, messages: Vec<NewMessage>) {
        self.first.extend(messages);
    }

    /// Takes the messages of [`Work::before_answers`].
    pub fn take_before_answers(&mut self) -> Vec<NewMessage> {
        std::mem::take(&mut self.first)
    }

    /// Commits what was written (nothing, if nothing was). Messages of
    /// [`Work::before_answers`] that no caller took are queued for the send worker to claim, so
    /// none is lost. Returns whether messages were queued for the send worker to claim (the
    /// caller wakes it).
    pub async fn commit(mut self) -> Result<bool, StoreError> {
        let first = std::mem::take(&mut self.first);
        if !first.is_empty() {
            let now = first.iter().map(|m| m.not_before / 1000).max().unwrap_or(0);
            self.queue(&first, now).await?;
        }
        if let Some(tx) = self.tx.take() {
            tx.commit().await?;
        }
        Ok(self.queued)
    }
}
