-- A report's revision and its occurrence's status are written by the report's own statement:
-- every version of a report (a first report, an edit, a correction by button) adds its
-- revision, and a first report marks its occurrence reported or late (`late` never changes
-- after that, so neither does the status). Before, the store wrote both itself, two more
-- statements per reply. `report.member_id` is the member whose version is current: a
-- correction sets it to whoever corrected. Kept in step with ../sqlite/0006_report_triggers.sql.
CREATE FUNCTION report_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_revision (report_id, member_id, body, held, held_on, attendees, insured,
                                 created_at)
    VALUES (NEW.report_id, NEW.member_id, NEW.body, NEW.held, NEW.held_on, NEW.attendees,
            NEW.insured, NEW.updated_at);
    IF TG_OP = 'INSERT' THEN
        UPDATE occurrence SET status = CASE WHEN NEW.late THEN 'late' ELSE 'reported' END,
                              updated_at = NEW.updated_at
        WHERE occurrence_id = NEW.occurrence_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER report_written AFTER INSERT OR UPDATE ON report
    FOR EACH ROW EXECUTE FUNCTION report_written();
