-- Membership over time: revoking a member, and leave with a deputy. Kept in step with
-- ../postgres/0007_membership.sql.

-- A revoked member can no longer use the bot; its row (and its reports, attributed to it) stay.
-- Joining again with a new invite clears it.
ALTER TABLE member ADD COLUMN revoked_at INTEGER;   -- NULL: active; else when it was revoked

-- A member's leave: from `starts_at` until `ends_at` the member receives no reminders of its
-- unit and `deputy_id`, a member of the same unit, receives them and may report on the unit's
-- occurrences. When the leave ends the member is told (once: `ended_at`).
CREATE TABLE member_leave (
    member_leave_id INTEGER PRIMARY KEY,
    member_id       INTEGER NOT NULL REFERENCES member (member_id), -- who is away
    deputy_id       INTEGER NOT NULL REFERENCES member (member_id), -- who stands in
    unit_id         INTEGER NOT NULL REFERENCES unit (unit_id),     -- the unit at the time
    starts_at       INTEGER NOT NULL,                 -- UTC seconds, inclusive
    ends_at         INTEGER NOT NULL,                 -- UTC seconds, exclusive
    ended_at        INTEGER,                          -- when the end was noticed (the notice queued)
    created_at      INTEGER NOT NULL,
    created_by      TEXT    NOT NULL                  -- "cli" or "member:ID"
);
CREATE INDEX member_leave_unit ON member_leave (unit_id, starts_at);
CREATE INDEX member_leave_open ON member_leave (ends_at) WHERE ended_at IS NULL;
