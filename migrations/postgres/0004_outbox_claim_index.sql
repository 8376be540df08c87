-- Claims take the due messages of a platform by priority, then age: an index in that order
-- lets a claim read the first rows instead of sorting every pending one (40,000 in a
-- national fan-out). Kept in step with ../sqlite/0004_outbox_claim_index.sql.
CREATE INDEX outbox_claim ON outbox (platform, state, priority, outbox_id);
