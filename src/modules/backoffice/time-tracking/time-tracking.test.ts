import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditRowsFor,
  expect422,
  expectProblem,
  startTestApp,
  type TestApp,
  type TestUser,
} from '../../../../test/helpers.ts';

let t: TestApp;
let nobody: TestUser;

const WRITE = 'backoffice.time_tracking.write';
const VIEW = 'backoffice.time_tracking.view';
const MANAGE = 'backoffice.time_tracking.manage';
const APPROVE = 'backoffice.time_tracking.approve';

beforeAll(async () => {
  t = await startTestApp();
  nobody = await t.userWith(['backoffice.crm.read']);
});
afterAll(() => t.close());

const tag = () => `t${randomUUID().replace(/-/g, '').slice(0, 10)}`;
const ids = (res: LightMyRequestResponse) => (res.json().items as Array<{ id: string }>).map((e) => e.id);

async function createProject(fields: Record<string, unknown> = {}) {
  const res = await t.request('POST', '/api/projects', { body: { title: `Projekt ${tag()}`, ...fields } });
  if (res.statusCode !== 201) throw new Error(`project create failed: ${res.body}`);
  return res.json();
}

async function entry(user: TestUser, body: Record<string, unknown>) {
  const res = await t.request('POST', '/api/time-entries', { token: user.token, body });
  if (res.statusCode !== 201) throw new Error(`entry create failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

describe('manual entries', () => {
  it('answers 401 without a token and 403 without a time-tracking permission', async () => {
    for (const [method, url] of [
      ['GET', '/api/time-entries'],
      ['GET', '/api/time-entries/current'],
      ['GET', '/api/time-entries/summary?group_by=day'],
      ['GET', '/api/time-entries/export'],
      ['GET', `/api/time-entries/${randomUUID()}`],
      ['POST', '/api/time-entries/start'],
      ['POST', `/api/time-entries/${randomUUID()}/stop`],
      ['GET', `/api/projects/${randomUUID()}/time-entries`],
    ] as const) {
      expectProblem(await t.request(method, url, { token: null }), 401);
      expectProblem(await t.request(method, url, { token: nobody.token, body: {} }), 403);
    }
    const writer = await t.userWith([WRITE]);
    expectProblem(
      await t.request('POST', '/api/time-entries/approve', { token: writer.token, body: { ids: [] } }),
      403,
    );
  });

  it('creates with derived duration, project defaults and an audit row', async () => {
    const user = await t.userWith([WRITE]);
    const customer = (await t.request('POST', '/api/customers', { body: { name: `K ${tag()}` } })).json();
    const project = await createProject({ customer_id: customer.id, hourly_rate: '80.00' });
    const res = await t.request('POST', '/api/time-entries', {
      token: user.token,
      body: {
        project_id: project.id,
        start_time: '2026-02-02T08:00:00Z',
        end_time: '2026-02-02T09:29:40Z',
        task_type: 'development',
        note: 'Größere Änderung',
      },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(res.headers.location).toBe(`/api/time-entries/${body.id}`);
    expect(body).toMatchObject({
      employee_id: user.id,
      customer_id: customer.id,
      hourly_rate: '80.00',
      billable: true,
      duration_minutes: 90,
      end_time: '2026-02-02T09:29:40.000Z',
      is_running: false,
      is_approved: false,
    });
    expect((await auditRowsFor(t, 'time_entry', body.id))[0]).toMatchObject({ action: 'create' });
    const internal = await entry(user, { start_time: '2026-02-02T10:00:00Z', duration_minutes: 15 });
    expect(internal).toMatchObject({
      billable: false,
      project_id: null,
      hourly_rate: null,
      end_time: '2026-02-02T10:15:00.000Z',
    });
    const tiny = await entry(user, { start_time: '2026-02-02T11:00:00Z', end_time: '2026-02-02T11:00:10Z' });
    expect(tiny.duration_minutes).toBe(1);
  });

  it('refuses bad input with 422', async () => {
    const user = await t.userWith([WRITE]);
    const post = (body: Record<string, unknown>) => t.request('POST', '/api/time-entries', { token: user.token, body });
    const start = '2026-03-02T08:00:00Z';
    expect422(await post({ start_time: start }), 'end_time');
    expect422(await post({ start_time: start, end_time: '2026-03-02T07:00:00Z' }), 'end_time');
    expect422(await post({ start_time: start, end_time: '2026-03-03T08:00:01Z' }), 'end_time');
    expect422(await post({ start_time: start, duration_minutes: 1441 }), 'duration_minutes');
    expect422(await post({ start_time: start, duration_minutes: '30' }), 'duration_minutes');
    expect422(await post({ start_time: start, duration_minutes: 30, hourly_rate: 80 }), 'hourly_rate');
    expect422(await post({ start_time: start, duration_minutes: 30, task_type: 'coffee' }), 'task_type');
    expect422(await post({ start_time: start, duration_minutes: 30, colour: 'red' }), 'colour');
    expect422(await post({ start_time: start, duration_minutes: 30, project_id: 'x' }), 'project_id');
    expect422(await post({ start_time: start, duration_minutes: 30, project_id: randomUUID() }), 'project_id');
    expect422(await post({ start_time: 'yesterday', duration_minutes: 30 }), 'start_time');
    expect422(await post({ start_time: start, duration_minutes: 30, is_approved: true }), 'is_approved');
    expectProblem(await t.request('GET', '/api/time-entries/nope', { token: user.token }), 422);
    expectProblem(await t.request('GET', '/api/time-entries/summary?group_by=year', { token: user.token }), 422);
  });

  it('refuses overlapping entries of one employee (409); touching intervals are fine', async () => {
    const user = await t.userWith([WRITE]);
    const other = await t.userWith([WRITE]);
    const first = await entry(user, { start_time: '2026-04-01T08:00:00Z', end_time: '2026-04-01T10:00:00Z' });
    const overlap = await t.request('POST', '/api/time-entries', {
      token: user.token,
      body: { start_time: '2026-04-01T09:59:00Z', duration_minutes: 30 },
    });
    expect(expectProblem(overlap, 409)).toMatchObject({ code: 'time_entry_overlap', conflicting_entry_id: first.id });
    const later = await entry(user, { start_time: '2026-04-01T10:00:00Z', duration_minutes: 30 });
    // Moving an entry onto another is refused the same way; moving it onto itself is fine.
    const moved = await t.request('PATCH', `/api/time-entries/${later.id}`, {
      token: user.token,
      body: { start_time: '2026-04-01T09:00:00Z' },
    });
    expect(expectProblem(moved, 409)).toMatchObject({ code: 'time_entry_overlap', conflicting_entry_id: first.id });
    const shifted = await t.request('PATCH', `/api/time-entries/${later.id}`, {
      token: user.token,
      body: { start_time: '2026-04-01T10:10:00Z' },
    });
    expect(shifted.statusCode, shifted.body).toBe(200);
    await entry(other, { start_time: '2026-04-01T08:30:00Z', duration_minutes: 30 });
  });
});

describe('overlap under concurrency and without the service', () => {
  it('parallel overlapping entries of one employee: exactly one 201, the rest 409', async () => {
    const user = await t.userWith([WRITE]);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        t.request('POST', '/api/time-entries', {
          token: user.token,
          body: { start_time: `2026-04-10T08:0${i}:00Z`, duration_minutes: 30 },
        }),
      ),
    );
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, ...Array(7).fill(409)]);
  });

  it('the database refuses an overlapping row even when the service is bypassed', async () => {
    const user = await t.userWith([WRITE]);
    await entry(user, { start_time: '2026-04-11T08:00:00Z', duration_minutes: 60 });
    await expect(
      t.db.root.execute(
        sql`insert into time_entries (id, employee_id, start_time, end_time, duration_minutes)
            values (${randomUUID()}, ${user.id}, '2026-04-11T08:30:00Z', '2026-04-11T09:30:00Z', 60)`,
      ),
    ).rejects.toThrow();
    await expect(
      t.db.root.execute(
        sql`insert into time_entries (id, employee_id, start_time) values (${randomUUID()}, ${user.id}, '2026-04-12T08:00:00Z'),
            (${randomUUID()}, ${user.id}, '2026-04-13T08:00:00Z')`,
      ),
    ).rejects.toThrow();
  });
});

describe('timers', () => {
  it('starts, shows the current timer, refuses a second start, stops', async () => {
    const user = await t.userWith([WRITE]);
    expect((await t.request('GET', '/api/time-entries/current', { token: user.token })).json()).toBeNull();
    const started = await t.request('POST', '/api/time-entries/start', { token: user.token, body: { note: 'Fokus' } });
    expect(started.statusCode).toBe(201);
    const timer = started.json();
    expect(timer).toMatchObject({ is_running: true, end_time: null, duration_minutes: null, employee_id: user.id });
    const current = await t.request('GET', '/api/time-entries/current', { token: user.token });
    expect(current.json().id).toBe(timer.id);
    expectProblem(await t.request('POST', '/api/time-entries/start', { token: user.token, body: {} }), 409);
    const stopped = await t.request('POST', `/api/time-entries/${timer.id}/stop`, { token: user.token });
    expect(stopped.statusCode).toBe(200);
    expect(stopped.json()).toMatchObject({ is_running: false, duration_minutes: 1 });
    expect((await t.request('GET', '/api/time-entries/current', { token: user.token })).json()).toBeNull();
    expectProblem(await t.request('POST', `/api/time-entries/${timer.id}/stop`, { token: user.token }), 409);
    expectProblem(await t.request('POST', `/api/time-entries/${randomUUID()}/stop`, { token: user.token }), 404);
    expect((await auditRowsFor(t, 'time_entry', timer.id))[0]).toMatchObject({ action: 'update' });
  });

  it('10 parallel starts for one employee: exactly one 201 and nine 409', async () => {
    const user = await t.userWith([WRITE]);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => t.request('POST', '/api/time-entries/start', { token: user.token, body: {} })),
    );
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes).toEqual([201, ...Array(9).fill(409)]);
    const list = await t.request('GET', `/api/time-entries?employee_id=${user.id}`, { token: user.token });
    expect(list.json().total).toBe(1);
  });

  it('a timer that ran longer than 24 h ends at start + 24 h', async () => {
    const user = await t.userWith([WRITE]);
    const timer = (await t.request('POST', '/api/time-entries/start', { token: user.token, body: {} })).json();
    const longAgo = new Date(Date.now() - 30 * 3600_000).toISOString();
    const moved = await t.request('PATCH', `/api/time-entries/${timer.id}`, {
      token: user.token,
      body: { start_time: longAgo },
    });
    expect(moved.statusCode).toBe(200);
    const stopped = (await t.request('POST', `/api/time-entries/${timer.id}/stop`, { token: user.token })).json();
    expect(stopped.duration_minutes).toBe(1440);
    expect(new Date(stopped.end_time).getTime() - new Date(longAgo).getTime()).toBe(24 * 3600_000);
  });
});

describe('access and approval', () => {
  it('.write sees and edits only own entries; .view reads all; .manage changes all', async () => {
    const alice = await t.userWith([WRITE]);
    const bob = await t.userWith([WRITE]);
    const viewer = await t.userWith([WRITE, VIEW]);
    const manager = await t.userWith([WRITE, MANAGE]);
    const a = await entry(alice, { start_time: '2026-05-04T08:00:00Z', duration_minutes: 60 });
    const b = await entry(bob, { start_time: '2026-05-04T08:00:00Z', duration_minutes: 60 });

    const aliceList = await t.request('GET', '/api/time-entries?start_time_from=2026-05-04&start_time_to=2026-05-05', {
      token: alice.token,
    });
    expect(ids(aliceList)).toEqual([a.id]);
    expectProblem(await t.request('GET', `/api/time-entries/${b.id}`, { token: alice.token }), 404);
    expectProblem(
      await t.request('PATCH', `/api/time-entries/${b.id}`, { token: alice.token, body: { note: 'x' } }),
      404,
    );
    expectProblem(
      await t.request('POST', '/api/time-entries', {
        token: alice.token,
        body: { employee_id: bob.id, start_time: '2026-05-05T08:00:00Z', duration_minutes: 5 },
      }),
      403,
    );

    const all = await t.request('GET', '/api/time-entries?start_time_from=2026-05-04&start_time_to=2026-05-05', {
      token: viewer.token,
    });
    expect(ids(all)).toEqual(expect.arrayContaining([a.id, b.id]));
    expect((await t.request('GET', `/api/time-entries/${b.id}`, { token: viewer.token })).statusCode).toBe(200);
    expectProblem(
      await t.request('PATCH', `/api/time-entries/${b.id}`, { token: viewer.token, body: { note: 'x' } }),
      403,
    );

    const changed = await t.request('PATCH', `/api/time-entries/${b.id}`, {
      token: manager.token,
      body: { note: 'vom Manager', duration_minutes: 30 },
    });
    expect(changed.json()).toMatchObject({
      note: 'vom Manager',
      duration_minutes: 30,
      end_time: '2026-05-04T08:30:00.000Z',
    });
    const forBob = await t.request('POST', '/api/time-entries', {
      token: manager.token,
      body: { employee_id: bob.id, start_time: '2026-05-05T08:00:00Z', duration_minutes: 5 },
    });
    expect(forBob.json().employee_id).toBe(bob.id);
    expect((await t.request('DELETE', `/api/time-entries/${a.id}`, { token: alice.token })).statusCode).toBe(204);
    expect((await auditRowsFor(t, 'time_entry', a.id))[0]).toMatchObject({ action: 'delete' });
  });

  it('approval locks entries for non-approvers (409); approvers may still change them', async () => {
    const owner = await t.userWith([WRITE]);
    const approver = await t.userWith([WRITE, VIEW, MANAGE, APPROVE]);
    const e1 = await entry(owner, { start_time: '2026-06-01T08:00:00Z', duration_minutes: 60 });
    const e2 = await entry(owner, { start_time: '2026-06-01T10:00:00Z', duration_minutes: 60 });
    const res = await t.request('POST', '/api/time-entries/approve', {
      token: approver.token,
      body: { ids: [e2.id, e1.id] },
    });
    expect(res.statusCode).toBe(200);
    expect(
      res
        .json()
        .items.map((e: { id: string; is_approved: boolean; approved_by: string }) => [
          e.id,
          e.is_approved,
          e.approved_by,
        ]),
    ).toEqual([
      [e2.id, true, approver.id],
      [e1.id, true, approver.id],
    ]);
    expect((await auditRowsFor(t, 'time_entry', e1.id))[0]).toMatchObject({ action: 'approve' });
    expectProblem(
      await t.request('PATCH', `/api/time-entries/${e1.id}`, { token: owner.token, body: { note: 'später' } }),
      409,
    );
    expectProblem(await t.request('DELETE', `/api/time-entries/${e1.id}`, { token: owner.token }), 409);
    const byApprover = await t.request('PATCH', `/api/time-entries/${e1.id}`, {
      token: approver.token,
      body: { note: 'korrigiert' },
    });
    expect(byApprover.statusCode).toBe(200);
    expect422(
      await t.request('POST', '/api/time-entries/approve', { token: approver.token, body: { ids: [randomUUID()] } }),
      'ids',
    );
    expect422(
      await t.request('POST', '/api/time-entries/approve', { token: approver.token, body: { ids: ['x'] } }),
      'ids.0',
    );
    const timer = (await t.request('POST', '/api/time-entries/start', { token: owner.token, body: {} })).json();
    expectProblem(
      await t.request('POST', '/api/time-entries/approve', { token: approver.token, body: { ids: [timer.id] } }),
      409,
    );
  });
});

describe('summary and export', () => {
  it('groups by week across the DST change in the company time zone (Monday first)', async () => {
    const user = await t.userWith([WRITE]);
    // Europe/Berlin switches to summer time on 2026-03-29. 21:30Z on the 29th is Sunday 23:30 local
    // (week of 2026-03-23); 22:30Z is Monday 00:30 local (week of 2026-03-30). In UTC both are Sunday.
    await entry(user, {
      start_time: '2026-03-29T21:30:00Z',
      duration_minutes: 20,
      billable: true,
      hourly_rate: '60.00',
    });
    await entry(user, {
      start_time: '2026-03-29T22:30:00Z',
      duration_minutes: 40,
      billable: true,
      hourly_rate: '60.00',
    });
    // Back to winter time on 2026-10-25: 23:30Z on Sunday is Monday 00:30 local (UTC+1).
    await entry(user, { start_time: '2026-10-25T23:30:00Z', duration_minutes: 10 });
    const res = await t.request('GET', `/api/time-entries/summary?group_by=week&employee_id=${user.id}`, {
      token: user.token,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      group_by: 'week',
      rows: [
        { key: '2026-03-23', label: '2026-W13', minutes: 20, billable_minutes: 20, billable_amount: '20.00' },
        { key: '2026-03-30', label: '2026-W14', minutes: 40, billable_minutes: 40, billable_amount: '40.00' },
        { key: '2026-10-26', label: '2026-W44', minutes: 10, billable_minutes: 0, billable_amount: '0.00' },
      ],
      totals: { minutes: 70, billable_minutes: 60, billable_amount: '60.00' },
    });
    const byMonth = await t.request('GET', `/api/time-entries/summary?group_by=month&employee_id=${user.id}`, {
      token: user.token,
    });
    expect(byMonth.json().rows.map((r: { key: string }) => r.key)).toEqual(['2026-03', '2026-10']);
    const byDay = await t.request(
      'GET',
      `/api/time-entries/summary?group_by=day&employee_id=${user.id}&start_time_from=2026-03-30`,
      { token: user.token },
    );
    expect(byDay.json().rows.map((r: { key: string }) => r.key)).toEqual(['2026-03-30', '2026-10-26']);
    const byEmployee = await t.request('GET', `/api/time-entries/summary?group_by=employee&employee_id=${user.id}`, {
      token: user.token,
    });
    expect(byEmployee.json().rows).toEqual([expect.objectContaining({ key: user.id, minutes: 70 })]);
  });

  it('groups by project and customer with labels and money sums', async () => {
    const user = await t.userWith([WRITE]);
    const customer = (await t.request('POST', '/api/customers', { body: { name: `Kunde ${tag()}` } })).json();
    const project = await createProject({ customer_id: customer.id, hourly_rate: '99.99' });
    await entry(user, { project_id: project.id, start_time: '2026-12-01T08:00:00Z', duration_minutes: 7 });
    await entry(user, { project_id: project.id, start_time: '2026-12-01T09:00:00Z', duration_minutes: 13 });
    await entry(user, { start_time: '2026-12-01T10:00:00Z', duration_minutes: 5 });
    const byProject = await t.request('GET', `/api/time-entries/summary?group_by=project&employee_id=${user.id}`, {
      token: user.token,
    });
    // 7 × 99.99 / 60 = 11.67 (rounded per entry), 13 × 99.99 / 60 = 21.66
    expect(byProject.json().rows).toEqual(
      expect.arrayContaining([
        {
          key: project.id,
          label: `${project.project_number} ${project.title}`,
          minutes: 20,
          billable_minutes: 20,
          billable_amount: '33.33',
        },
        { key: null, label: 'Ohne Projekt', minutes: 5, billable_minutes: 0, billable_amount: '0.00' },
      ]),
    );
    const byCustomer = await t.request('GET', `/api/time-entries/summary?group_by=customer&employee_id=${user.id}`, {
      token: user.token,
    });
    expect(byCustomer.json().rows).toContainEqual(
      expect.objectContaining({ key: customer.id, label: `${customer.customer_number} ${customer.name}`, minutes: 20 }),
    );
    expect(byCustomer.json().totals).toEqual({ minutes: 25, billable_minutes: 20, billable_amount: '33.33' });
  });

  it("a .write user's summary covers only their own entries", async () => {
    const user = await t.userWith([WRITE]);
    const other = await t.userWith([WRITE]);
    await entry(other, { start_time: '2026-07-01T08:00:00Z', duration_minutes: 10 });
    const res = await t.request('GET', `/api/time-entries/summary?group_by=employee&employee_id=${other.id}`, {
      token: user.token,
    });
    expect(res.json()).toMatchObject({ rows: [], totals: { minutes: 0 } });
  });

  it('exports CSV with BOM, semicolons, quoting, umlauts and the decimal comma', async () => {
    const user = await t.userWith([WRITE]);
    const project = await createProject({ title: 'Übersetzung; Teil "A"', hourly_rate: '95.50' });
    await entry(user, {
      project_id: project.id,
      start_time: '2026-08-03T07:00:00Z',
      duration_minutes: 45,
      note: 'Grüße',
    });
    const res = await t.request('GET', `/api/time-entries/export?employee_id=${user.id}&decimal=comma`, {
      token: user.token,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const lines = res.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^Datum;Start;Ende;Minuten;Stunden;/);
    expect(lines[1]).toContain('2026-08-03;2026-08-03 09:00;2026-08-03 09:45;45;0,75;');
    expect(lines[1]).toContain('"Übersetzung; Teil ""A"""');
    expect(lines[1]).toContain(';Grüße;ja;95,50;71,63;nein;nein;');
    const point = await t.request('GET', `/api/time-entries/export?employee_id=${user.id}`, { token: user.token });
    expect(point.body).toContain(';0.75;');
    expectProblem(
      await t.request('GET', '/api/time-entries/export?start_time_from=2026-02-30', { token: user.token }),
      422,
    );
    expectProblem(await t.request('GET', '/api/time-entries/export?decimal=semicolon', { token: user.token }), 422);
  });

  it('quotes line breaks and leaves empty fields empty in the CSV', async () => {
    const user = await t.userWith([WRITE]);
    await entry(user, { start_time: '2026-08-04T07:00:00Z', duration_minutes: 15, note: 'Zeile 1\nZeile 2' });
    const res = await t.request('GET', `/api/time-entries/export?employee_id=${user.id}`, { token: user.token });
    expect(res.statusCode).toBe(200);
    // No project, customer or task type: empty fields; the note is quoted with its line break.
    expect(res.body).toMatch(/;;;;;;"Zeile 1\nZeile 2";nein;;0\.00;nein;nein;[0-9a-f-]{36}\r\n$/);
  });

  it('streams exports larger than one batch in order', async () => {
    const user = await t.userWith([WRITE]);
    const base = Date.parse('2026-09-01T00:00:00Z');
    for (let i = 0; i < 30; i++) {
      await entry(user, { start_time: new Date(base + i * 3600_000).toISOString(), duration_minutes: 30 });
    }
    const batches = await t.server.ctx.timeTracking.time.exportRows(
      { id: user.id, permissions: [WRITE] } as Parameters<typeof t.server.ctx.timeTracking.time.exportRows>[0],
      { employee_id: user.id },
      'point',
      7,
    );
    const seen: string[] = [];
    for await (const batch of batches) seen.push(...batch.map((r) => r.line.split(';')[1] ?? ''));
    expect(seen).toHaveLength(30);
    expect([...seen].sort()).toEqual(seen);
  });

  it('lists a project’s entries under /api/projects/{id}/time-entries', async () => {
    const user = await t.userWith([WRITE]);
    const project = await createProject();
    const e = await entry(user, { project_id: project.id, start_time: '2026-11-02T08:00:00Z', duration_minutes: 5 });
    const res = await t.request('GET', `/api/projects/${project.id}/time-entries`, { token: user.token });
    expect(ids(res)).toEqual([e.id]);
    expectProblem(await t.request('GET', `/api/projects/${randomUUID()}/time-entries`, { token: user.token }), 404);
  });

  it('lists an employee’s entries under /api/employees/{id}/time-entries (own only without .view)', async () => {
    const user = await t.userWith([WRITE]);
    const other = await t.userWith([WRITE]);
    const e = await entry(user, { start_time: '2026-11-03T08:00:00Z', duration_minutes: 5 });
    await entry(other, { start_time: '2026-11-03T08:00:00Z', duration_minutes: 5 });
    expect(ids(await t.request('GET', `/api/employees/${user.id}/time-entries`, { token: user.token }))).toEqual([
      e.id,
    ]);
    expect(ids(await t.request('GET', `/api/employees/${other.id}/time-entries`, { token: user.token }))).toEqual([]);
    expect((await t.request('GET', `/api/employees/${other.id}/time-entries`)).json().total).toBe(1);
    expectProblem(await t.request('GET', `/api/employees/${randomUUID()}/time-entries`, { token: user.token }), 404);
    expectProblem(await t.request('GET', `/api/employees/${user.id}/time-entries`, { token: null }), 401);
    expectProblem(await t.request('GET', `/api/employees/${user.id}/time-entries`, { token: nobody.token }), 403);
  });
});
