CREATE TABLE "audit_logs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_id" uuid,
	"actor_email" text,
	"actor_type" text NOT NULL,
	"action" text NOT NULL,
	"resource_type" text NOT NULL,
	"resource_id" text,
	"resource_name" text,
	"changes" jsonb,
	"ip_address" text,
	"user_agent" text,
	"request_id" text
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"principal_id" text NOT NULL,
	"route" text NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"state" text DEFAULT 'running' NOT NULL,
	"response_status" integer,
	"response_body" text,
	"response_headers" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_principal_id_route_key_pk" PRIMARY KEY("principal_id","route","key")
);
--> statement-breakpoint
CREATE TABLE "login_failures" (
	"id" uuid PRIMARY KEY NOT NULL,
	"key" text NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sequences" (
	"scope" text NOT NULL,
	"year" integer NOT NULL,
	"value" integer NOT NULL,
	CONSTRAINT "sequences_scope_year_pk" PRIMARY KEY("scope","year")
);
--> statement-breakpoint
CREATE TABLE "signing_keys" (
	"kid" text PRIMARY KEY NOT NULL,
	"algorithm" text NOT NULL,
	"private_jwk" jsonb NOT NULL,
	"public_jwk" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retired_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "departments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"code" text,
	"description" text,
	"manager_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "departments_code_unique" UNIQUE("code")
);
--> statement-breakpoint
CREATE TABLE "employees" (
	"id" uuid PRIMARY KEY NOT NULL,
	"employee_code" text NOT NULL,
	"sso_subject" text,
	"first_name" text NOT NULL,
	"last_name" text NOT NULL,
	"gender" text,
	"birth_date" date,
	"nationality" text,
	"photo_url" text,
	"bio" text,
	"email" text NOT NULL,
	"phone" text,
	"address_street" text,
	"address_zip" text,
	"address_city" text,
	"address_country" text,
	"department_id" uuid,
	"role_id" uuid,
	"reports_to" uuid,
	"employment_type" text DEFAULT 'fulltime' NOT NULL,
	"hire_date" date,
	"termination_date" date,
	"status" text DEFAULT 'active' NOT NULL,
	"timezone" text DEFAULT 'Europe/Berlin' NOT NULL,
	"language" text DEFAULT 'de' NOT NULL,
	"theme" text DEFAULT 'catppuccin-frappe' NOT NULL,
	"notifications_enabled" boolean DEFAULT true NOT NULL,
	"matrix_username" text,
	"last_login" timestamp with time zone,
	"password_hash" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "employees_employee_code_unique" UNIQUE("employee_code"),
	CONSTRAINT "employees_sso_subject_unique" UNIQUE("sso_subject"),
	CONSTRAINT "employees_termination_after_hire" CHECK ("employees"."termination_date" is null or "employees"."hire_date" is null or "employees"."termination_date" >= "employees"."hire_date"),
	CONSTRAINT "employees_not_own_manager" CHECK ("employees"."reports_to" is null or "employees"."reports_to" <> "employees"."id")
);
--> statement-breakpoint
CREATE TABLE "roles" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"permissions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"zitadel_role_key" text,
	"priority" integer DEFAULT 0 NOT NULL,
	"is_system" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "roles_name_unique" UNIQUE("name"),
	CONSTRAINT "roles_zitadel_role_key_unique" UNIQUE("zitadel_role_key")
);
--> statement-breakpoint
CREATE TABLE "refresh_tokens" (
	"id" uuid PRIMARY KEY NOT NULL,
	"family_id" uuid NOT NULL,
	"employee_id" uuid NOT NULL,
	"token_hash" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"replaced_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "refresh_tokens_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "settings" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"company_name" text,
	"company_legal_form" text,
	"tax_number" text,
	"vat_id" text,
	"registration_number" text,
	"address_street" text,
	"address_zip" text,
	"address_city" text,
	"address_country" text DEFAULT 'DE' NOT NULL,
	"company_email" text,
	"company_phone" text,
	"company_website" text,
	"bank_name" text,
	"iban" text,
	"bic" text,
	"default_timezone" text DEFAULT 'Europe/Berlin' NOT NULL,
	"default_language" text DEFAULT 'de' NOT NULL,
	"default_currency" text DEFAULT 'EUR' NOT NULL,
	"date_format" text DEFAULT 'DD.MM.YYYY' NOT NULL,
	"working_hours_per_day" numeric(4, 2) DEFAULT '8.00' NOT NULL,
	"working_days_per_week" integer DEFAULT 5 NOT NULL,
	"vacation_days_per_year" integer DEFAULT 30 NOT NULL,
	"weekend_saturday" boolean DEFAULT true NOT NULL,
	"weekend_sunday" boolean DEFAULT true NOT NULL,
	"default_tax_rate" numeric(5, 2) DEFAULT '19.00' NOT NULL,
	"payment_terms_days" integer DEFAULT 14 NOT NULL,
	"small_business" boolean DEFAULT false NOT NULL,
	"invoice_footer" text,
	"employee_code_prefix" text DEFAULT 'KIT' NOT NULL,
	"customer_number_prefix" text DEFAULT 'KIT-CUS' NOT NULL,
	"maintenance_mode" boolean DEFAULT false NOT NULL,
	"allow_registration" boolean DEFAULT false NOT NULL,
	"require_email_verification" boolean DEFAULT true NOT NULL,
	"audit_retention_days" integer DEFAULT 365 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "departments" ADD CONSTRAINT "departments_manager_id_employees_id_fk" FOREIGN KEY ("manager_id") REFERENCES "public"."employees"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "employees" ADD CONSTRAINT "employees_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "employees" ADD CONSTRAINT "employees_role_id_roles_id_fk" FOREIGN KEY ("role_id") REFERENCES "public"."roles"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "employees" ADD CONSTRAINT "employees_reports_to_employees_id_fk" FOREIGN KEY ("reports_to") REFERENCES "public"."employees"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refresh_tokens" ADD CONSTRAINT "refresh_tokens_employee_id_employees_id_fk" FOREIGN KEY ("employee_id") REFERENCES "public"."employees"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_logs_occurred_at_idx" ON "audit_logs" USING btree ("occurred_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "audit_logs_resource_idx" ON "audit_logs" USING btree ("resource_type","resource_id");--> statement-breakpoint
CREATE INDEX "audit_logs_actor_idx" ON "audit_logs" USING btree ("actor_id");--> statement-breakpoint
CREATE INDEX "idempotency_created_idx" ON "idempotency_keys" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "login_failures_key_idx" ON "login_failures" USING btree ("key","occurred_at");--> statement-breakpoint
CREATE INDEX "departments_created_idx" ON "departments" USING btree ("created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "employees_email_unique" ON "employees" USING btree (lower("email"));--> statement-breakpoint
CREATE INDEX "employees_created_idx" ON "employees" USING btree ("created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "employees_department_idx" ON "employees" USING btree ("department_id");--> statement-breakpoint
CREATE INDEX "employees_role_idx" ON "employees" USING btree ("role_id");--> statement-breakpoint
CREATE INDEX "employees_reports_to_idx" ON "employees" USING btree ("reports_to");--> statement-breakpoint
CREATE INDEX "refresh_tokens_family_idx" ON "refresh_tokens" USING btree ("family_id");--> statement-breakpoint
CREATE INDEX "refresh_tokens_employee_idx" ON "refresh_tokens" USING btree ("employee_id");