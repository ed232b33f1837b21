CREATE TABLE "documents" (
	"id" uuid PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"file_name" text NOT NULL,
	"storage_key" text NOT NULL,
	"mime_type" text NOT NULL,
	"type" text NOT NULL,
	"size_bytes" bigint NOT NULL,
	"category" text,
	"owner_id" uuid NOT NULL,
	"linked_module" text,
	"linked_entity_type" text,
	"linked_entity_id" uuid,
	"customer_id" uuid,
	"checksum" text NOT NULL,
	"is_confidential" boolean DEFAULT false NOT NULL,
	"uploaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "documents_storage_key_unique" UNIQUE("storage_key"),
	CONSTRAINT "documents_type_known" CHECK ("documents"."type" in ('pdf', 'image', 'doc', 'sheet')),
	CONSTRAINT "documents_size_not_negative" CHECK ("documents"."size_bytes" >= 0),
	CONSTRAINT "documents_checksum_sha256" CHECK ("documents"."checksum" ~ '^[0-9a-f]{64}$'),
	CONSTRAINT "documents_link_complete" CHECK (("documents"."linked_entity_type" is null) = ("documents"."linked_entity_id" is null))
);
--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_owner_id_employees_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."employees"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "documents_created_idx" ON "documents" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "documents_uploaded_idx" ON "documents" USING btree ("uploaded_at","id");--> statement-breakpoint
CREATE INDEX "documents_owner_idx" ON "documents" USING btree ("owner_id");--> statement-breakpoint
CREATE INDEX "documents_customer_idx" ON "documents" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "documents_linked_idx" ON "documents" USING btree ("linked_entity_type","linked_entity_id");--> statement-breakpoint
CREATE INDEX "documents_checksum_idx" ON "documents" USING btree ("checksum");