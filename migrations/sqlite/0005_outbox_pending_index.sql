-- The claim index holds only the messages waiting to be sent: a message leaves it when it is
-- claimed and never comes back once sent, so a sent message costs no index work and the index
-- stays the size of the queue, not of its history. The index on (platform, state, not_before)
-- served no query since claims read in priority order; it went. Kept in step with
-- ../postgres/0005_outbox_pending_index.sql.
DROP INDEX outbox_due;
DROP INDEX outbox_claim;
CREATE INDEX outbox_pending ON outbox (platform, priority, outbox_id) WHERE state = 'pending';
