-- The project's copy of ../shared/bench/schema.sql's data set, in WorkmateOS's own tables:
-- 20 departments, 10,000 employees over the four system roles, 100,000 customers and 1,000,000
-- time entries, with the same values and created_at spacing as the floor's data. Run after the
-- migrations (the server's first start).
begin;
insert into departments (id, name, code)
select gen_random_uuid(), 'Department ' || g, 'D' || g from generate_series(1, 20) g
on conflict do nothing;
insert into employees (id, employee_code, first_name, last_name, email, department_id, role_id, created_at)
select gen_random_uuid(), 'BEN-' || lpad(g::text, 5, '0'), 'Vorname' || g, 'Nachname' || g, 'person' || g || '@example.com',
  d.a[1 + g % 20], r.a[1 + g % 4], now() - (g || ' minutes')::interval
from (select array_agg(id order by code) as a from departments where code like 'D%') d,
  (select array_agg(id order by name) as a from roles where is_system) r,
  generate_series(1, 10000) g
on conflict do nothing;
insert into customers (id, customer_number, name, type, email, city, zip_code, street, created_at)
select gen_random_uuid(), 'KIT-CUS-' || lpad(g::text, 6, '0'),
  (array['Müller','Schmidt','Schneider','Fischer','Weber','Meyer','Wagner','Becker','Schulz','Hoffmann'])[1 + g % 10] || ' ' ||
  (array['GmbH','AG','KG','e.K.','UG','GbR'])[1 + g % 6] || ' ' || g,
  (array['business','individual','creator','government'])[1 + g % 4], 'kunde' || g || '@example.com',
  (array['Koblenz','Berlin','Hamburg','München','Köln'])[1 + g % 5], lpad((g % 99999)::text, 5, '0'), 'Straße ' || g,
  now() - (g || ' seconds')::interval
from generate_series(1, 100000) g
on conflict do nothing;
-- New customers continue after the seeded numbers.
insert into sequences (scope, year, value) values ('customer_number', 0, 100000)
on conflict (scope, year) do update set value = greatest(sequences.value, 100000);
-- A bulk load skips the per-row rollup trigger and recomputes the rollups once afterwards.
alter table time_entries disable trigger time_entries_rollup;
insert into time_entries (id, employee_id, project_id, start_time, end_time, duration_minutes, billable, hourly_rate, note)
select gen_random_uuid(), ids.a[1 + g % 10000], null, ts, ts + interval '90 minutes', 90, true, 95.00, 'Arbeit ' || g
from (select array_agg(id order by employee_code) as a from employees where employee_code like 'BEN-%') ids,
  generate_series(1, 1000000) g,
  lateral (select timestamptz '2025-01-01' + ((g * 37) % 525600 || ' minutes')::interval as ts) t;
alter table time_entries enable trigger time_entries_rollup;
select time_entry_rollups_rebuild();
commit;
analyze;
