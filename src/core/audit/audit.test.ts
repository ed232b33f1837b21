import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, startTestApp, type TestApp, type TestUser } from '../../../test/helpers.ts';
import { SYSTEM_CONTEXT } from '../auth/principal.ts';
import { auditLogs } from '../db/core.table.ts';
import { auditView, diffChanges, snapshotChanges } from './changes.ts';

interface AuditItem {
  id: string;
  occurred_at: string;
  actor_id: string | null;
  actor_email: string | null;
  actor_type: string;
  action: string;
  resource_type: string;
  resource_id: string | null;
  resource_name: string | null;
  changes: Record<string, { old: unknown; new: unknown }> | null;
  ip_address: string | null;
  user_agent: string | null;
  request_id: string | null;
}
interface AuditPage {
  items: AuditItem[];
  total: number;
  skip: number;
  limit: number;
}

let t: TestApp;
let auditor: TestUser;
let writer: TestUser;

beforeAll(async () => {
  t = await startTestApp();
  auditor = await t.userWith(['admin.audit.read']);
  writer = await t.userWith(['employees.read', 'employees.write', 'employees.delete']);
});
afterAll(() => t?.close());

async function list(query: string, token = t.admin.token): Promise<AuditPage> {
  const res = await t.request('GET', `/api/audit-logs?${query}`, { token });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

let seq = 0;
const uniqueName = (prefix: string) => `${prefix} ${process.pid}-${++seq}-${randomUUID().slice(0, 8)}`;

/** Audit rows written straight into the table (INSERT is allowed; only UPDATE is refused). */
async function insertRows(resourceId: string, instants: string[]): Promise<string[]> {
  const ids = instants.map(() => uuidv7());
  await t.db.root.insert(auditLogs).values(
    instants.map((at, i) => ({
      id: ids[i] as string,
      occurredAt: new Date(at),
      actorType: 'system',
      action: 'update' as const,
      resourceType: 'fixture',
      resourceId,
      resourceName: `fixture ${i}`,
    })),
  );
  return ids;
}

describe('access', () => {
  it('needs a token and admin.audit.read', async () => {
    const id = randomUUID();
    for (const url of ['/api/audit-logs', `/api/audit-logs/${id}`]) {
      expectProblem(await t.request('GET', url, { token: null }), 401);
      const denied = expectProblem(await t.request('GET', url, { token: writer.token }), 403);
      expect(denied.detail).toContain('admin.audit.read');
    }
    expect((await t.request('GET', '/api/audit-logs', { token: auditor.token })).statusCode).toBe(200);
    const wildcard = await t.userWith(['admin.*']);
    expect((await t.request('GET', '/api/audit-logs', { token: wildcard.token })).statusCode).toBe(200);
  });

  it('offers no route that changes or deletes entries', async () => {
    const [entry] = (await list('limit=1')).items;
    if (!entry) throw new Error('bootstrap wrote no audit row');
    for (const method of ['PUT', 'PATCH', 'DELETE'] as const) {
      const res = await t.request(method, `/api/audit-logs/${entry.id}`, { body: { action: 'delete' } });
      expect([404, 405]).toContain(res.statusCode);
    }
    const post = await t.request('POST', '/api/audit-logs', { body: { action: 'create' } });
    expect([404, 405]).toContain(post.statusCode);
    const after = await t.request('GET', `/api/audit-logs/${entry.id}`);
    expect(after.json()).toEqual(entry);
  });
});

describe('rows written by changes', () => {
  it('records create, update and delete of a department with actor, request and changes', async () => {
    const name = uniqueName('Audited');
    const created = await t.request('POST', '/api/departments', {
      token: writer.token,
      body: { name, description: 'first' },
      headers: { 'user-agent': 'audit-test/1.0', 'x-request-id': `audit-${seq}` },
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    const etag = String(created.headers.etag);

    const updated = await t.request('PATCH', `/api/departments/${id}`, {
      token: writer.token,
      body: { description: 'second', name },
      headers: { 'if-match': etag },
    });
    expect(updated.statusCode, updated.body).toBe(200);
    const deleted = await t.request('DELETE', `/api/departments/${id}`, { token: writer.token });
    expect(deleted.statusCode).toBe(204);

    const page = await list(`resource_type=department&resource_id=${id}`, auditor.token);
    expect(page.total).toBe(3);
    expect(page.items.map((r) => r.action)).toEqual(['delete', 'update', 'create']);
    for (const row of page.items) {
      expect(row).toMatchObject({
        actor_id: writer.id,
        actor_email: writer.email,
        actor_type: 'employee',
        resource_type: 'department',
        resource_id: id,
        resource_name: name,
      });
      expect(new Date(row.occurred_at).toISOString()).toBe(row.occurred_at);
    }
    const [del, upd, cre] = page.items as [AuditItem, AuditItem, AuditItem];
    expect(cre.request_id).toBe(`audit-${seq}`);
    expect(cre.request_id).toBe(created.headers['x-request-id']);
    expect(cre.user_agent).toBe('audit-test/1.0');
    expect(cre.ip_address).toEqual(expect.any(String));
    expect(cre.changes).toMatchObject({ name: { old: null, new: name }, description: { old: null, new: 'first' } });
    // Only what changed (name was sent unchanged); no counters or timestamps.
    expect(upd.changes).toEqual({ description: { old: 'first', new: 'second' } });
    expect(upd.request_id).toBe(updated.headers['x-request-id']);
    expect(del.changes).toMatchObject({ name: { old: name, new: null }, description: { old: 'second', new: null } });
    expect(del.changes).not.toHaveProperty('version');
  });

  it('writes no row when the write fails (duplicate code → 409)', async () => {
    const code = `A${randomUUID().slice(0, 8)}`;
    const first = await t.request('POST', '/api/departments', { body: { name: uniqueName('First'), code } });
    expect(first.statusCode).toBe(201);
    const before = (await list('resource_type=department')).total;
    const name = uniqueName('Duplicate');
    expectProblem(await t.request('POST', '/api/departments', { body: { name, code } }), 409);
    const second = await t.request('POST', '/api/departments', { body: { name: uniqueName('Second') } });
    expect(second.statusCode).toBe(201);
    // An update that fails on the constraint leaves no row either.
    expectProblem(await t.request('PATCH', `/api/departments/${second.json().id}`, { body: { code } }), 409);
    const after = await list('resource_type=department');
    expect(after.total).toBe(before + 1);
    expect(after.items.some((r) => r.resource_name === name)).toBe(false);
    const aboutSecond = await list(`resource_id=${second.json().id}`);
    expect(aboutSecond.items.map((r) => r.action)).toEqual(['create']);
  });

  it('rolls the row back with the transaction it was written in', async () => {
    const resourceId = randomUUID();
    await expect(
      t.db.transaction(async () => {
        await t.server.ctx.core.audit.record(SYSTEM_CONTEXT, {
          action: 'update',
          resourceType: 'fixture',
          resourceId,
        });
        throw new Error('the change failed after its audit row');
      }),
    ).rejects.toThrow('the change failed');
    expect((await list(`resource_id=${resourceId}`)).total).toBe(0);

    await t.db.transaction(() =>
      t.server.ctx.core.audit.record(SYSTEM_CONTEXT, { action: 'update', resourceType: 'fixture', resourceId }),
    );
    const [row] = (await list(`resource_id=${resourceId}`)).items;
    expect(row).toMatchObject({ actor_type: 'system', actor_id: null, changes: null, request_id: null });
  });
});

/** The driver error under Drizzle's "Failed query" wrapper. */
async function failure(promise: Promise<unknown>): Promise<{ message: string; code?: string }> {
  try {
    await promise;
  } catch (error) {
    const cause = (error as { cause?: { message: string; code?: string } }).cause;
    return cause ?? (error as Error);
  }
  throw new Error('expected the statement to fail');
}

describe('append-only in the database', () => {
  it('refuses UPDATE on audit_logs', async () => {
    const [id] = await insertRows(randomUUID(), ['2024-01-01T00:00:00Z']);
    await expect(t.db.root.execute(sql`update audit_logs set action = 'x'`)).rejects.toThrow();
    const refused = await failure(
      t.db.root.execute(sql`update audit_logs set resource_name = 'forged' where id = ${id}`),
    );
    expect(refused.message).toMatch(/append-only/);
    expect(refused.code).toBe('42501');
    const res = await t.request('GET', `/api/audit-logs/${id}`);
    expect(res.json()).toMatchObject({ action: 'update', resource_name: 'fixture 0' });
  });
});

describe('GET /api/audit-logs', () => {
  it('filters by actor_id, action, resource_type and resource_id', async () => {
    const actor = await t.userWith(['employees.write']);
    const made = await t.request('POST', '/api/departments', {
      token: actor.token,
      body: { name: uniqueName('ByActor') },
    });
    expect(made.statusCode).toBe(201);
    const id = made.json().id as string;
    const patched = await t.request('PATCH', `/api/departments/${id}`, {
      token: actor.token,
      body: { description: 'x' },
    });
    expect(patched.statusCode).toBe(200);

    const byActor = await list(`actor_id=${actor.id}`);
    expect(byActor.total).toBe(2);
    expect(byActor.items.every((r) => r.actor_id === actor.id)).toBe(true);

    const updates = await list(`actor_id=${actor.id}&action=update`);
    expect(updates.items.map((r) => [r.action, r.resource_id])).toEqual([['update', id]]);

    const byResource = await list(`resource_type=department&resource_id=${id}&action=create`);
    expect(byResource.total).toBe(1);
    expect(byResource.items[0]?.actor_id).toBe(actor.id);

    const otherType = await list(`resource_type=employee&resource_id=${id}`);
    expect(otherType.total).toBe(0);
    const allDepartments = await list('resource_type=department&limit=500');
    expect(allDepartments.items.every((r) => r.resource_type === 'department')).toBe(true);
    expect(allDepartments.items.some((r) => r.resource_id === id)).toBe(true);

    const nobody = await list(`actor_id=${randomUUID()}`);
    expect(nobody).toEqual({ items: [], total: 0, skip: 0, limit: 50 });
  });

  it('filters occurred_at with ISO timestamps (_from inclusive, _to exclusive)', async () => {
    const resourceId = randomUUID();
    const [a, b, c] = await insertRows(resourceId, [
      '2021-06-01T10:00:00.000Z',
      '2021-06-01T11:00:00.000Z',
      '2021-06-01T12:00:00.000Z',
    ]);
    const ids = async (range: string) =>
      (await list(`resource_id=${resourceId}&${range}`)).items.map((r) => r.id).sort();
    expect(await ids('occurred_at_from=2021-06-01T11:00:00Z')).toEqual([b, c].sort());
    expect(await ids('occurred_at_to=2021-06-01T11:00:00Z')).toEqual([a]);
    expect(await ids('occurred_at_from=2021-06-01T10:00:00.000Z&occurred_at_to=2021-06-01T12:00:00.000Z')).toEqual(
      [a, b].sort(),
    );
    // An offset is honoured: 13:00+02:00 is 11:00Z.
    expect(await ids(`occurred_at_to=${encodeURIComponent('2021-06-01T13:00:00+02:00')}`)).toEqual([a]);
  });

  it('reads a plain date in a timestamp filter as midnight in the company time zone', async () => {
    const resourceId = randomUUID();
    // Europe/Berlin (the default company zone) is UTC+1 on 2020-03-28 and 2020-03-29 until 02:00.
    const [lateOn28th, earlyOn29th, on29th] = await insertRows(resourceId, [
      '2020-03-28T22:30:00.000Z', // 23:30 on the 28th in Berlin
      '2020-03-28T23:30:00.000Z', // 00:30 on the 29th in Berlin
      '2020-03-29T12:00:00.000Z',
    ]);
    const ids = async (range: string) =>
      (await list(`resource_id=${resourceId}&${range}`)).items.map((r) => r.id).sort();
    expect(await ids('occurred_at_from=2020-03-29')).toEqual([earlyOn29th, on29th].sort());
    expect(await ids('occurred_at_to=2020-03-29')).toEqual([lateOn28th]);
    expect(await ids('occurred_at_from=2020-03-28&occurred_at_to=2020-03-30')).toEqual(
      [lateOn28th, earlyOn29th, on29th].sort(),
    );
    expect(await ids('occurred_at_from=2020-03-30')).toEqual([]);
  });

  it('pages and sorts, newest first by default', async () => {
    const resourceId = randomUUID();
    const instants = ['2022-01-01T00:00:00Z', '2022-01-03T00:00:00Z', '2022-01-02T00:00:00Z', '2022-01-04T00:00:00Z'];
    const [d1, d3, d2, d4] = await insertRows(resourceId, instants);
    const order = async (query: string) => (await list(`resource_id=${resourceId}&${query}`)).items.map((r) => r.id);

    expect(await order('')).toEqual([d4, d3, d2, d1]);
    expect(await order('sort=occurred_at')).toEqual([d1, d2, d3, d4]);
    expect(await order('sort=-occurred_at')).toEqual([d4, d3, d2, d1]);
    const page = await list(`resource_id=${resourceId}&sort=occurred_at&skip=1&limit=2`);
    expect(page).toMatchObject({ total: 4, skip: 1, limit: 2 });
    expect(page.items.map((r) => r.id)).toEqual([d2, d3]);
    expect(await order('sort=occurred_at&skip=4')).toEqual([]);
    // Equal sort keys fall back to the id so pages never overlap.
    const byAction = await order('sort=action');
    expect(byAction).toEqual([d4, d2, d3, d1]);
  });

  it('searches resource names', async () => {
    const resourceId = randomUUID();
    await insertRows(resourceId, ['2023-05-05T00:00:00Z', '2023-05-06T00:00:00Z']);
    const page = await list(`resource_id=${resourceId}&search=FIXTURE%201`);
    expect(page.items.map((r) => r.resource_name)).toEqual(['fixture 1']);
  });

  it('rejects bad queries with 422', async () => {
    const cases: Array<[string, string]> = [
      ['actor_id=not-a-uuid', 'actor_id'],
      ['action=explode', 'action'],
      ['resource_type=Department!', 'resource_type'],
      ['occurred_at_from=yesterday', 'occurred_at_from'],
      ['occurred_at_to=2024-13', 'occurred_at_to'],
      ['occurred_at_from=2024-13-45T10:00:00Z', 'occurred_at_from'],
      ['occurred_at_to=2024-06-01T25:61:00Z', 'occurred_at_to'],
      ['occurred_at_to=2024-02-30', 'occurred_at_to'],
      ['sort=ip_address', 'sort'],
      ['limit=501', 'limit'],
      ['skip=-1', 'skip'],
      ['mystery=1', 'mystery'],
    ];
    for (const [query, field] of cases) {
      const problem = expectProblem(await t.request('GET', `/api/audit-logs?${query}`), 422);
      const fields = (problem.errors as Array<{ field: string }>).map((e) => e.field);
      expect(fields, query).toContain(field);
    }
  });
});

describe('GET /api/audit-logs/{id}', () => {
  it('returns one entry, 404 for an unknown id and 422 for a malformed one', async () => {
    const resourceId = randomUUID();
    const [id] = await insertRows(resourceId, ['2024-02-02T02:02:02.123Z']);
    const res = await t.request('GET', `/api/audit-logs/${id}`, { token: auditor.token });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      id,
      occurred_at: '2024-02-02T02:02:02.123Z',
      actor_id: null,
      actor_email: null,
      actor_type: 'system',
      action: 'update',
      resource_type: 'fixture',
      resource_id: resourceId,
      resource_name: 'fixture 0',
      changes: null,
      ip_address: null,
      user_agent: null,
      request_id: null,
    });
    const [listed] = (await list(`resource_id=${resourceId}`)).items;
    expect(listed).toEqual(res.json());

    expectProblem(await t.request('GET', `/api/audit-logs/${randomUUID()}`), 404);
    const bad = expectProblem(await t.request('GET', '/api/audit-logs/12345'), 422);
    expect((bad.errors as Array<{ field: string }>).map((e) => e.field)).toContain('id');
  });
});

describe('changes', () => {
  it('never carries secrets, counters or updated_at', () => {
    const before = { name: 'a', password_hash: 'x', token: 't', version: 1, updated_at: new Date(0), same: 1 };
    const after = { name: 'b', password_hash: 'y', token: 'u', version: 2, updated_at: new Date(1), same: 1 };
    expect(diffChanges(before, after)).toEqual({ name: { old: 'a', new: 'b' } });
    const snapshot = snapshotChanges(
      { name: 'a', password: 'p', refresh_token: 'r', secret: 's', empty: null },
      'create',
    );
    expect(snapshot).toEqual({ name: { old: null, new: 'a' } });
    expect(snapshotChanges({ name: 'a' }, 'delete')).toEqual({ name: { old: 'a', new: null } });
  });

  it('compares dates and missing values by their JSON form', () => {
    const at = new Date('2024-01-01T00:00:00Z');
    expect(diffChanges({ at: new Date(at) }, { at })).toEqual({});
    expect(diffChanges({}, { note: 'x' })).toEqual({ note: { old: null, new: 'x' } });
    expect(diffChanges({ at }, { at: new Date('2024-01-02T00:00:00Z') })).toEqual({
      at: { old: '2024-01-01T00:00:00.000Z', new: '2024-01-02T00:00:00.000Z' },
    });
  });

  it('shows Drizzle rows in snake_case without the password hash or version', () => {
    expect(auditView({ firstName: 'A', passwordHash: 'h', version: 3, departmentId: null })).toEqual({
      first_name: 'A',
      department_id: null,
    });
  });
});
