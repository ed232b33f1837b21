import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRowsFor, expect422, expectProblem, startTestApp, type TestApp } from '../../../test/helpers.ts';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const tag = () => `d${randomUUID().replace(/-/g, '').slice(0, 10)}`;

async function createDepartment(fields: Record<string, unknown> = {}) {
  const res = await t.request('POST', '/api/departments', { body: { name: `Dept ${tag()}`, ...fields } });
  if (res.statusCode !== 201) throw new Error(`department create failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

async function createEmployee(fields: Record<string, unknown> = {}) {
  const res = await t.request('POST', '/api/employees', {
    body: { first_name: 'Dora', last_name: `Dept ${tag()}`, email: `${tag()}@example.com`, ...fields },
  });
  if (res.statusCode !== 201) throw new Error(`employee create failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

describe('authentication and permissions', () => {
  it('answers 401 without a token', async () => {
    for (const [method, url] of [
      ['GET', '/api/departments'],
      ['POST', '/api/departments'],
      ['GET', `/api/departments/${randomUUID()}`],
      ['DELETE', `/api/departments/${randomUUID()}`],
    ] as const) {
      const res = await t.request(method, url, { token: null, body: method === 'POST' ? { name: 'x' } : undefined });
      expectProblem(res, 401);
    }
  });

  it('needs employees.read to read, employees.write to change and employees.delete to delete', async () => {
    const nobody = await t.userWith([]);
    const writer = await t.userWith(['employees.read', 'employees.write']);
    const dept = await createDepartment();
    expectProblem(await t.request('GET', '/api/departments', { token: nobody.token }), 403);
    expectProblem(await t.request('GET', `/api/departments/${dept.id}`, { token: nobody.token }), 403);
    const create = await t.request('POST', '/api/departments', { token: nobody.token, body: { name: 'x' } });
    expect(expectProblem(create, 403).detail).toContain('employees.write');

    const ok = await t.request('PATCH', `/api/departments/${dept.id}`, {
      token: writer.token,
      body: { name: 'Renamed' },
    });
    expect(ok.statusCode).toBe(200);
    const del = await t.request('DELETE', `/api/departments/${dept.id}`, { token: writer.token });
    expect(expectProblem(del, 403).detail).toContain('employees.delete');
    expect((await t.request('GET', `/api/departments/${dept.id}`)).statusCode).toBe(200);
  });
});

describe('POST /api/departments', () => {
  it('creates with 201, Location, ETag and the embedded manager and employee_count', async () => {
    const manager = await createEmployee({ first_name: 'Maria', last_name: 'Leiterin' });
    const code = tag().toUpperCase();
    const res = await t.request('POST', '/api/departments', {
      body: { name: '  Engineering  ', code, description: 'Builds things', manager_id: manager.id },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(res.headers.location).toBe(`/api/departments/${body.id}`);
    expect(res.headers.etag).toMatch(/^"[^"]+"$/);
    expect(body).toMatchObject({
      name: 'Engineering',
      code,
      description: 'Builds things',
      manager_id: manager.id,
      manager: { id: manager.id, first_name: 'Maria', last_name: 'Leiterin' },
      employee_count: 0,
    });
    expect(Object.keys(body.manager).sort()).toEqual(['first_name', 'id', 'last_name']);
    expect(Object.keys(body).sort()).toEqual(
      [
        'code',
        'created_at',
        'description',
        'employee_count',
        'id',
        'manager',
        'manager_id',
        'name',
        'updated_at',
      ].sort(),
    );
    const get = await t.request('GET', `/api/departments/${body.id}`);
    expect(get.json()).toEqual(body);
    expect(get.headers.etag).toBe(res.headers.etag);
  });

  it('creates with only a name; the optional fields are null', async () => {
    const res = await t.request('POST', '/api/departments', { body: { name: 'Solo' } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ name: 'Solo', code: null, description: null, manager_id: null, manager: null });
    // Code is unique only when set: two departments without one are fine.
    expect((await t.request('POST', '/api/departments', { body: { name: 'Solo' } })).statusCode).toBe(201);
  });

  it('requires a non-empty name', async () => {
    expect422(await t.request('POST', '/api/departments', { body: {} }), 'name');
    expect422(await t.request('POST', '/api/departments', { body: { name: '   ' } }), 'name');
    expect422(await t.request('POST', '/api/departments', { body: { name: null } }), 'name');
  });

  it.each([
    ['an unknown field', { budget: 5 }, 'budget'],
    ['a read-only id', { id: randomUUID() }, 'id'],
    ['a read-only employee_count', { employee_count: 3 }, 'employee_count'],
    ['an embedded manager', { manager: { id: randomUUID() } }, 'manager'],
    ['a number for a string', { name: 42 }, 'name'],
    ['a malformed code', { code: 'has space' }, 'code'],
    ['a malformed manager uuid', { manager_id: 'nope' }, 'manager_id'],
    ['an unknown manager', { manager_id: randomUUID() }, 'manager_id'],
  ])('rejects %s with 422 naming the field', async (_label, fields, field) => {
    const name = `Bad ${tag()}`;
    expect422(await t.request('POST', '/api/departments', { body: { name, ...fields } }), field);
    expect((await t.request('GET', `/api/departments?search=${encodeURIComponent(name)}`)).json().total).toBe(0);
  });

  it('answers 409 for a duplicate code', async () => {
    const code = tag();
    await createDepartment({ code });
    const dup = await t.request('POST', '/api/departments', { body: { name: 'Other', code } });
    const problem = expectProblem(dup, 409);
    expect((problem.errors as Array<{ field: string }>).map((e) => e.field)).toContain('code');
  });

  it('answers 400 to malformed JSON', async () => {
    const res = await t.request('POST', '/api/departments', {
      body: '{"name": ',
      headers: { 'content-type': 'application/json' },
    });
    expectProblem(res, 400);
  });

  it('writes exactly one create audit row', async () => {
    const dept = await createDepartment({ description: 'audited' });
    const rows = await auditRowsFor(t, 'department', dept.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: 'create',
      resource_type: 'department',
      resource_id: dept.id,
      resource_name: dept.name,
      actor_id: t.admin.id,
    });
    expect((rows[0]?.changes as Record<string, unknown> | undefined)?.name).toEqual({ old: null, new: dept.name });
  });
});

describe('GET /api/departments', () => {
  it('returns one department; 404 for an unknown id, 422 for a malformed one', async () => {
    const dept = await createDepartment();
    const res = await t.request('GET', `/api/departments/${dept.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(dept);
    expect(res.headers.etag).toBeTruthy();
    expectProblem(await t.request('GET', `/api/departments/${randomUUID()}`), 404);
    expect422(await t.request('GET', '/api/departments/nope'), 'id');
  });

  it('counts the employees that belong to it', async () => {
    const dept = await createDepartment();
    const e1 = await createEmployee({ department_id: dept.id });
    await createEmployee({ department_id: dept.id });
    expect((await t.request('GET', `/api/departments/${dept.id}`)).json().employee_count).toBe(2);
    await t.request('PATCH', `/api/employees/${e1.id}`, { body: { department_id: null } });
    expect((await t.request('GET', `/api/departments/${dept.id}`)).json().employee_count).toBe(1);
  });

  it('lists with the envelope, newest first, search, filter, sort and paging', async () => {
    const group = tag();
    const manager = await createEmployee();
    const b = await createDepartment({ name: `B ${group}` });
    const c = await createDepartment({ name: `C ${group}`, manager_id: manager.id });
    const a = await createDepartment({ name: `A other`, description: `about ${group}` });
    await createEmployee({ department_id: c.id });
    c.employee_count = 1;
    const ids = async (query: string) =>
      (await t.request('GET', `/api/departments?${query}`)).json().items.map((d: { id: string }) => d.id);

    const res = await t.request('GET', `/api/departments?search=${group.toUpperCase()}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ total: 3, skip: 0, limit: 50 });
    expect(res.json().items.map((d: { id: string }) => d.id)).toEqual([a.id, c.id, b.id]);
    expect(res.json().items[1]).toEqual(c);
    expect(await ids(`search=${group}&sort=name`)).toEqual([a.id, b.id, c.id]);
    expect(await ids(`search=${group}&sort=-name`)).toEqual([c.id, b.id, a.id]);
    expect(await ids(`manager_id=${manager.id}`)).toEqual([c.id]);
    const page = await t.request('GET', `/api/departments?search=${group}&sort=name&skip=2&limit=1`);
    expect(page.json()).toMatchObject({ total: 3, skip: 2, limit: 1 });
    expect(page.json().items.map((d: { id: string }) => d.id)).toEqual([c.id]);
  });

  it.each([
    ['limit=501', 'limit'],
    ['sort=employee_count', 'sort'],
    ['manager_id=nope', 'manager_id'],
    ['colour=red', 'colour'],
  ])('rejects %s with 422', async (query, field) => {
    expect422(await t.request('GET', `/api/departments?${query}`), field);
  });
});

describe('PUT and PATCH /api/departments/{id}', () => {
  it.each(['PUT', 'PATCH'] as const)('%s changes only the fields sent', async (method) => {
    const manager = await createEmployee();
    const dept = await createDepartment({ code: tag(), description: 'keep', manager_id: manager.id });
    const res = await t.request(method, `/api/departments/${dept.id}`, { body: { name: 'New name' } });
    expect(res.statusCode).toBe(200);
    const { updated_at: _a, name, ...rest } = res.json();
    const { updated_at: _b, name: _n, ...before } = dept;
    expect(name).toBe('New name');
    expect(rest).toEqual(before);

    const cleared = await t.request(method, `/api/departments/${dept.id}`, { body: { manager_id: null, code: null } });
    expect(cleared.json()).toMatchObject({ manager_id: null, manager: null, code: null, description: 'keep' });
  });

  it('writes one update audit row with the changed fields', async () => {
    const dept = await createDepartment({ description: 'before' });
    await t.request('PATCH', `/api/departments/${dept.id}`, { body: { description: 'after', name: dept.name } });
    const updates = (await auditRowsFor(t, 'department', dept.id)).filter((r) => r.action === 'update');
    expect(updates).toHaveLength(1);
    expect(updates[0]?.changes).toEqual({ description: { old: 'before', new: 'after' } });
  });

  it.each([
    ['a read-only id', { id: randomUUID() }, 'id'],
    ['a read-only employee_count', { employee_count: 1 }, 'employee_count'],
    ['an unknown field', { floor: 3 }, 'floor'],
    ['an empty name', { name: '' }, 'name'],
    ['null for the name', { name: null }, 'name'],
    ['an unknown manager', { manager_id: randomUUID() }, 'manager_id'],
  ])('rejects %s with 422 and changes nothing', async (_label, body, field) => {
    const dept = await createDepartment();
    for (const method of ['PUT', 'PATCH'] as const) {
      expect422(await t.request(method, `/api/departments/${dept.id}`, { body }), field);
    }
    expect((await t.request('GET', `/api/departments/${dept.id}`)).json()).toEqual(dept);
  });

  it('answers 409 when the new code is taken', async () => {
    const taken = await createDepartment({ code: tag() });
    const dept = await createDepartment();
    const res = await t.request('PATCH', `/api/departments/${dept.id}`, { body: { code: taken.code } });
    expectProblem(res, 409);
  });

  it('answers 404 for an unknown id and 422 for a malformed one', async () => {
    for (const method of ['PUT', 'PATCH'] as const) {
      expectProblem(await t.request(method, `/api/departments/${randomUUID()}`, { body: { name: 'x' } }), 404);
      expect422(await t.request(method, '/api/departments/1', { body: { name: 'x' } }), 'id');
    }
  });

  it('honours If-Match', async () => {
    const dept = await createDepartment();
    const etag = (await t.request('GET', `/api/departments/${dept.id}`)).headers.etag as string;
    const ok = await t.request('PATCH', `/api/departments/${dept.id}`, {
      body: { description: 'one' },
      headers: { 'if-match': etag },
    });
    expect(ok.statusCode).toBe(200);
    const stale = await t.request('PATCH', `/api/departments/${dept.id}`, {
      body: { description: 'two' },
      headers: { 'if-match': etag },
    });
    expectProblem(stale, 412);
    expectProblem(await t.request('DELETE', `/api/departments/${dept.id}`, { headers: { 'if-match': etag } }), 412);
    expect((await t.request('GET', `/api/departments/${dept.id}`)).json().description).toBe('one');
  });
});

describe('DELETE /api/departments/{id}', () => {
  it('answers 409 while an employee belongs to it, 204 once empty, then 404', async () => {
    const dept = await createDepartment();
    const member = await createEmployee({ department_id: dept.id });
    const busy = await t.request('DELETE', `/api/departments/${dept.id}`);
    expectProblem(busy, 409);
    expect((await t.request('GET', `/api/departments/${dept.id}`)).statusCode).toBe(200);

    // A deactivated employee still belongs to it.
    await t.request('DELETE', `/api/employees/${member.id}`);
    expectProblem(await t.request('DELETE', `/api/departments/${dept.id}`), 409);

    await t.request('PATCH', `/api/employees/${member.id}`, { body: { department_id: null } });
    const res = await t.request('DELETE', `/api/departments/${dept.id}`);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expectProblem(await t.request('GET', `/api/departments/${dept.id}`), 404);
    expectProblem(await t.request('DELETE', `/api/departments/${dept.id}`), 404);

    const rows = await auditRowsFor(t, 'department', dept.id);
    const deletes = rows.filter((r) => r.action === 'delete');
    expect(deletes).toHaveLength(1);
    expect(deletes[0]).toMatchObject({ resource_type: 'department', resource_name: dept.name });
    expect((deletes[0]?.changes as Record<string, unknown> | undefined)?.name).toEqual({ old: dept.name, new: null });
  });

  it('answers 404 for an unknown id and 422 for a malformed one', async () => {
    expectProblem(await t.request('DELETE', `/api/departments/${randomUUID()}`), 404);
    expect422(await t.request('DELETE', '/api/departments/abc'), 'id');
  });
});
