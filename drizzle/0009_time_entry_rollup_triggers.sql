-- time_entry_rollups is kept by triggers in the writing transaction (see time-tracking.table.ts).
-- One row changes per entry change: the old entry's figures are taken out, the new one's put in.
CREATE OR REPLACE FUNCTION time_entry_rollup_add(e time_entries, sign integer, tz text) RETURNS void AS $$
BEGIN
  IF e.end_time IS NULL OR e.duration_minutes IS NULL THEN
    RETURN;
  END IF;
  INSERT INTO time_entry_rollups AS r
    (local_day, project_id, customer_id, billable, is_approved, is_invoiced, entries, minutes, amount)
  VALUES (
    (e.start_time AT TIME ZONE tz)::date, e.project_id, e.customer_id, e.billable, e.is_approved, e.is_invoiced,
    sign, sign * e.duration_minutes, sign * round(e.duration_minutes * coalesce(e.hourly_rate, 0) / 60.0, 2)
  )
  ON CONFLICT ON CONSTRAINT time_entry_rollups_key DO UPDATE
    SET entries = r.entries + EXCLUDED.entries,
        minutes = r.minutes + EXCLUDED.minutes,
        amount = r.amount + EXCLUDED.amount;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION time_entries_rollup_trigger() RETURNS trigger AS $$
DECLARE
  tz text := coalesce((SELECT default_timezone FROM settings WHERE id = 1), 'Europe/Berlin');
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM time_entry_rollup_add(OLD, -1, tz);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM time_entry_rollup_add(NEW, 1, tz);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER time_entries_rollup AFTER INSERT OR DELETE ON time_entries
  FOR EACH ROW EXECUTE FUNCTION time_entries_rollup_trigger();
--> statement-breakpoint
-- Only changes of the summed or grouped columns touch the rollup (a note edit does not).
CREATE TRIGGER time_entries_rollup_update AFTER UPDATE OF
  start_time, end_time, duration_minutes, hourly_rate, project_id, customer_id, billable, is_approved, is_invoiced
  ON time_entries FOR EACH ROW EXECUTE FUNCTION time_entries_rollup_trigger();
--> statement-breakpoint
-- Recomputes the whole table in the company's current time zone (first fill, bulk loads, zone change).
CREATE OR REPLACE FUNCTION time_entry_rollups_rebuild() RETURNS void AS $$
DECLARE
  tz text := coalesce((SELECT default_timezone FROM settings WHERE id = 1), 'Europe/Berlin');
BEGIN
  DELETE FROM time_entry_rollups;
  INSERT INTO time_entry_rollups
    (local_day, project_id, customer_id, billable, is_approved, is_invoiced, entries, minutes, amount)
  SELECT (start_time AT TIME ZONE tz)::date, project_id, customer_id, billable, is_approved, is_invoiced,
         count(*), sum(duration_minutes), sum(round(duration_minutes * coalesce(hourly_rate, 0) / 60.0, 2))
  FROM time_entries
  WHERE end_time IS NOT NULL AND duration_minutes IS NOT NULL
  GROUP BY 1, 2, 3, 4, 5, 6;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION settings_timezone_rollup_trigger() RETURNS trigger AS $$
BEGIN
  PERFORM time_entry_rollups_rebuild();
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER settings_timezone_rebuilds_rollups AFTER UPDATE OF default_timezone ON settings
  FOR EACH ROW WHEN (OLD.default_timezone IS DISTINCT FROM NEW.default_timezone)
  EXECUTE FUNCTION settings_timezone_rollup_trigger();
--> statement-breakpoint
SELECT time_entry_rollups_rebuild();
