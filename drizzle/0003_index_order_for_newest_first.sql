-- A plain ascending index serves ORDER BY x DESC, id DESC by scanning backwards; the DESC NULLS LAST
-- indexes it replaces could not be used for that order (PostgreSQL sorts DESC with NULLS FIRST).
DROP INDEX "audit_logs_occurred_at_idx";--> statement-breakpoint
DROP INDEX "departments_created_idx";--> statement-breakpoint
DROP INDEX "employees_created_idx";--> statement-breakpoint
CREATE INDEX "audit_logs_occurred_at_idx" ON "audit_logs" USING btree ("occurred_at","id");--> statement-breakpoint
CREATE INDEX "departments_created_idx" ON "departments" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "employees_created_idx" ON "employees" USING btree ("created_at","id");