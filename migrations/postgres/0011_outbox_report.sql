-- The report a message confirms: the bot's confirmation of a report carries it, so that a
-- member's reply to the confirmation fills that report's unknown facts (and keeps the reply's
-- text with it) instead of being read as a new report on the occurrence. NULL for every other
-- message. Kept in step with ../sqlite/0011_outbox_report.sql.
ALTER TABLE outbox ADD COLUMN report_id BIGINT REFERENCES report (report_id);
