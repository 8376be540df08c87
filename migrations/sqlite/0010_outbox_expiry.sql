-- A queued message is sent while it is still useful, and given up after, by one rule whatever
-- delayed it (the messenger away, the bot down, a member joining late): a reminder or a nudge
-- until its occurrence's due time, anything else for a day after it fell due. `expires_at` is
-- that moment; a message still waiting then goes to the state `expired` (given up, counted by
-- `setad check` and the metrics, and the admins are told). Kept in step with
-- ../postgres/0010_outbox_expiry.sql.
ALTER TABLE outbox ADD COLUMN expires_at INTEGER;
UPDATE outbox SET expires_at = COALESCE(
    (SELECT occurrence.due_at * 1000 FROM occurrence
      WHERE occurrence.occurrence_id = outbox.occurrence_id AND outbox.kind IN ('remind', 'nudge')),
    not_before + 86400000);
