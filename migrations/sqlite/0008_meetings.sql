-- The headquarters' meetings and the window of each obligation (issue 10, "the next meeting's
-- resolutions"). Kept in step with ../postgres/0008_meetings.sql.

-- A session of the headquarters that adopted resolutions (R1: it meets monthly).
CREATE TABLE meeting (
    meeting_id INTEGER PRIMARY KEY,
    key        TEXT    NOT NULL UNIQUE,  -- the data file's key ("1397-05")
    held_on    TEXT    NOT NULL,         -- Gregorian ISO date of the session
    title      TEXT    NOT NULL,         -- Persian, may be empty
    created_at INTEGER NOT NULL
);

-- The meeting that adopted the obligation (none for files without meetings).
ALTER TABLE obligation ADD COLUMN meeting_id INTEGER REFERENCES meeting (meeting_id);
-- The first Jalali period (yyyymm, domain::calendar::Period::code) that has occurrences: the
-- period of the obligation's start (its meeting's date or an explicit `start`); none: always.
ALTER TABLE obligation ADD COLUMN start_period INTEGER;
-- The last period that has occurrences (the period of `end`): retired from the next one.
ALTER TABLE obligation ADD COLUMN end_period INTEGER;
