-- A report's revision and its occurrence's status are written by the report's own statement:
-- every version of a report (a first report, an edit, a correction by button) adds its
-- revision, and a first report marks its occurrence reported or late (`late` never changes
-- after that, so neither does the status). Before, the store wrote both itself, two more
-- statements (two round trips to the connection's thread) per reply. `report.member_id` is the
-- member whose version is current: a correction sets it to whoever corrected. Kept in step with
-- ../postgres/0006_report_triggers.sql.
CREATE TRIGGER report_received AFTER INSERT ON report
BEGIN
    INSERT INTO report_revision (report_id, member_id, body, held, held_on, attendees, insured,
                                 created_at)
    VALUES (NEW.report_id, NEW.member_id, NEW.body, NEW.held, NEW.held_on, NEW.attendees,
            NEW.insured, NEW.updated_at);
    UPDATE occurrence SET status = CASE WHEN NEW.late THEN 'late' ELSE 'reported' END,
                          updated_at = NEW.updated_at
    WHERE occurrence_id = NEW.occurrence_id;
END;

CREATE TRIGGER report_revised AFTER UPDATE ON report
BEGIN
    INSERT INTO report_revision (report_id, member_id, body, held, held_on, attendees, insured,
                                 created_at)
    VALUES (NEW.report_id, NEW.member_id, NEW.body, NEW.held, NEW.held_on, NEW.attendees,
            NEW.insured, NEW.updated_at);
END;
