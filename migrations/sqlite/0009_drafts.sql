-- Texts a member sent that the bot could not tie to an occurrence (not a reply to a reminder,
-- no `/report` choice): kept until the member says, by a button, which obligation they report
-- on (then `report_id` is the report they became) or that they are no report. Nothing a member
-- typed is dropped, and a draft counts as a report only once tied. Kept in step with
-- ../postgres/0009_drafts.sql.
CREATE TABLE draft (
    draft_id   INTEGER PRIMARY KEY,
    member_id  INTEGER NOT NULL REFERENCES member (member_id),
    body       TEXT    NOT NULL,
    platform   TEXT    NOT NULL,
    chat_id    INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    report_id  INTEGER REFERENCES report (report_id),
    settled_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX draft_message ON draft (platform, chat_id, message_id);
