-- The send queue (outbox). Kept in step with ../postgres/0002_outbox.sql.
-- Every message the bot sends on its own initiative is a row here first, with a unique key;
-- a worker sends it, honouring rate limits, and records the outcome.
CREATE TABLE outbox (
    outbox_id     INTEGER PRIMARY KEY,
    dedup_key     TEXT    NOT NULL UNIQUE,         -- "remind:OCCURRENCE:MEMBER", "escalate:OBLIGATION:PERIOD:MEMBER", …
    platform      TEXT    NOT NULL,                -- telegram|bale
    chat_id       INTEGER NOT NULL,
    member_id     INTEGER REFERENCES member (member_id), -- the recipient, when a member
    kind          TEXT    NOT NULL,                -- remind|nudge|escalate|alert|digest|notice
    occurrence_id INTEGER REFERENCES occurrence (occurrence_id), -- what a reply to it reports on
    body          TEXT    NOT NULL,                -- the text, rendered in the recipient's language
    priority      INTEGER NOT NULL,                -- lower first: alerts before bulk reminders
    state         TEXT    NOT NULL,                -- pending|sending|sent|failed|missed
    attempts      INTEGER NOT NULL,                -- sends tried (429s not counted)
    not_before    INTEGER NOT NULL,                -- UTC milliseconds: not sent before this (backoff, retry_after)
    claimed_by    TEXT,                            -- the worker holding it while state = sending
    claimed_until INTEGER,                         -- UTC milliseconds: the claim lapses after this
    message_id    INTEGER,                         -- the messenger's id of the sent message
    sent_at       INTEGER,                         -- UTC milliseconds
    last_error    TEXT,                            -- why the last attempt failed
    created_at    INTEGER NOT NULL,                -- UTC seconds
    updated_at    INTEGER NOT NULL                 -- UTC seconds
);
CREATE INDEX outbox_due ON outbox (platform, state, not_before);
CREATE INDEX outbox_message ON outbox (platform, chat_id, message_id);
CREATE INDEX outbox_occurrence ON outbox (occurrence_id);
