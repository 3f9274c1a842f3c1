-- The chain's head follows each appended event by itself, which spares every write one
-- statement. Keep in step with ../postgres/0003_audit_head_trigger.sql.
CREATE TRIGGER audit_events_head AFTER INSERT ON audit_events BEGIN
    UPDATE audit_head SET seq = new.seq, hash = new.hash WHERE id = 1;
END;
