-- The project's copy of ../shared/bench/schema.sql's employee data set, in WorkmateOS's own tables:
-- 20 departments and 10,000 employees spread over the four system roles, created_at spaced one
-- minute apart as in the floor's data. Run after the migrations (the server's first start).
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
commit;
analyze;
