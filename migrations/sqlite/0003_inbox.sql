-- Updates received from the messengers, and conversation state. Kept in step with
-- ../postgres/0003_inbox.sql.

-- Every update is stored here before the messenger is told it was received (the next
-- getUpdates offset, or the webhook's 200), and handled from here: a crash loses nothing and a
-- redelivered update (same platform and update id) is stored and handled once.
CREATE TABLE inbox (
    inbox_id    INTEGER PRIMARY KEY,
    platform    TEXT    NOT NULL,                 -- telegram|bale
    update_id   INTEGER NOT NULL,                 -- the messenger's update id
    chat_id     INTEGER,                          -- the chat it concerns, for in-order handling per chat
    payload     TEXT    NOT NULL,                 -- the update's JSON as received
    state       TEXT    NOT NULL,                 -- new|done|failed
    error       TEXT,                             -- why it failed (unreadable JSON, …)
    received_at INTEGER NOT NULL,                 -- UTC milliseconds
    handled_at  INTEGER,                          -- UTC milliseconds
    UNIQUE (platform, update_id)
);
CREATE INDEX inbox_state ON inbox (platform, state, inbox_id);

-- What a member is in the middle of (after /report, the next text is the report).
CREATE TABLE member_state (
    member_id  INTEGER PRIMARY KEY REFERENCES member (member_id),
    state      TEXT    NOT NULL,                  -- JSON of bot::State
    updated_at INTEGER NOT NULL
);

-- Messages in the outbox may carry buttons and reply to a message.
ALTER TABLE outbox ADD COLUMN payload TEXT;      -- JSON: {"reply_to": id, "buttons": [[[text, data]]]}
