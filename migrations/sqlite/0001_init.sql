-- Setad's schema, first version (SQLite). Kept in step with ../postgres/0001_init.sql: same
-- tables, columns and constraints; only the types differ. Never edit an applied migration:
-- add the next one.
-- Timestamps are integer seconds since 1970-01-01 UTC. Periods are Jalali months as
-- year * 100 + month (140402 = Ordibehesht 1404). Calendar dates are Gregorian ISO text.

-- The administrative tree and every office an obligation can fall on.
CREATE TABLE unit (
    unit_id     INTEGER PRIMARY KEY,
    key         TEXT    NOT NULL UNIQUE,          -- stable slug from the data file ("amol")
    kind        TEXT    NOT NULL,                 -- province|county|district|rural_district|village|town|directorate|office
    name        TEXT    NOT NULL,                 -- display name, Persian ("آمل")
    name_key    TEXT    NOT NULL,                 -- name normalised for matching (text::normalize_key)
    parent_id   INTEGER REFERENCES unit (unit_id),-- NULL only for the root
    population  INTEGER,                          -- towns: inhabitants (R9 concerns towns under 20,000)
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX unit_parent_id ON unit (parent_id);
CREATE INDEX unit_kind ON unit (kind);
CREATE INDEX unit_name_key ON unit (name_key);

-- What a resolution asks for.
CREATE TABLE obligation (
    obligation_id     INTEGER PRIMARY KEY,
    key               TEXT    NOT NULL UNIQUE,    -- "R3", "R5-quota"
    resolution        TEXT    NOT NULL,           -- the resolution it comes from ("R5")
    title             TEXT    NOT NULL,           -- what must be done, Persian
    description       TEXT    NOT NULL,           -- the resolution's words, Persian
    shape             TEXT    NOT NULL,           -- meeting|quota|deadline|continuous
    follow_up_unit_id INTEGER NOT NULL REFERENCES unit (unit_id), -- follows up; receives escalations
    report_to_unit_id INTEGER NOT NULL REFERENCES unit (unit_id), -- the result is reported to it
    schedule          TEXT    NOT NULL,           -- JSON of domain::obligation::Schedule
    responsible       TEXT    NOT NULL,           -- the data file's responsible list, as JSON (["kind:county"])
    population_below  INTEGER,                    -- with kind:town, only towns below this population
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);

-- An obligation given to one unit ("by position" assignments are expanded to every unit of the kind).
CREATE TABLE assignment (
    assignment_id INTEGER PRIMARY KEY,
    obligation_id INTEGER NOT NULL REFERENCES obligation (obligation_id),
    unit_id       INTEGER NOT NULL REFERENCES unit (unit_id),
    involvement   TEXT    NOT NULL,               -- responsible|collaborating
    by_kind       TEXT,                           -- the kind it was assigned by, NULL when named
    quota_target  INTEGER,                        -- quota obligations: people to insure
    active        BOOLEAN NOT NULL,               -- false once the data file no longer assigns it; kept for history
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (obligation_id, unit_id)
);
CREATE INDEX assignment_unit_id ON assignment (unit_id);

-- Official holidays: reminders that fall on one move to the next working day.
CREATE TABLE holiday (
    holiday_date TEXT    PRIMARY KEY,             -- Gregorian ISO date
    name         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL
);

-- A person bound to a unit through an invite, on one platform.
CREATE TABLE member (
    member_id    INTEGER PRIMARY KEY,
    platform     TEXT    NOT NULL,                -- telegram|bale
    user_id      INTEGER NOT NULL,                -- the platform's user id
    chat_id      INTEGER NOT NULL,                -- the private chat the bot writes to
    unit_id      INTEGER NOT NULL REFERENCES unit (unit_id),
    role         TEXT    NOT NULL,                -- governor|agency|staff|fund|admin
    display_name TEXT    NOT NULL,
    lang         TEXT    NOT NULL,                -- fa|en
    reachable    BOOLEAN NOT NULL,                -- false after the platform answered 403
    joined_at    INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (platform, user_id)
);
CREATE INDEX member_unit_id ON member (unit_id);

-- Join codes printed by `setad invite`.
CREATE TABLE invite (
    code       TEXT    PRIMARY KEY,               -- what follows /start
    unit_id    INTEGER NOT NULL REFERENCES unit (unit_id),
    role       TEXT    NOT NULL,
    max_uses   INTEGER NOT NULL,                  -- how many members may join with it
    uses       INTEGER NOT NULL,                  -- how many have
    expires_at INTEGER,                           -- NULL: never
    created_at INTEGER NOT NULL,
    created_by TEXT    NOT NULL                   -- "cli" or "member:ID"
);

-- An assignment in a period: what is reminded, reported on and counted.
CREATE TABLE occurrence (
    occurrence_id INTEGER PRIMARY KEY,
    assignment_id INTEGER NOT NULL REFERENCES assignment (assignment_id),
    period        INTEGER NOT NULL,               -- Jalali year * 100 + month
    remind_at     INTEGER NOT NULL,               -- first reminder
    nudge_at      INTEGER,                        -- nudge to the silent, if any
    due_at        INTEGER NOT NULL,               -- reports after this are late
    escalate_at   INTEGER,                        -- the missing are named after this
    status        TEXT    NOT NULL,               -- open|reported|late|missed
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (assignment_id, period)
);
CREATE INDEX occurrence_period ON occurrence (period);

-- The current report of an occurrence; every version received is kept in report_revision.
CREATE TABLE report (
    report_id     INTEGER PRIMARY KEY,
    occurrence_id INTEGER NOT NULL UNIQUE REFERENCES occurrence (occurrence_id),
    member_id     INTEGER REFERENCES member (member_id), -- NULL when entered by an operator
    body          TEXT    NOT NULL,               -- the text as written (sanitised)
    held          BOOLEAN,                        -- session held? NULL: not said
    held_on       TEXT,                           -- Gregorian ISO date it was held
    attendees     INTEGER,
    insured       INTEGER,                        -- people newly insured
    late          BOOLEAN NOT NULL,               -- first received after the due time
    platform      TEXT,                           -- where the message came from, to apply edits
    chat_id       INTEGER,
    message_id    INTEGER,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX report_message ON report (platform, chat_id, message_id);

-- Every version of every report, append-only: nothing a member sent is ever lost.
CREATE TABLE report_revision (
    report_revision_id INTEGER PRIMARY KEY,
    report_id          INTEGER NOT NULL REFERENCES report (report_id),
    member_id          INTEGER REFERENCES member (member_id),
    body               TEXT    NOT NULL,
    held               BOOLEAN,
    held_on            TEXT,
    attendees          INTEGER,
    insured            INTEGER,
    created_at         INTEGER NOT NULL
);
CREATE INDEX report_revision_report_id ON report_revision (report_id);

-- Who changed what.
CREATE TABLE audit (
    audit_id   INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    actor      TEXT    NOT NULL,                  -- "cli:import", "member:12", "scheduler"
    action     TEXT    NOT NULL,                  -- "insert", "update", "join", "report", …
    entity     TEXT    NOT NULL,                  -- table name
    entity_key TEXT    NOT NULL,                  -- the row's key or id
    detail     TEXT    NOT NULL                   -- JSON: what changed
);
CREATE INDEX audit_entity ON audit (entity, entity_key);
