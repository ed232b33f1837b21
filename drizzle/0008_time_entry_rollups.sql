CREATE TABLE "time_entry_rollups" (
	"local_day" date NOT NULL,
	"project_id" uuid,
	"customer_id" uuid,
	"billable" boolean NOT NULL,
	"is_approved" boolean NOT NULL,
	"is_invoiced" boolean NOT NULL,
	"entries" integer NOT NULL,
	"minutes" bigint NOT NULL,
	"amount" numeric(14, 2) NOT NULL,
	CONSTRAINT "time_entry_rollups_key" UNIQUE NULLS NOT DISTINCT("local_day","project_id","customer_id","billable","is_approved","is_invoiced")
);
--> statement-breakpoint
CREATE INDEX "time_entry_rollups_project_idx" ON "time_entry_rollups" USING btree ("project_id");