import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../../test/helpers.ts';
import { zonedMidnight } from '../../../core/time.ts';
import { rollupFilter } from './time-tracking.service.ts';

// The summary reads the trigger-kept daily rollups when it can. These tests write entries in
// every way the API allows and check the rollups give exactly what the entries give.
let t: TestApp;
const projects: string[] = [];
const customers: string[] = [];

type Summary = { rows: Array<Record<string, unknown>>; totals: Record<string, unknown> };

beforeAll(async () => {
  t = await startTestApp();
  for (let i = 0; i < 2; i++) {
    const customer = await t.request('POST', '/api/customers', { body: { name: `Kunde ${i}` } });
    customers.push(customer.json().id);
    const project = await t.request('POST', '/api/projects', {
      body: { title: `Projekt ${i}`, customer_id: customer.json().id, hourly_rate: '87.50' },
    });
    projects.push(project.json().id);
  }
  // Entries around the spring DST change in Berlin (2026-03-29) and a month boundary, with rates
  // whose per-entry rounding matters (7 min × 87.50 / 60 = 10.2083…).
  const made: string[] = [];
  for (let i = 0; i < 24; i++) {
    const start = new Date(Date.UTC(2026, 2, 26, 21, 50) + i * 7 * 3_600_000 + (i % 3) * 60_000);
    const res = await t.request('POST', '/api/time-entries', {
      body: {
        start_time: start.toISOString(),
        duration_minutes: 7 + i * 13,
        billable: i % 4 !== 0,
        hourly_rate: i % 5 === 0 ? null : '87.50',
        project_id: i % 3 === 0 ? null : projects[i % 2],
        customer_id: i % 3 === 0 && i % 2 === 0 ? customers[1] : undefined,
        note: `Eintrag ${i}`,
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    made.push(res.json().id);
  }
  // Change what is summed or grouped, delete some, approve some, and add a running timer.
  for (const [i, body] of [
    [1, { duration_minutes: 61 }],
    [2, { billable: false }],
    [4, { project_id: projects[0] }],
    [5, { start_time: '2026-04-02T23:30:00.000Z', end_time: '2026-04-03T00:15:00.000Z' }],
    [6, { note: 'only the note' }],
    [8, { hourly_rate: '120.00' }],
  ] as const) {
    const res = await t.request('PATCH', `/api/time-entries/${made[i]}`, { body });
    expect(res.statusCode, res.body).toBe(200);
  }
  for (const i of [3, 9]) expect((await t.request('DELETE', `/api/time-entries/${made[i]}`)).statusCode).toBe(204);
  const approve = await t.request('POST', '/api/time-entries/approve', { body: { ids: [made[10], made[11]] } });
  expect(approve.statusCode, approve.body).toBe(200);
  expect((await t.request('POST', '/api/time-entries/start', { body: {} })).statusCode).toBe(201);
});
afterAll(() => t.close());

/**
 * The same summary computed from the entries: bounds given as instants (the rollups answer only
 * whole days) send the query to time_entries, with the same meaning as the dates.
 */
async function fromEntries(query: string): Promise<Summary> {
  const params = new URLSearchParams(query);
  const timeZone = await t.server.ctx.settings.timezone();
  for (const key of ['start_time_from', 'start_time_to']) {
    const day = params.get(key);
    if (day) params.set(key, zonedMidnight(day, timeZone).toISOString());
  }
  if (!params.has('start_time_from')) params.set('start_time_from', '2000-01-01T00:00:00.000Z');
  const res = await t.request('GET', `/api/time-entries/summary?${params}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Summary;
}

describe('time entry rollups', () => {
  const queries = [
    'group_by=month',
    'group_by=week',
    'group_by=day',
    'group_by=project',
    'group_by=customer',
    'group_by=day&start_time_from=2026-03-28&start_time_to=2026-03-31',
    'group_by=week&billable=true&is_approved=false',
    'group_by=month&is_approved=true',
  ];

  it.each(queries)('%s gives the same figures from rollups as from the entries', async (query) => {
    const rollup = await t.request('GET', `/api/time-entries/summary?${query}`);
    expect(rollup.statusCode, rollup.body).toBe(200);
    const entries = await fromEntries(query);
    expect(rollup.json()).toEqual(entries);
    expect((rollup.json() as Summary).rows.length).toBeGreaterThan(0);
  });

  it('is rebuilt in the new zone when the company time zone changes', async () => {
    await t.db.q.execute(sql`update settings set default_timezone = 'America/New_York' where id = 1`);
    t.server.ctx.settings.invalidate();
    try {
      for (const query of ['group_by=day', 'group_by=week&start_time_from=2026-03-23']) {
        const rollup = (await t.request('GET', `/api/time-entries/summary?${query}`)).json();
        expect(rollup).toEqual(await fromEntries(query));
      }
    } finally {
      await t.db.q.execute(sql`update settings set default_timezone = 'Europe/Berlin' where id = 1`);
      t.server.ctx.settings.invalidate();
    }
  });

  it('gives project statistics from the rollups', async () => {
    const stats = (await t.request('GET', `/api/projects/${projects[0]}/statistics`)).json();
    const totals = (await fromEntries(`group_by=project&project_id=${projects[0]}`)).totals as {
      minutes: number;
      billable_minutes: number;
    };
    expect(totals.minutes).toBeGreaterThan(0);
    expect(stats.total_hours_tracked).toBe(Math.round((totals.minutes / 60) * 100) / 100);
    expect(stats.billable_hours).toBe(Math.round((totals.billable_minutes / 60) * 100) / 100);
  });

  it('holds exactly the finished entries (the running timer is left out)', async () => {
    const sums = async (query: ReturnType<typeof sql>) =>
      ((await t.db.q.execute(query)) as unknown as { rows: Array<{ minutes: number; entries: number }> }).rows[0];
    const rollup = await sums(
      sql`select sum(minutes)::int as minutes, sum(entries)::int as entries from time_entry_rollups`,
    );
    const entries = await sums(
      sql`select sum(duration_minutes)::int as minutes, count(*)::int as entries from time_entries where end_time is not null`,
    );
    expect(rollup).toEqual(entries);
    expect(entries?.entries).toBe(22);
  });

  it('leaves out what a rollup cannot answer', () => {
    expect(rollupFilter({ start_time_from: '2026-01-01', billable: true })).toEqual({
      fromDay: '2026-01-01',
      billable: true,
    });
    expect(rollupFilter({ start_time_from: '2026-01-01T10:00:00Z' })).toBeNull();
    expect(rollupFilter({ employee_id: t.admin.id })).toBeNull();
  });
});
