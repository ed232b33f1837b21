import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditRowsFor,
  expect422,
  expectProblem,
  startTestApp,
  type TestApp,
  type TestUser,
} from '../../../../test/helpers.ts';
import { todayIn } from '../../../core/time.ts';

let t: TestApp;
let reader: TestUser;
let writer: TestUser;
let nobody: TestUser;

beforeAll(async () => {
  t = await startTestApp();
  reader = await t.userWith(['backoffice.projects.read']);
  writer = await t.userWith(['backoffice.projects.read', 'backoffice.projects.write']);
  nobody = await t.userWith(['backoffice.crm.read']);
});
afterAll(() => t.close());

const tag = () => `t${randomUUID().replace(/-/g, '').slice(0, 10)}`;

async function createProject(fields: Record<string, unknown> = {}) {
  const res = await t.request('POST', '/api/projects', { body: { title: `Projekt ${tag()}`, ...fields } });
  if (res.statusCode !== 201) throw new Error(`project create failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

async function createCustomer() {
  const res = await t.request('POST', '/api/customers', { body: { name: `Kunde ${tag()}` } });
  return res.json();
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

describe('projects', () => {
  it('answers 401 and 403', async () => {
    const project = await createProject();
    for (const url of [
      '/api/projects',
      `/api/projects/${project.id}`,
      `/api/projects/${project.id}/statistics`,
      `/api/customers/${randomUUID()}/projects`,
    ]) {
      expectProblem(await t.request('GET', url, { token: null }), 401);
      expectProblem(await t.request('GET', url, { token: nobody.token }), 403);
    }
    expectProblem(await t.request('POST', '/api/projects', { token: reader.token, body: { title: 'X' } }), 403);
    expectProblem(await t.request('DELETE', `/api/projects/${project.id}`, { token: writer.token }), 403);
    expectProblem(await t.request('POST', `/api/projects/${project.id}/restore`, { token: writer.token }), 403);
  });

  it('creates with a per-year number, defaults, money as two decimals and an audit row', async () => {
    const customer = await createCustomer();
    const res = await t.request('POST', '/api/projects', {
      token: writer.token,
      body: { title: 'Website', customer_id: customer.id, budget: '10000', hourly_rate: '95.5' },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    const year = todayIn('Europe/Berlin').slice(0, 4);
    expect(body.project_number).toMatch(new RegExp(`^PRJ-${year}-\\d{3}$`));
    expect(body).toMatchObject({
      status: 'planning',
      priority: 'medium',
      budget: '10000.00',
      hourly_rate: '95.50',
      is_active: false,
      is_overdue: false,
      days_until_deadline: null,
      archived_at: null,
    });
    expect((await auditRowsFor(t, 'project', body.id))[0]).toMatchObject({ action: 'create' });
    const next = await createProject();
    expect(Number(next.project_number.slice(-3))).toBe(Number(body.project_number.slice(-3)) + 1);
  });

  it('refuses bad input with 422', async () => {
    expect422(await t.request('POST', '/api/projects', { body: {} }), 'title');
    expect422(await t.request('POST', '/api/projects', { body: { title: 'A', budget: 100 } }), 'budget');
    expect422(await t.request('POST', '/api/projects', { body: { title: 'A', budget: '-1.00' } }), 'budget');
    expect422(await t.request('POST', '/api/projects', { body: { title: 'A', hourly_rate: '1.234' } }), 'hourly_rate');
    expect422(await t.request('POST', '/api/projects', { body: { title: 'A', status: 'done' } }), 'status');
    expect422(await t.request('POST', '/api/projects', { body: { title: 'A', customer_id: 'nope' } }), 'customer_id');
    expect422(
      await t.request('POST', '/api/projects', { body: { title: 'A', customer_id: randomUUID() } }),
      'customer_id',
    );
    expect422(
      await t.request('POST', '/api/projects', { body: { title: 'A', project_number: 'PRJ-1' } }),
      'project_number',
    );
    expect422(
      await t.request('POST', '/api/projects', {
        body: { title: 'A', start_date: '2026-05-02', end_date: '2026-05-01' },
      }),
      'end_date',
    );
    const project = await createProject({ start_date: '2026-05-01' });
    expect422(
      await t.request('PATCH', `/api/projects/${project.id}`, { body: { end_date: '2026-04-30' } }),
      'end_date',
    );
    expect422(await t.request('PATCH', `/api/projects/${project.id}`, { body: { is_overdue: true } }), 'is_overdue');
    expectProblem(await t.request('GET', '/api/projects/x'), 422);
  });

  it('answers 404 for unknown ids', async () => {
    const id = randomUUID();
    for (const [method, url] of [
      ['GET', `/api/projects/${id}`],
      ['GET', `/api/projects/${id}/statistics`],
      ['GET', `/api/customers/${id}/projects`],
      ['DELETE', `/api/projects/${id}`],
      ['POST', `/api/projects/${id}/restore`],
    ] as const) {
      expectProblem(await t.request(method, url), 404);
    }
  });

  it('derives is_active, is_overdue and days_until_deadline in the company time zone', async () => {
    const today = todayIn('Europe/Berlin');
    const overdue = await createProject({ status: 'active', deadline: addDays(today, -3) });
    expect(overdue).toMatchObject({ is_active: true, is_overdue: true, days_until_deadline: -3 });
    const future = await createProject({ deadline: addDays(today, 10) });
    expect(future).toMatchObject({ is_active: false, is_overdue: false, days_until_deadline: 10 });
    const done = await createProject({ status: 'completed', deadline: addDays(today, -3) });
    expect(done.is_overdue).toBe(false);
  });

  it('updates with an audit diff, archives, lists and restores', async () => {
    const customer = await createCustomer();
    const project = await createProject({ customer_id: customer.id, status: 'active' });
    const res = await t.request('PATCH', `/api/projects/${project.id}`, {
      token: writer.token,
      body: { priority: 'urgent' },
    });
    expect(res.json().priority).toBe('urgent');
    expect((await auditRowsFor(t, 'project', project.id))[0]?.changes).toMatchObject({
      priority: { old: 'medium', new: 'urgent' },
    });
    const nested = await t.request('GET', `/api/customers/${customer.id}/projects`, { token: reader.token });
    expect(nested.json().items.map((p: { id: string }) => p.id)).toEqual([project.id]);
    const stats = await t.request('GET', `/api/customers/${customer.id}/statistics`);
    expect(stats.json().active_projects_count).toBe(1);

    expect((await t.request('DELETE', `/api/projects/${project.id}`)).statusCode).toBe(204);
    expect((await t.request('GET', `/api/projects/${project.id}`)).json().archived_at).not.toBeNull();
    expect((await t.request('GET', `/api/projects?customer_id=${customer.id}`)).json().total).toBe(0);
    expect(
      (await t.request('GET', `/api/projects?customer_id=${customer.id}&include_archived=true`)).json().total,
    ).toBe(1);
    expect((await t.request('GET', `/api/customers/${customer.id}/statistics`)).json().active_projects_count).toBe(0);
    const restored = await t.request('POST', `/api/projects/${project.id}/restore`);
    expect(restored.json().archived_at).toBeNull();
    expect((await auditRowsFor(t, 'project', project.id))[0]).toMatchObject({ action: 'restore' });
  });

  it('filters and searches', async () => {
    const marker = tag();
    const a = await createProject({ title: `Alpha ${marker}`, priority: 'high' });
    await createProject({ title: `Beta ${marker}` });
    const res = await t.request('GET', `/api/projects?search=${marker}&priority=high`, { token: reader.token });
    expect(res.json().items.map((p: { id: string }) => p.id)).toEqual([a.id]);
    expectProblem(await t.request('GET', '/api/projects?sort=budgetx'), 422);
  });

  it('reports statistics from time entries; invoice and expense figures are 0', async () => {
    const project = await createProject({
      budget: '1000.00',
      hourly_rate: '100.00',
      start_date: '2020-01-01',
      end_date: '2020-12-31',
    });
    const add = (start: string, minutes: number, billable: boolean) =>
      t.request('POST', '/api/time-entries', {
        body: { project_id: project.id, start_time: start, duration_minutes: minutes, billable },
      });
    expect((await add('2026-01-05T08:00:00Z', 90, true)).statusCode).toBe(201);
    expect((await add('2026-01-05T10:00:00Z', 30, false)).statusCode).toBe(201);
    expect((await add('2026-01-05T11:00:00Z', 20, true)).statusCode).toBe(201);
    const res = await t.request('GET', `/api/projects/${project.id}/statistics`, { token: reader.token });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      total_hours_tracked: 2.33,
      billable_hours: 1.83,
      unbilled_billable_amount: '183.33',
      total_invoiced: '0.00',
      total_revenue: '0.00',
      total_expenses: '0.00',
      budget_utilization: 18.33,
      profit_margin: '0.00',
      completion_percentage: 100,
      is_overdue: false,
    });
  });
});
