-- The audit log is append-only (SPEC 3.7): no UPDATE ever; DELETE only by the retention job.
CREATE OR REPLACE FUNCTION audit_logs_refuse_update() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_logs is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER audit_logs_no_update BEFORE UPDATE ON audit_logs FOR EACH ROW EXECUTE FUNCTION audit_logs_refuse_update();
--> statement-breakpoint
ALTER TABLE settings ADD CONSTRAINT settings_singleton CHECK (id = 1);
