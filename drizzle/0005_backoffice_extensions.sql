-- Trigram search for customer names and the no-overlap rule for time entries (SPEC 4.1, 4.3).
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS btree_gist;--> statement-breakpoint
-- search=… is an OR of ILIKEs over name, number, e-mail and city: each needs a trigram index for a BitmapOr.
CREATE INDEX IF NOT EXISTS customers_name_trgm_idx ON customers USING gin (name gin_trgm_ops);--> statement-breakpoint
CREATE INDEX IF NOT EXISTS customers_number_trgm_idx ON customers USING gin (customer_number gin_trgm_ops);--> statement-breakpoint
CREATE INDEX IF NOT EXISTS customers_email_trgm_idx ON customers USING gin (email gin_trgm_ops);--> statement-breakpoint
CREATE INDEX IF NOT EXISTS customers_city_trgm_idx ON customers USING gin (city gin_trgm_ops);--> statement-breakpoint
-- An employee's entries never overlap; intervals are half-open and a running entry occupies [start, infinity).
ALTER TABLE time_entries ADD CONSTRAINT time_entries_no_overlap
  EXCLUDE USING gist (employee_id WITH =, tstzrange(start_time, coalesce(end_time, 'infinity'::timestamptz), '[)') WITH &&);
