CREATE TABLE "infra_services" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"type" text NOT NULL,
	"connection_url" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"last_sync" timestamp with time zone,
	"last_error" text,
	"managed_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "infra_services_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE INDEX "infra_services_created_idx" ON "infra_services" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "infra_services_status_idx" ON "infra_services" USING btree ("status");