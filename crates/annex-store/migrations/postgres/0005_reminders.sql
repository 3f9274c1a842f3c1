-- Reminders: the earliest date each record reminds of, and one row per day whose digest
-- has been claimed, so that several app servers send it once. (Accounts have had their
-- email address since 0001.) Keep in step with ../sqlite/0005_reminders.sql.
-- (0004 is left to work in progress elsewhere; migrations apply in order of their number.)

-- The earliest of the due date and the date fields the record's kind declares as reminders
-- (annex_core::reminders::remind_on), written with every version. Overdue lists and digests
-- are a range over it.
ALTER TABLE records ADD COLUMN remind_on TEXT;
UPDATE records SET remind_on = CASE
    WHEN kind = 'document'
         AND (fields::jsonb ->> 'periodic_review') IS NOT NULL
         AND (due_on IS NULL OR (fields::jsonb ->> 'periodic_review') < due_on)
    THEN (fields::jsonb ->> 'periodic_review')
    ELSE due_on
END;
-- Only records that remind are indexed; a comparison on remind_on lets the planner use these.
-- A register's overdue list, and the digest's sweep over every owner.
CREATE INDEX records_kind_remind ON records (kind, remind_on, id) WHERE remind_on IS NOT NULL;
CREATE INDEX records_remind ON records (remind_on, owner_id) WHERE remind_on IS NOT NULL;
-- A person's overdue and soon-due records (the task list's counts).
CREATE INDEX records_owner_remind ON records (owner_id, remind_on) WHERE remind_on IS NOT NULL;

-- The day of a digest is claimed by inserting its row; a second server's insert does
-- nothing, and that server sends nothing.
CREATE TABLE reminder_digests (
    day TEXT PRIMARY KEY,
    claimed_at BIGINT NOT NULL,
    claimed_by TEXT NOT NULL,
    finished_at BIGINT,
    sent BIGINT NOT NULL DEFAULT 0,
    failed BIGINT NOT NULL DEFAULT 0
);
