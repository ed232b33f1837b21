CREATE TABLE "dashboards" (
	"id" uuid PRIMARY KEY NOT NULL,
	"owner_id" uuid NOT NULL,
	"name" text NOT NULL,
	"config" jsonb DEFAULT '{"widgets":[]}'::jsonb NOT NULL,
	"theme" text,
	"is_default" boolean DEFAULT false NOT NULL,
	"last_accessed" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reminders" (
	"id" uuid PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"due_date" date NOT NULL,
	"priority" text DEFAULT 'medium' NOT NULL,
	"linked_entity_type" text,
	"linked_entity_id" uuid,
	"owner_id" uuid NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"notified" boolean DEFAULT false NOT NULL,
	"completed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "reminders_priority_valid" CHECK ("reminders"."priority" in ('low', 'medium', 'high', 'critical')),
	CONSTRAINT "reminders_status_valid" CHECK ("reminders"."status" in ('open', 'overdue', 'done')),
	CONSTRAINT "reminders_completed_iff_done" CHECK (("reminders"."status" = 'done') = ("reminders"."completed_at" is not null)),
	CONSTRAINT "reminders_link_complete" CHECK (("reminders"."linked_entity_type" is null) = ("reminders"."linked_entity_id" is null))
);
--> statement-breakpoint
ALTER TABLE "dashboards" ADD CONSTRAINT "dashboards_owner_id_employees_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."employees"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reminders" ADD CONSTRAINT "reminders_owner_id_employees_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."employees"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "dashboards_owner_created_idx" ON "dashboards" USING btree ("owner_id","created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "dashboards_one_default_per_owner" ON "dashboards" USING btree ("owner_id") WHERE "dashboards"."is_default";--> statement-breakpoint
CREATE INDEX "reminders_created_idx" ON "reminders" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "reminders_owner_due_idx" ON "reminders" USING btree ("owner_id","due_date");--> statement-breakpoint
CREATE INDEX "reminders_status_due_idx" ON "reminders" USING btree ("status","due_date");--> statement-breakpoint
CREATE INDEX "reminders_link_idx" ON "reminders" USING btree ("linked_entity_type","linked_entity_id");