import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditRowsFor,
  expect422,
  expectProblem,
  startTestApp,
  type TestApp,
  type TestUser,
} from '../../../test/helpers.ts';
import { addDays, todayIn, weekStart, zonedMidnight } from '../../core/time.ts';

let t: TestApp;
let reader: TestUser;
let nobody: TestUser;
let timeZone: string;
let today: string;

const OWN = ['dashboards.read', 'dashboards.write'];
const widget = (type = 'reminders', position = { x: 0, y: 0, w: 4, h: 2 }) => ({ type, position });

beforeAll(async () => {
  t = await startTestApp();
  reader = await t.userWith(['dashboards.read']);
  nobody = await t.userWith(['employees.read']);
  timeZone = await t.server.ctx.core.companyTimezone();
  today = todayIn(timeZone);
});
afterAll(() => t.close());

async function createDashboard(user: TestUser, fields: Record<string, unknown> = {}) {
  const res = await t.request('POST', '/api/dashboards', {
    token: user.token,
    body: { name: `Board ${randomUUID().slice(0, 8)}`, ...fields },
  });
  if (res.statusCode !== 201) throw new Error(`dashboard create failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

async function defaults(user: TestUser): Promise<string[]> {
  const res = await t.request('GET', '/api/dashboards?is_default=true', { token: user.token });
  return (res.json().items as Array<{ id: string }>).map((d) => d.id);
}

describe('dashboards', () => {
  it('answers 401 without a token and 403 without the permission', async () => {
    const owner = await t.userWith(OWN);
    const board = await createDashboard(owner);
    const all = [
      ['GET', '/api/dashboards'],
      ['GET', '/api/dashboards/summary'],
      ['POST', '/api/dashboards'],
      ['GET', `/api/dashboards/${board.id}`],
      ['PUT', `/api/dashboards/${board.id}`],
      ['PATCH', `/api/dashboards/${board.id}`],
      ['DELETE', `/api/dashboards/${board.id}`],
    ] as const;
    for (const [method, url] of all) {
      const body = method === 'GET' || method === 'DELETE' ? undefined : { name: 'X' };
      expectProblem(await t.request(method, url, { token: null, body }), 401);
      expectProblem(await t.request(method, url, { token: nobody.token, body }), 403);
    }
    for (const [method, url] of all.filter(([m]) => m !== 'GET')) {
      const body = method === 'DELETE' ? undefined : { name: 'X' };
      expectProblem(await t.request(method, url, { token: reader.token, body }), 403);
    }
  });

  it('creates for the caller; the first becomes the default; audit row', async () => {
    const owner = await t.userWith(OWN);
    const config = {
      widgets: [widget(), { type: 'time', position: { x: 4, y: 0, w: 2, h: 1 }, settings: { range: 'week', n: [1] } }],
    };
    const res = await t.request('POST', '/api/dashboards', {
      token: owner.token,
      body: { name: 'Start', config, theme: 'catppuccin-latte', is_default: false },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(res.headers.location).toBe(`/api/dashboards/${body.id}`);
    expect(res.headers.etag).toBeTruthy();
    expect(body).toEqual({
      id: expect.any(String),
      owner_id: owner.id,
      name: 'Start',
      config,
      theme: 'catppuccin-latte',
      is_default: true,
      last_accessed: null,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect((await auditRowsFor(t, 'dashboard', body.id))[0]).toMatchObject({ action: 'create', actor_id: owner.id });
    const second = await createDashboard(owner);
    expect(second).toMatchObject({ is_default: false, config: { widgets: [] }, theme: null });
  });

  it('refuses bad input with 422, down to unknown keys inside a widget', async () => {
    const owner = await t.userWith(OWN);
    const post = (body: Record<string, unknown>) => t.request('POST', '/api/dashboards', { token: owner.token, body });
    const withConfig = (config: unknown) => post({ name: 'B', config });
    expect422(await post({}), 'name');
    expect422(await post({ name: '' }), 'name');
    expect422(await post({ name: 'B', colour: 'red' }), 'colour');
    for (const readOnly of ['owner_id', 'last_accessed', 'id']) {
      expect422(await post({ name: 'B', [readOnly]: null }), readOnly);
    }
    expect422(await post({ name: 'B', is_default: 'true' }), 'is_default');
    expect422(await withConfig({}), 'config.widgets');
    expect422(await withConfig({ widgets: [], layout: 'grid' }), 'config.layout');
    expect422(await withConfig({ widgets: [{ ...widget(), colour: 'red' }] }), 'config.widgets.0.colour');
    expect422(
      await withConfig({ widgets: [widget('x', { x: 0, y: 0, w: 1, h: 1, z: 2 } as never)] }),
      'config.widgets.0.position.z',
    );
    expect422(await withConfig({ widgets: [widget('x', { x: -1, y: 0, w: 1, h: 1 })] }), 'config.widgets.0.position.x');
    expect422(await withConfig({ widgets: [widget('x', { x: 0, y: 0, w: 0, h: 1 })] }), 'config.widgets.0.position.w');
    expect422(
      await withConfig({ widgets: [widget('x', { x: 0, y: 1.5, w: 1, h: 1 })] }),
      'config.widgets.0.position.y',
    );
    expect422(await withConfig({ widgets: [{ position: { x: 0, y: 0, w: 1, h: 1 } }] }), 'config.widgets.0.type');
    expect422(await withConfig({ widgets: [{ ...widget(), settings: [1] }] }), 'config.widgets.0.settings');
    expect422(await withConfig({ widgets: [{ ...widget(), settings: 'x' }] }), 'config.widgets.0.settings');
    expect422(await withConfig({ widgets: Array.from({ length: 101 }, () => widget()) }), 'config.widgets');
    expect422(await withConfig({ widgets: [{ ...widget(), settings: { blob: 'x'.repeat(70_000) } }] }), 'config');
    expectProblem(await t.request('GET', '/api/dashboards/not-a-uuid', { token: owner.token }), 422);
    expectProblem(await t.request('GET', '/api/dashboards?sort=owner_id', { token: owner.token }), 422);
  });

  it("answers 404 for unknown ids and for other users' dashboards, which no list shows", async () => {
    const owner = await t.userWith(OWN);
    const stranger = await t.userWith(OWN);
    const board = await createDashboard(owner);
    for (const id of [randomUUID(), board.id]) {
      expectProblem(await t.request('GET', `/api/dashboards/${id}`, { token: stranger.token }), 404);
      expectProblem(
        await t.request('PATCH', `/api/dashboards/${id}`, { token: stranger.token, body: { name: 'X' } }),
        404,
      );
      expectProblem(
        await t.request('PUT', `/api/dashboards/${id}`, { token: stranger.token, body: { name: 'X' } }),
        404,
      );
      expectProblem(await t.request('DELETE', `/api/dashboards/${id}`, { token: stranger.token }), 404);
    }
    const listed = await t.request('GET', '/api/dashboards', { token: stranger.token });
    expect(listed.json().total).toBe(0);
    const admin = await t.request('GET', '/api/dashboards', {});
    expect((admin.json().items as Array<{ id: string }>).map((d) => d.id)).not.toContain(board.id);
  });

  it('GET by id records last_accessed without changing the ETag', async () => {
    const owner = await t.userWith(OWN);
    const board = await createDashboard(owner);
    const first = await t.request('GET', `/api/dashboards/${board.id}`, { token: owner.token });
    expect(first.statusCode).toBe(200);
    const at = Date.parse(first.json().last_accessed);
    expect(at).not.toBeNaN();
    const second = await t.request('GET', `/api/dashboards/${board.id}`, { token: owner.token });
    expect(Date.parse(second.json().last_accessed)).toBeGreaterThanOrEqual(at);
    expect(second.headers.etag).toBe(first.headers.etag);
    expect(await auditRowsFor(t, 'dashboard', board.id)).toHaveLength(1);
  });

  it('updates partially with If-Match; making another default un-defaults the old one (audited)', async () => {
    const owner = await t.userWith(OWN);
    const a = await createDashboard(owner);
    const b = await createDashboard(owner);
    const res = await t.request('PATCH', `/api/dashboards/${b.id}`, {
      token: owner.token,
      body: { name: 'Neu', is_default: true, config: { widgets: [widget()] } },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: 'Neu', is_default: true, config: { widgets: [widget()] } });
    expect(await defaults(owner)).toEqual([b.id]);
    const audit = await auditRowsFor(t, 'dashboard', a.id);
    expect(audit[0]).toMatchObject({ action: 'update', changes: { is_default: { old: true, new: false } } });

    expect422(
      await t.request('PATCH', `/api/dashboards/${b.id}`, { token: owner.token, body: { is_default: false } }),
      'is_default',
    );
    const stale = await t.request('PUT', `/api/dashboards/${b.id}`, {
      token: owner.token,
      body: { theme: 'x' },
      headers: { 'if-match': '"stale-1"' },
    });
    expectProblem(stale, 412);
    const created = await createDashboard(owner, { is_default: true });
    expect(await defaults(owner)).toEqual([created.id]);
  });

  it('deleting the default promotes the most recently used remaining dashboard', async () => {
    const owner = await t.userWith(OWN);
    const a = await createDashboard(owner);
    const b = await createDashboard(owner);
    const c = await createDashboard(owner); // newest, but never opened
    await t.request('GET', `/api/dashboards/${b.id}`, { token: owner.token });
    expect((await t.request('DELETE', `/api/dashboards/${a.id}`, { token: owner.token })).statusCode).toBe(204);
    expect(await defaults(owner)).toEqual([b.id]);
    expect((await auditRowsFor(t, 'dashboard', a.id))[0]).toMatchObject({ action: 'delete' });
    expect((await auditRowsFor(t, 'dashboard', b.id))[0]).toMatchObject({
      changes: { is_default: { old: false, new: true } },
    });
    // Deleting one that is not the default leaves the default alone.
    await t.request('DELETE', `/api/dashboards/${c.id}`, { token: owner.token });
    expect(await defaults(owner)).toEqual([b.id]);
    await t.request('DELETE', `/api/dashboards/${b.id}`, { token: owner.token });
    expect((await t.request('GET', '/api/dashboards', { token: owner.token })).json().total).toBe(0);
  });

  it('keeps exactly one default under parallel requests; the database refuses a second', async () => {
    const owner = await t.userWith(OWN);
    const firsts = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        t.request('POST', '/api/dashboards', { token: owner.token, body: { name: `P${i}` } }),
      ),
    );
    expect(firsts.map((r) => r.statusCode)).toEqual(Array(5).fill(201));
    expect(firsts.filter((r) => r.json().is_default)).toHaveLength(1);
    expect(await defaults(owner)).toHaveLength(1);

    const switches = await Promise.all(
      firsts.map((r) =>
        t.request('PATCH', `/api/dashboards/${r.json().id}`, { token: owner.token, body: { is_default: true } }),
      ),
    );
    expect(switches.map((r) => r.statusCode)).toEqual(Array(5).fill(200));
    expect(await defaults(owner)).toHaveLength(1);

    const error = await t.db.root
      .execute(sql`update dashboards set is_default = true where owner_id = ${owner.id}`)
      .then(
        () => null,
        (e: Error & { cause?: Error }) => e,
      );
    expect(error?.cause?.message ?? '').toContain('dashboards_one_default_per_owner');
    expect(await defaults(owner)).toHaveLength(1);
  });
});

describe('GET /api/dashboards/summary', () => {
  async function summary(user: TestUser) {
    const res = await t.request('GET', '/api/dashboards/summary', { token: user.token });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as Record<string, Record<string, unknown>>;
  }

  it('has no section the caller may not see', async () => {
    expect(await summary(reader)).toEqual({});
    const remindersOnly = await t.userWith(['dashboards.read', 'reminders.read']);
    expect(Object.keys(await summary(remindersOnly))).toEqual(['reminders']);
    const admin = await summary(t.admin);
    expect(Object.keys(admin).sort()).toEqual(['projects', 'reminders', 'time']);
  });

  it("counts the caller's open, overdue and this week's reminders", async () => {
    const user = await t.userWith(['dashboards.read', 'reminders.read', 'reminders.write']);
    const monday = weekStart(today);
    const dates = [today, addDays(today, -1), addDays(today, 1), addDays(today, 30), addDays(today, -30)];
    for (const due_date of dates) {
      await t.request('POST', '/api/reminders', { token: user.token, body: { title: 'R', due_date } });
    }
    await t.request('POST', '/api/reminders', {
      token: user.token,
      body: { title: 'D', due_date: today, status: 'done' },
    });
    // Someone else's reminder does not count.
    const other = await t.userWith(['reminders.write']);
    await t.request('POST', '/api/reminders', { token: other.token, body: { title: 'X', due_date: today } });
    const inWeek = dates.filter((d) => d >= monday && d <= addDays(monday, 6)).length;
    expect((await summary(user)).reminders).toEqual({ open: 3, overdue: 2, due_this_week: inWeek });
  });

  it("shows the caller's running timer and minutes of today and this week", async () => {
    const user = await t.userWith(['dashboards.read', 'backoffice.time_tracking.write']);
    expect((await summary(user)).time).toEqual({ running_timer: null, minutes_today: 0, minutes_this_week: 0 });
    const now = Date.now();
    const entry = { start_time: new Date(now - 40 * 60_000), end_time: new Date(now - 10 * 60_000) };
    const lastWeek = {
      start_time: new Date(now - 8 * 86_400_000),
      end_time: new Date(now - 8 * 86_400_000 + 3_600_000),
    };
    for (const e of [entry, lastWeek]) {
      const res = await t.request('POST', '/api/time-entries', {
        token: user.token,
        body: { start_time: e.start_time.toISOString(), end_time: e.end_time.toISOString() },
      });
      expect(res.statusCode, res.body).toBe(201);
    }
    const timer = await t.request('POST', '/api/time-entries/start', { token: user.token, body: { note: 'läuft' } });
    expect(timer.statusCode, timer.body).toBe(201);
    const dayStart = zonedMidnight(today, timeZone);
    const weekBegin = zonedMidnight(weekStart(today), timeZone);
    const time = (await summary(user)).time as { running_timer: { elapsed_minutes: number } };
    const elapsed = time.running_timer.elapsed_minutes;
    expect(elapsed).toBeLessThanOrEqual(1);
    // The entry 40 minutes ago counts for today unless today began less than 40 minutes ago.
    expect(time).toEqual({
      running_timer: {
        id: timer.json().id,
        start_time: timer.json().start_time,
        project_id: null,
        note: 'läuft',
        elapsed_minutes: elapsed,
      },
      minutes_today: (entry.start_time >= dayStart ? 30 : 0) + elapsed,
      minutes_this_week: (entry.start_time >= weekBegin ? 30 : 0) + elapsed,
    });
  });

  it('counts active and overdue projects', async () => {
    const user = await t.userWith(['dashboards.read', 'backoffice.projects.read']);
    const before = (await summary(user)).projects as { active: number; overdue: number };
    const create = async (body: Record<string, unknown>) => {
      const res = await t.request('POST', '/api/projects', { body: { title: 'P', ...body } });
      expect(res.statusCode, res.body).toBe(201);
      return res.json();
    };
    await create({ status: 'active' });
    await create({ status: 'planning', deadline: addDays(today, -1) });
    await create({ status: 'completed', deadline: addDays(today, -1) });
    await create({ status: 'active', deadline: addDays(today, 1) });
    const archived = await create({ status: 'active', deadline: addDays(today, -2) });
    await t.request('DELETE', `/api/projects/${archived.id}`);
    expect((await summary(user)).projects).toEqual({ active: before.active + 2, overdue: before.overdue + 1 });
  });
});
