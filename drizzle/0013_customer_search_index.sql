-- One trigram index over the four fields a customer search matches (name, number, e-mail, city),
-- joined by unit separators; the expression must stay identical to customerSearchText in
-- customers.repository.ts. It replaces the four single-column indexes: one index scan per search.
CREATE INDEX IF NOT EXISTS customers_search_trgm_idx ON customers USING gin (
  (name || chr(31) || customer_number || chr(31) || coalesce(email, '') || chr(31) || coalesce(city, '')) gin_trgm_ops
);--> statement-breakpoint
DROP INDEX IF EXISTS customers_name_trgm_idx;--> statement-breakpoint
DROP INDEX IF EXISTS customers_number_trgm_idx;--> statement-breakpoint
DROP INDEX IF EXISTS customers_email_trgm_idx;--> statement-breakpoint
DROP INDEX IF EXISTS customers_city_trgm_idx;
