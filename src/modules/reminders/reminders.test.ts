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
} from '../../../test/helpers.ts';
import { addDays, todayIn } from '../../core/time.ts';

let t: TestApp;
let owner: TestUser;
let other: TestUser;
let reader: TestUser;
let manager: TestUser;
let nobody: TestUser;
let today: string;

const OWN = ['reminders.read', 'reminders.write'];

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.userWith(OWN);
  other = await t.userWith(OWN);
  reader = await t.userWith(['reminders.read']);
  manager = await t.userWith(['reminders.*']);
  nobody = await t.userWith(['employees.read']);
  today = todayIn(await t.server.ctx.core.companyTimezone());
});
afterAll(() => t.close());

async function createReminder(user: TestUser, fields: Record<string, unknown> = {}) {
  const res = await t.request('POST', '/api/reminders', {
    token: user.token,
    body: { title: `Erinnerung ${randomUUID().slice(0, 8)}`, due_date: addDays(today, 3), ...fields },
  });
  if (res.statusCode !== 201) throw new Error(`reminder create failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

const ids = (res: LightMyRequestResponse) => (res.json().items as Array<{ id: string }>).map((r) => r.id);

describe('reminders', () => {
  it('answers 401 without a token and 403 without the permission', async () => {
    const reminder = await createReminder(owner);
    const all = [
      ['GET', '/api/reminders'],
      ['POST', '/api/reminders'],
      ['GET', `/api/reminders/${reminder.id}`],
      ['PUT', `/api/reminders/${reminder.id}`],
      ['PATCH', `/api/reminders/${reminder.id}`],
      ['DELETE', `/api/reminders/${reminder.id}`],
      ['PATCH', `/api/reminders/${reminder.id}/complete`],
    ] as const;
    for (const [method, url] of all) {
      const body = method === 'POST' || method === 'PUT' || method === 'PATCH' ? { title: 'X' } : undefined;
      expectProblem(await t.request(method, url, { token: null, body }), 401);
      expectProblem(await t.request(method, url, { token: nobody.token, body }), 403);
    }
    // Reading is not writing.
    for (const [method, url] of all.filter(([m]) => m !== 'GET')) {
      const body = method === 'DELETE' || url.endsWith('complete') ? undefined : { title: 'X', due_date: today };
      expectProblem(await t.request(method, url, { token: reader.token, body }), 403);
    }
  });

  it('creates for the caller with defaults, Location, ETag and an audit row', async () => {
    const res = await t.request('POST', '/api/reminders', {
      token: owner.token,
      body: { title: '  Vertrag verlängern  ', due_date: addDays(today, 10) },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(res.headers.location).toBe(`/api/reminders/${body.id}`);
    expect(res.headers.etag).toBeTruthy();
    expect(body).toEqual({
      id: expect.any(String),
      title: 'Vertrag verlängern',
      description: null,
      due_date: addDays(today, 10),
      priority: 'medium',
      linked_entity_type: null,
      linked_entity_id: null,
      owner_id: owner.id,
      status: 'open',
      notified: false,
      completed_at: null,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const audit = await auditRowsFor(t, 'reminder', body.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'create', actor_id: owner.id, resource_name: 'Vertrag verlängern' });

    const got = await t.request('GET', `/api/reminders/${body.id}`, { token: owner.token });
    expect(got.statusCode).toBe(200);
    expect(got.headers.etag).toBe(res.headers.etag);
  });

  it('stores a reminder with a past due date as overdue, and one created done with completed_at', async () => {
    expect((await createReminder(owner, { due_date: addDays(today, -1) })).status).toBe('overdue');
    expect((await createReminder(owner, { due_date: today })).status).toBe('open');
    const done = await createReminder(owner, { status: 'done' });
    expect(done.status).toBe('done');
    expect(Date.parse(done.completed_at)).not.toBeNaN();
  });

  it('links existing records of registered types and refuses the rest with 422', async () => {
    const customer = (await t.request('POST', '/api/customers', { body: { name: 'Link GmbH' } })).json();
    const linked = await createReminder(owner, { linked_entity_type: 'customer', linked_entity_id: customer.id });
    expect(linked).toMatchObject({ linked_entity_type: 'customer', linked_entity_id: customer.id });
    const toEmployee = await createReminder(owner, { linked_entity_type: 'employee', linked_entity_id: other.id });
    expect(toEmployee.linked_entity_type).toBe('employee');

    const post = (body: Record<string, unknown>) =>
      t.request('POST', '/api/reminders', { token: owner.token, body: { title: 'L', due_date: today, ...body } });
    expect422(await post({ linked_entity_type: 'customer', linked_entity_id: randomUUID() }), 'linked_entity_id');
    expect422(await post({ linked_entity_type: 'customer' }), 'linked_entity_id');
    expect422(await post({ linked_entity_id: customer.id }), 'linked_entity_type');
    expect422(await post({ linked_entity_type: 'planet', linked_entity_id: customer.id }), 'linked_entity_type');
    // A type whose module is not built yet (invoices) cannot be linked.
    expect422(await post({ linked_entity_type: 'invoice', linked_entity_id: randomUUID() }), 'linked_entity_type');

    // Changing one half of a link checks the merged pair.
    const patch = (body: Record<string, unknown>) =>
      t.request('PATCH', `/api/reminders/${linked.id}`, { token: owner.token, body });
    expect422(await patch({ linked_entity_type: 'project' }), 'linked_entity_id');
    expect422(await patch({ linked_entity_id: null }), 'linked_entity_id');
    const unlinked = await patch({ linked_entity_type: null, linked_entity_id: null });
    expect(unlinked.json()).toMatchObject({ linked_entity_type: null, linked_entity_id: null });
  });

  it('refuses bad input with 422', async () => {
    const post = (body: Record<string, unknown>) => t.request('POST', '/api/reminders', { token: owner.token, body });
    expect422(await post({ due_date: today }), 'title');
    expect422(await post({ title: 'A' }), 'due_date');
    expect422(await post({ title: '', due_date: today }), 'title');
    expect422(await post({ title: 5, due_date: today }), 'title');
    expect422(await post({ title: 'A', due_date: '2026-02-30' }), 'due_date');
    expect422(await post({ title: 'A', due_date: '2026-03-01T10:00:00Z' }), 'due_date');
    expect422(await post({ title: 'A', due_date: today, priority: 'urgent' }), 'priority');
    expect422(await post({ title: 'A', due_date: today, status: 'overdue' }), 'status');
    expect422(await post({ title: 'A', due_date: today, colour: 'red' }), 'colour');
    for (const readOnly of ['id', 'notified', 'completed_at', 'created_at']) {
      expect422(await post({ title: 'A', due_date: today, [readOnly]: null }), readOnly);
    }
    expect422(await post({ title: 'A', due_date: today, owner_id: 'nope' }), 'owner_id');
    expectProblem(await t.request('GET', '/api/reminders/not-a-uuid', { token: owner.token }), 422);
    for (const query of ['status=gone', 'priority=huge', 'sort=secret', 'limit=501', 'due_date_from=tomorrow', 'x=1']) {
      expectProblem(await t.request('GET', `/api/reminders?${query}`, { token: owner.token }), 422);
    }
  });

  it('answers 404 for unknown ids', async () => {
    const id = randomUUID();
    expectProblem(await t.request('GET', `/api/reminders/${id}`, { token: owner.token }), 404);
    expectProblem(await t.request('PATCH', `/api/reminders/${id}`, { token: owner.token, body: { title: 'X' } }), 404);
    expectProblem(await t.request('PUT', `/api/reminders/${id}`, { token: owner.token, body: { title: 'X' } }), 404);
    expectProblem(await t.request('DELETE', `/api/reminders/${id}`, { token: owner.token }), 404);
    expectProblem(await t.request('PATCH', `/api/reminders/${id}/complete`, { token: owner.token }), 404);
  });

  it("hides others' reminders (404) unless the caller holds reminders.manage", async () => {
    const mine = await createReminder(owner, { title: 'Nur meins' });
    for (const [method, url, body] of [
      ['GET', `/api/reminders/${mine.id}`, undefined],
      ['PATCH', `/api/reminders/${mine.id}`, { title: 'Fremd' }],
      ['PUT', `/api/reminders/${mine.id}`, { title: 'Fremd' }],
      ['DELETE', `/api/reminders/${mine.id}`, undefined],
      ['PATCH', `/api/reminders/${mine.id}/complete`, undefined],
    ] as const) {
      expectProblem(await t.request(method, url, { token: other.token, body }), 404);
    }
    expect(ids(await t.request('GET', '/api/reminders', { token: other.token }))).not.toContain(mine.id);

    expect((await t.request('GET', `/api/reminders/${mine.id}`, { token: manager.token })).statusCode).toBe(200);
    const changed = await t.request('PATCH', `/api/reminders/${mine.id}`, {
      token: manager.token,
      body: { priority: 'high' },
    });
    expect(changed.json()).toMatchObject({ priority: 'high', owner_id: owner.id });
  });

  it('lists only the caller’s own reminders; owner_id= needs reminders.manage for others', async () => {
    const mine = await createReminder(owner);
    const theirs = await createReminder(other);
    const own = ids(await t.request('GET', '/api/reminders?limit=500', { token: owner.token }));
    expect(own).toContain(mine.id);
    expect(own).not.toContain(theirs.id);
    const self = await t.request('GET', `/api/reminders?owner_id=${owner.id}`, { token: owner.token });
    expect(self.statusCode).toBe(200);
    expectProblem(await t.request('GET', `/api/reminders?owner_id=${other.id}`, { token: owner.token }), 403);

    // A manager's default list is their own too; owner_id shows another employee's.
    expect(ids(await t.request('GET', '/api/reminders', { token: manager.token }))).not.toContain(mine.id);
    const managed = await t.request('GET', `/api/reminders?owner_id=${other.id}`, { token: manager.token });
    expect(ids(managed)).toEqual(expect.arrayContaining([theirs.id]));
    expect(ids(managed)).not.toContain(mine.id);
  });

  it('creates and reassigns for others only with reminders.manage, for active employees only', async () => {
    const forOther = { title: 'Für dich', due_date: today, owner_id: other.id };
    expectProblem(await t.request('POST', '/api/reminders', { token: owner.token, body: forOther }), 403);
    const created = await t.request('POST', '/api/reminders', { token: manager.token, body: forOther });
    expect(created.statusCode).toBe(201);
    expect(created.json().owner_id).toBe(other.id);
    expect(ids(await t.request('GET', '/api/reminders', { token: other.token }))).toContain(created.json().id);

    const mine = await createReminder(owner);
    expectProblem(
      await t.request('PATCH', `/api/reminders/${mine.id}`, { token: owner.token, body: { owner_id: other.id } }),
      403,
    );
    const sameOwner = await t.request('PATCH', `/api/reminders/${mine.id}`, {
      token: owner.token,
      body: { owner_id: owner.id },
    });
    expect(sameOwner.statusCode).toBe(200);
    const reassigned = await t.request('PATCH', `/api/reminders/${mine.id}`, {
      token: manager.token,
      body: { owner_id: other.id },
    });
    expect(reassigned.json().owner_id).toBe(other.id);

    expect422(
      await t.request('POST', '/api/reminders', {
        token: manager.token,
        body: { ...forOther, owner_id: randomUUID() },
      }),
      'owner_id',
    );
    const leaver = await t.userWith([]);
    expect((await t.request('DELETE', `/api/employees/${leaver.id}`)).statusCode).toBe(204);
    expect422(
      await t.request('POST', '/api/reminders', { token: manager.token, body: { ...forOther, owner_id: leaver.id } }),
      'owner_id',
    );
    expect422(
      await t.request('PATCH', `/api/reminders/${mine.id}`, { token: manager.token, body: { owner_id: leaver.id } }),
      'owner_id',
    );
  });

  it('filters by status, priority, inclusive due-date range, link and search; sorts by priority', async () => {
    const user = await t.userWith(OWN);
    const customer = (await t.request('POST', '/api/customers', { body: { name: 'Filter KG' } })).json();
    const a = await createReminder(user, { title: 'Angebot schreiben', due_date: addDays(today, 1), priority: 'low' });
    const b = await createReminder(user, {
      title: 'Rückruf',
      description: 'wegen Angebot',
      due_date: addDays(today, 2),
      priority: 'critical',
      linked_entity_type: 'customer',
      linked_entity_id: customer.id,
    });
    const c = await createReminder(user, { title: 'Alt', due_date: addDays(today, -5), priority: 'high' });
    const d = await createReminder(user, { title: 'Erledigt', due_date: addDays(today, 3), status: 'done' });
    const list = async (query: string) =>
      ids(await t.request('GET', `/api/reminders?${query}`, { token: user.token })).sort();
    expect(await list('')).toEqual([a.id, b.id, c.id, d.id].sort());
    expect(await list('status=overdue')).toEqual([c.id]);
    expect(await list('status=done')).toEqual([d.id]);
    expect(await list('priority=critical')).toEqual([b.id]);
    expect(await list(`due_date_from=${addDays(today, 1)}&due_date_to=${addDays(today, 2)}`)).toEqual(
      [a.id, b.id].sort(),
    );
    expect(await list(`due_date_to=${addDays(today, -5)}`)).toEqual([c.id]);
    expect(await list('linked_entity_type=customer')).toEqual([b.id]);
    expect(await list(`linked_entity_id=${customer.id}`)).toEqual([b.id]);
    expect(await list('search=angebot')).toEqual([a.id, b.id].sort());
    const byPriority = ids(await t.request('GET', '/api/reminders?sort=-priority', { token: user.token }));
    expect(byPriority.slice(0, 2)).toEqual([b.id, c.id]);
    expect(byPriority.at(-1)).toBe(a.id);
  });

  it('updates partially with an audit diff and honours If-Match', async () => {
    const reminder = await createReminder(owner, { description: 'alt' });
    const res = await t.request('PATCH', `/api/reminders/${reminder.id}`, {
      token: owner.token,
      body: { title: 'Neu', priority: 'high' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ title: 'Neu', priority: 'high', description: 'alt' });
    const audit = await auditRowsFor(t, 'reminder', reminder.id);
    expect(audit[0]).toMatchObject({ action: 'update' });
    expect(audit[0]?.changes).toEqual({
      title: { old: reminder.title, new: 'Neu' },
      priority: { old: 'medium', new: 'high' },
    });
    const stale = await t.request('PATCH', `/api/reminders/${reminder.id}`, {
      token: owner.token,
      body: { title: 'X' },
      headers: { 'if-match': '"stale-1"' },
    });
    expectProblem(stale, 412);
    const fresh = await t.request('PUT', `/api/reminders/${reminder.id}`, {
      token: owner.token,
      body: { description: null },
      headers: { 'if-match': String(res.headers.etag) },
    });
    expect(fresh.json()).toMatchObject({ title: 'Neu', description: null });
    expect422(
      await t.request('PATCH', `/api/reminders/${reminder.id}`, { token: owner.token, body: { notified: false } }),
      'notified',
    );
  });

  it('completes with completed_at and an audit row; completing again changes nothing; reopening clears it', async () => {
    const reminder = await createReminder(owner);
    const done = await t.request('PATCH', `/api/reminders/${reminder.id}/complete`, { token: owner.token });
    expect(done.statusCode).toBe(200);
    expect(done.json()).toMatchObject({ status: 'done', completed_at: expect.any(String) });
    expect(done.headers.etag).toBeTruthy();
    let audit = await auditRowsFor(t, 'reminder', reminder.id);
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({ action: 'update' });
    expect(audit[0]?.changes).toMatchObject({ status: { old: 'open', new: 'done' } });

    const again = await t.request('PATCH', `/api/reminders/${reminder.id}/complete`, { token: owner.token });
    expect(again.json().completed_at).toBe(done.json().completed_at);
    expect(await auditRowsFor(t, 'reminder', reminder.id)).toHaveLength(2);
    expectProblem(
      await t.request('PATCH', `/api/reminders/${reminder.id}/complete`, {
        token: owner.token,
        headers: { 'if-match': '"stale-1"' },
      }),
      412,
    );

    const reopened = await t.request('PATCH', `/api/reminders/${reminder.id}`, {
      token: owner.token,
      body: { status: 'open' },
    });
    expect(reopened.json()).toMatchObject({ status: 'open', completed_at: null });
    audit = await auditRowsFor(t, 'reminder', reminder.id);
    expect(audit[0]?.changes).toMatchObject({ status: { old: 'done', new: 'open' } });

    const viaPatch = await t.request('PATCH', `/api/reminders/${reminder.id}`, {
      token: owner.token,
      body: { status: 'done' },
    });
    expect(viaPatch.json()).toMatchObject({ status: 'done', completed_at: expect.any(String) });
  });

  it('moving an overdue reminder into the future opens it again; a new due date resets notified', async () => {
    const reminder = await createReminder(owner, { due_date: addDays(today, -2) });
    expect(reminder.status).toBe('overdue');
    // As if the daily job had mailed it.
    await t.db.root.execute(sql`update reminders set notified = true where id = ${reminder.id}`);
    const moved = await t.request('PATCH', `/api/reminders/${reminder.id}`, {
      token: owner.token,
      body: { due_date: addDays(today, 7) },
    });
    expect(moved.json()).toMatchObject({ status: 'open', notified: false, completed_at: null });
    const back = await t.request('PATCH', `/api/reminders/${reminder.id}`, {
      token: owner.token,
      body: { due_date: addDays(today, -1) },
    });
    expect(back.json().status).toBe('overdue');
    // Reopening a done reminder whose date has passed makes it overdue, not open.
    await t.request('PATCH', `/api/reminders/${reminder.id}/complete`, { token: owner.token });
    const reopened = await t.request('PATCH', `/api/reminders/${reminder.id}`, {
      token: owner.token,
      body: { status: 'open' },
    });
    expect(reopened.json()).toMatchObject({ status: 'overdue', completed_at: null });
  });

  it('deletes for real with an audit row', async () => {
    const reminder = await createReminder(owner);
    expect((await t.request('DELETE', `/api/reminders/${reminder.id}`, { token: owner.token })).statusCode).toBe(204);
    expectProblem(await t.request('GET', `/api/reminders/${reminder.id}`, { token: owner.token }), 404);
    const audit = await auditRowsFor(t, 'reminder', reminder.id);
    expect(audit[0]).toMatchObject({ action: 'delete', actor_id: owner.id });
  });
});
