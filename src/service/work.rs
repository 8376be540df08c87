//! The unit of work a caller hands a use case: one transaction, begun at its first write, so
//! that reads come first and hold no write lock; what the use cases write (a report, a joined
//! member, the messages they queue) and what the caller writes (an update's handled mark)
//! commit together. Messages reach the send worker only after the commit.

use crate::store::{NewMessage, Store, StoreError, Tx};

/// One transaction, begun lazily, and whether it queued messages for the send worker.
pub struct Work<'s> {
    store: &'s Store,
    tx: Option<Tx>,
    queued: bool,
}

impl<'s> Work<'s> {
    /// A unit of work on `store`; nothing is begun yet.
    pub fn new(store: &'s Store) -> Work<'s> {
        Work {
            store,
            tx: None,
            queued: false,
        }
    }

    /// The store, for reads outside the transaction.
    pub fn store(&self) -> &'s Store {
        self.store
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

    /// Commits what was written (nothing, if nothing was). Returns whether messages were queued
    /// for the send worker to claim (the caller wakes it).
    pub async fn commit(mut self) -> Result<bool, StoreError> {
        if let Some(tx) = self.tx.take() {
            tx.commit().await?;
        }
        Ok(self.queued)
    }
}
