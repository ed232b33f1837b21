import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditRowsFor,
  expect422,
  expectProblem,
  problemFields,
  startTestApp,
  type TestApp,
  type TestUser,
} from '../../../test/helpers.ts';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const tag = () => `r${randomUUID().replace(/-/g, '').slice(0, 10)}`;

/** SPEC 2.5, the permission catalog. */
const CATALOG_KEYS = [
  'employees.read',
  'employees.write',
  'employees.delete',
  'employees.personal',
  'admin.roles.read',
  'admin.roles.write',
  'admin.audit.read',
  'admin.settings.write',
  'admin.system.read',
  'admin.system.write',
  'admin.integrations.write',
  'documents.read',
  'documents.write',
  'documents.delete',
  'documents.confidential',
  'reminders.read',
  'reminders.write',
  'reminders.manage',
  'dashboards.read',
  'dashboards.write',
  'backoffice.crm.read',
  'backoffice.crm.write',
  'backoffice.crm.delete',
  'backoffice.projects.read',
  'backoffice.projects.write',
  'backoffice.projects.delete',
  'backoffice.time_tracking.write',
  'backoffice.time_tracking.view',
  'backoffice.time_tracking.approve',
  'backoffice.time_tracking.manage',
  'backoffice.invoices.read',
  'backoffice.invoices.write',
  'backoffice.invoices.finalize',
  'backoffice.invoices.delete',
  'backoffice.finance.read',
  'backoffice.finance.write',
  'backoffice.finance.delete',
  'backoffice.finance.reimburse',
  'backoffice.chat.read',
  'backoffice.chat.write',
  'backoffice.chat.moderate',
];

/** SPEC 2.4, the system roles. */
const SYSTEM_ROLES = {
  Admin: { zitadel_role_key: 'admin', permissions: ['*'] },
  CEO: { zitadel_role_key: 'ceo', permissions: ['*'] },
  Manager: {
    zitadel_role_key: 'manager',
    permissions: ['employees.read', 'documents.*', 'reminders.*', 'dashboards.*', 'backoffice.*', 'admin.audit.read'],
  },
  Employee: {
    zitadel_role_key: 'employee',
    permissions: [
      'employees.read',
      'documents.read',
      'documents.write',
      'reminders.*',
      'dashboards.*',
      'backoffice.projects.read',
      'backoffice.crm.read',
      'backoffice.time_tracking.write',
      'backoffice.chat.read',
      'backoffice.chat.write',
    ],
  },
};

async function createRole(fields: Record<string, unknown> = {}, token?: string) {
  const res = await t.request('POST', '/api/roles', { token, body: { name: `Role ${tag()}`, ...fields } });
  if (res.statusCode !== 201) throw new Error(`role create failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

async function systemRole(name: keyof typeof SYSTEM_ROLES) {
  const res = await t.request('GET', '/api/roles?is_system=true');
  const role = (res.json().items as Array<{ id: string; name: string }>).find((r) => r.name === name);
  if (!role) throw new Error(`no system role ${name}`);
  return role;
}

describe('authentication and permissions', () => {
  it('answers 401 without a token', async () => {
    for (const url of ['/api/roles', `/api/roles/${randomUUID()}`, '/api/permissions']) {
      expectProblem(await t.request('GET', url, { token: null }), 401);
    }
    expectProblem(await t.request('POST', '/api/roles', { token: null, body: { name: 'x' } }), 401);
  });

  it('needs admin.roles.read to read and admin.roles.write to change', async () => {
    const employeesOnly = await t.userWith(['employees.read', 'employees.write']);
    const reader = await t.userWith(['admin.roles.read']);
    const role = await createRole();
    const list = await t.request('GET', '/api/roles', { token: employeesOnly.token });
    expect(expectProblem(list, 403).detail).toContain('admin.roles.read');
    expect((await t.request('GET', `/api/roles/${role.id}`, { token: reader.token })).statusCode).toBe(200);
    const create = await t.request('POST', '/api/roles', { token: reader.token, body: { name: `x ${tag()}` } });
    expect(expectProblem(create, 403).detail).toContain('admin.roles.write');
    expectProblem(
      await t.request('PATCH', `/api/roles/${role.id}`, { token: reader.token, body: { priority: 1 } }),
      403,
    );
    expectProblem(await t.request('DELETE', `/api/roles/${role.id}`, { token: reader.token }), 403);
    expect((await t.request('GET', `/api/roles/${role.id}`)).json().priority).toBe(role.priority);
  });
});

describe('GET /api/permissions', () => {
  it('returns the catalog with key and description to holders of admin.roles.read', async () => {
    const reader = await t.userWith(['admin.roles.read']);
    const res = await t.request('GET', '/api/permissions', { token: reader.token });
    expect(res.statusCode).toBe(200);
    const catalog = res.json() as Array<{ key: string; description: string }>;
    expect(catalog.map((p) => p.key).sort()).toEqual([...CATALOG_KEYS].sort());
    for (const entry of catalog) {
      expect(Object.keys(entry).sort()).toEqual(['description', 'key']);
      expect(entry.description.length).toBeGreaterThan(0);
    }
  });

  it('answers 403 without admin.roles.read', async () => {
    const writer = await t.userWith(['admin.roles.write', 'employees.read']);
    const res = await t.request('GET', '/api/permissions', { token: writer.token });
    expect(expectProblem(res, 403).detail).toContain('admin.roles.read');
  });
});

describe('system roles', () => {
  it('exist with their keys, permissions and is_system', async () => {
    const res = await t.request('GET', '/api/roles?is_system=true&sort=name');
    expect(res.statusCode).toBe(200);
    const items = res.json().items as Array<{
      name: keyof typeof SYSTEM_ROLES;
      zitadel_role_key: string;
      permissions: string[];
      is_system: boolean;
    }>;
    expect(items.map((r) => r.name).sort()).toEqual(['Admin', 'CEO', 'Employee', 'Manager']);
    for (const role of items) {
      const expected = SYSTEM_ROLES[role.name];
      expect(role.is_system).toBe(true);
      expect(role.zitadel_role_key).toBe(expected.zitadel_role_key);
      expect([...role.permissions].sort()).toEqual([...expected.permissions].sort());
    }
    const admin = items.find((r) => r.name === 'Admin');
    expect(admin).toMatchObject({ employee_count: 1 });
    const others = await t.request('GET', '/api/roles?is_system=false&limit=500');
    expect(others.json().items.every((r: { is_system: boolean }) => !r.is_system)).toBe(true);
  });

  it('cannot be renamed (422) but may change otherwise', async () => {
    const manager = await systemRole('Manager');
    for (const method of ['PUT', 'PATCH'] as const) {
      expect422(await t.request(method, `/api/roles/${manager.id}`, { body: { name: 'Boss' } }), 'name');
    }
    const same = await t.request('PATCH', `/api/roles/${manager.id}`, {
      body: { name: 'Manager', description: 'Leads a team' },
    });
    expect(same.statusCode).toBe(200);
    expect(same.json()).toMatchObject({ name: 'Manager', description: 'Leads a team', is_system: true });
  });

  it('cannot be deleted (409)', async () => {
    for (const name of ['Admin', 'CEO', 'Manager', 'Employee'] as const) {
      const role = await systemRole(name);
      expectProblem(await t.request('DELETE', `/api/roles/${role.id}`), 409);
      expect((await t.request('GET', `/api/roles/${role.id}`)).statusCode).toBe(200);
    }
  });
});

describe('POST /api/roles', () => {
  it('creates with 201, Location, ETag and the full shape', async () => {
    const name = `Sales ${tag()}`;
    const key = `sales-${tag()}`;
    const res = await t.request('POST', '/api/roles', {
      body: {
        name,
        description: 'Sells things',
        permissions: ['backoffice.crm', 'employees.read'],
        zitadel_role_key: key,
        priority: 20,
      },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(res.headers.location).toBe(`/api/roles/${body.id}`);
    expect(res.headers.etag).toMatch(/^"[^"]+"$/);
    expect(body).toMatchObject({
      name,
      description: 'Sells things',
      permissions: ['backoffice.crm', 'employees.read'],
      zitadel_role_key: key,
      priority: 20,
      is_system: false,
      employee_count: 0,
    });
    expect(Object.keys(body).sort()).toEqual(
      [
        'created_at',
        'description',
        'employee_count',
        'id',
        'is_system',
        'name',
        'permissions',
        'priority',
        'updated_at',
        'zitadel_role_key',
      ].sort(),
    );
    const get = await t.request('GET', `/api/roles/${body.id}`);
    expect(get.json()).toEqual(body);
  });

  it('defaults permissions to [] and priority to 0', async () => {
    const role = await createRole();
    expect(role).toMatchObject({ permissions: [], priority: 0, zitadel_role_key: null, description: null });
  });

  it('accepts "*", catalog keys, module prefixes and patterns; stores them sorted and once', async () => {
    for (const permissions of [['*'], ['backoffice.*'], ['backoffice'], ['employees.read', 'employees.personal']]) {
      const role = await createRole({ permissions });
      expect([...role.permissions].sort()).toEqual([...permissions].sort());
    }
    const role = await createRole({ permissions: ['reminders.*', 'backoffice', 'reminders.*'] });
    expect(role.permissions).toEqual(['backoffice', 'reminders.*']);
  });

  it.each([
    [['foo.bar'], 'permissions.0'],
    [['employees.read', 'backoffice.nothing.*'], 'permissions.1'],
    [['employees.read', 'documents.read', 'foo'], 'permissions.2'],
    [['Employees.Read'], 'permissions.0'],
    [['employees.*.read'], 'permissions.0'],
    [['**'], 'permissions.0'],
    [['employees.read.'], 'permissions.0'],
  ])('rejects the permissions %j with 422 naming %s', async (permissions, field) => {
    const name = `Bad ${tag()}`;
    const res = await t.request('POST', '/api/roles', { body: { name, permissions } });
    const fields = problemFields(res, 422);
    expect(fields).toContain(field);
    expect(fields.every((f) => f.startsWith('permissions.'))).toBe(true);
    expect((await t.request('GET', `/api/roles?search=${encodeURIComponent(name)}`)).json().total).toBe(0);
  });

  it('names every bad permission', async () => {
    const res = await t.request('POST', '/api/roles', {
      body: { name: `Bad ${tag()}`, permissions: ['foo.bar', 'employees.read', 'nope'] },
    });
    expect(problemFields(res, 422).sort()).toEqual(['permissions.0', 'permissions.2']);
  });

  it.each([
    ['a missing name', { name: undefined }, 'name'],
    ['an empty name', { name: '  ' }, 'name'],
    ['an unknown field', { colour: 'red' }, 'colour'],
    ['a read-only id', { id: randomUUID() }, 'id'],
    ['a read-only is_system', { is_system: true }, 'is_system'],
    ['a read-only employee_count', { employee_count: 0 }, 'employee_count'],
    ['a string priority', { priority: '5' }, 'priority'],
    ['a fractional priority', { priority: 1.5 }, 'priority'],
    ['a number for a string', { description: 7 }, 'description'],
    ['permissions as a string', { permissions: 'employees.read' }, 'permissions'],
    ['a number in permissions', { permissions: [5] }, 'permissions.0'],
    ['a malformed zitadel_role_key', { zitadel_role_key: 'has space' }, 'zitadel_role_key'],
  ])('rejects %s with 422 naming the field', async (_label, fields, field) => {
    const body: Record<string, unknown> = { name: `Bad ${tag()}`, ...fields };
    if (body.name === undefined) delete body.name;
    expect422(await t.request('POST', '/api/roles', { body }), field);
  });

  it('answers 409 for a duplicate name or zitadel_role_key', async () => {
    const role = await createRole({ zitadel_role_key: `key-${tag()}` });
    const dupName = await t.request('POST', '/api/roles', { body: { name: role.name } });
    expect(problemFields(dupName, 409)).toContain('name');
    const dupKey = await t.request('POST', '/api/roles', {
      body: { name: `Other ${tag()}`, zitadel_role_key: role.zitadel_role_key },
    });
    expect(problemFields(dupKey, 409)).toContain('zitadel_role_key');
    const systemKey = await t.request('POST', '/api/roles', {
      body: { name: `Other ${tag()}`, zitadel_role_key: 'admin' },
    });
    expect(problemFields(systemKey, 409)).toContain('zitadel_role_key');
    // Roles without a key do not collide.
    await createRole();
    await createRole();
  });

  it('answers 400 to malformed JSON', async () => {
    const res = await t.request('POST', '/api/roles', {
      body: '{"name": "x", ',
      headers: { 'content-type': 'application/json' },
    });
    expectProblem(res, 400);
  });

  it('writes exactly one create audit row', async () => {
    const role = await createRole({ permissions: ['employees.read'] });
    const rows = await auditRowsFor(t, 'role', role.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: 'create',
      resource_type: 'role',
      resource_id: role.id,
      actor_id: t.admin.id,
    });
    expect((rows[0]?.changes as Record<string, unknown> | undefined)?.permissions).toEqual({
      old: null,
      new: ['employees.read'],
    });
  });
});

describe('nobody grants more than they hold', () => {
  let roleAdmin: TestUser;

  beforeAll(async () => {
    roleAdmin = await t.userWith(['admin.roles.read', 'admin.roles.write', 'employees.read']);
  });

  it('lets a role administrator create roles within their own permissions', async () => {
    const role = await createRole({ permissions: ['employees.read', 'admin.roles.read'] }, roleAdmin.token);
    expect(role.permissions).toEqual(['admin.roles.read', 'employees.read']);
  });

  it.each([[['*']], [['employees.write']], [['employees']], [['employees.*']], [['employees.read', 'documents.read']]])(
    'answers 403 to a role with %j they do not hold',
    async (permissions) => {
      const name = `Escalate ${tag()}`;
      const res = await t.request('POST', '/api/roles', { token: roleAdmin.token, body: { name, permissions } });
      expectProblem(res, 403);
      expect((await t.request('GET', `/api/roles?search=${encodeURIComponent(name)}`)).json().total).toBe(0);
    },
  );

  it('answers 403 to widening a role or changing one that holds more', async () => {
    const own = await createRole({ permissions: ['employees.read'] }, roleAdmin.token);
    const widen = await t.request('PATCH', `/api/roles/${own.id}`, {
      token: roleAdmin.token,
      body: { permissions: ['employees.read', 'employees.write'] },
    });
    expectProblem(widen, 403);
    const ceo = await systemRole('CEO');
    const touch = await t.request('PATCH', `/api/roles/${ceo.id}`, {
      token: roleAdmin.token,
      body: { description: 'mine now' },
    });
    expectProblem(touch, 403);
    expect((await t.request('GET', `/api/roles/${own.id}`)).json().permissions).toEqual(['employees.read']);
    expect((await t.request('GET', `/api/roles/${ceo.id}`)).json().description).toBeNull();
  });
});

describe('GET /api/roles', () => {
  it('returns one role; 404 unknown, 422 malformed', async () => {
    const role = await createRole();
    const res = await t.request('GET', `/api/roles/${role.id}`);
    expect(res.json()).toEqual(role);
    expect(res.headers.etag).toBeTruthy();
    expectProblem(await t.request('GET', `/api/roles/${randomUUID()}`), 404);
    expect422(await t.request('GET', '/api/roles/x'), 'id');
  });

  it('lists with the envelope, newest first, search, sort and employee_count', async () => {
    const group = tag();
    const low = await createRole({ name: `Low ${group}`, priority: 1 });
    const high = await createRole({ name: `High ${group}`, priority: 9 });
    const mid = await createRole({ name: `Mid`, description: `about ${group}`, priority: 5 });
    await t.request('POST', '/api/employees', {
      body: { first_name: 'R', last_name: 'H', email: `${tag()}@example.com`, role_id: high.id },
    });
    const ids = async (query: string) =>
      (await t.request('GET', `/api/roles?search=${group}&${query}`)).json().items.map((r: { id: string }) => r.id);
    const res = await t.request('GET', `/api/roles?search=${group.toUpperCase()}`);
    expect(res.json()).toMatchObject({ total: 3, skip: 0, limit: 50 });
    expect(res.json().items.map((r: { id: string }) => r.id)).toEqual([mid.id, high.id, low.id]);
    expect(res.json().items[1].employee_count).toBe(1);
    expect(await ids('sort=priority')).toEqual([low.id, mid.id, high.id]);
    expect(await ids('sort=-priority')).toEqual([high.id, mid.id, low.id]);
    expect(await ids('sort=name')).toEqual([high.id, low.id, mid.id]);
    expect(await ids('sort=name&skip=1&limit=1')).toEqual([low.id]);
  });

  it.each([
    ['limit=501', 'limit'],
    ['sort=permissions', 'sort'],
    ['is_system=maybe', 'is_system'],
    ['colour=red', 'colour'],
  ])('rejects %s with 422', async (query, field) => {
    expect422(await t.request('GET', `/api/roles?${query}`), field);
  });
});

describe('PUT and PATCH /api/roles/{id}', () => {
  it.each(['PUT', 'PATCH'] as const)('%s changes only the fields sent', async (method) => {
    const role = await createRole({
      description: 'keep',
      permissions: ['employees.read'],
      zitadel_role_key: `k-${tag()}`,
      priority: 7,
    });
    const res = await t.request(method, `/api/roles/${role.id}`, { body: { name: `Renamed ${tag()}` } });
    expect(res.statusCode).toBe(200);
    const { updated_at: _a, name, ...rest } = res.json();
    const { updated_at: _b, name: _n, ...before } = role;
    expect(name).toMatch(/^Renamed /);
    expect(rest).toEqual(before);
  });

  it('writes one update audit row with the old and new permissions', async () => {
    const role = await createRole({ permissions: ['employees.read'] });
    const res = await t.request('PATCH', `/api/roles/${role.id}`, {
      body: { permissions: ['employees.read', 'documents.read'] },
    });
    expect(res.json().permissions).toEqual(['documents.read', 'employees.read']);
    const updates = (await auditRowsFor(t, 'role', role.id)).filter((r) => r.action === 'update');
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ resource_type: 'role', resource_id: role.id });
    expect(updates[0]?.changes).toEqual({
      permissions: { old: ['employees.read'], new: ['documents.read', 'employees.read'] },
    });
  });

  it.each([
    ['a read-only is_system', { is_system: true }, 'is_system'],
    ['a read-only employee_count', { employee_count: 2 }, 'employee_count'],
    ['a read-only id', { id: randomUUID() }, 'id'],
    ['a string priority', { priority: '5' }, 'priority'],
    ['an unknown permission', { permissions: ['employees.read', 'foo.bar'] }, 'permissions.1'],
    ['an empty name', { name: '' }, 'name'],
  ])('rejects %s with 422 and changes nothing', async (_label, body, field) => {
    const role = await createRole({ permissions: ['employees.read'] });
    for (const method of ['PUT', 'PATCH'] as const) {
      expect422(await t.request(method, `/api/roles/${role.id}`, { body }), field);
    }
    expect((await t.request('GET', `/api/roles/${role.id}`)).json()).toEqual(role);
  });

  it('answers 409 for a taken name or zitadel_role_key', async () => {
    const other = await createRole({ zitadel_role_key: `k-${tag()}` });
    const role = await createRole();
    expectProblem(await t.request('PATCH', `/api/roles/${role.id}`, { body: { name: other.name } }), 409);
    expectProblem(await t.request('PATCH', `/api/roles/${role.id}`, { body: { zitadel_role_key: 'ceo' } }), 409);
  });

  it('applies changed permissions to the next request of the role holders', async () => {
    const holder = await t.userWith(['employees.read']);
    const roleId = (await t.request('GET', `/api/employees/${holder.id}`)).json().role_id as string;
    expect((await t.request('GET', '/api/employees', { token: holder.token })).statusCode).toBe(200);
    await t.request('PATCH', `/api/roles/${roleId}`, { body: { permissions: ['documents.read'] } });
    expectProblem(await t.request('GET', '/api/employees', { token: holder.token }), 403);
    await t.request('PUT', `/api/roles/${roleId}`, { body: { permissions: ['employees.read'] } });
    expect((await t.request('GET', '/api/employees', { token: holder.token })).statusCode).toBe(200);
  });

  it('honours If-Match', async () => {
    const role = await createRole();
    const etag = (await t.request('GET', `/api/roles/${role.id}`)).headers.etag as string;
    const ok = await t.request('PATCH', `/api/roles/${role.id}`, {
      body: { priority: 1 },
      headers: { 'if-match': etag },
    });
    expect(ok.statusCode).toBe(200);
    const stale = await t.request('PATCH', `/api/roles/${role.id}`, {
      body: { priority: 2 },
      headers: { 'if-match': etag },
    });
    expectProblem(stale, 412);
    expect((await t.request('GET', `/api/roles/${role.id}`)).json().priority).toBe(1);
  });

  it('answers 404 for an unknown id and 422 for a malformed one', async () => {
    for (const method of ['PUT', 'PATCH'] as const) {
      expectProblem(await t.request(method, `/api/roles/${randomUUID()}`, { body: { priority: 1 } }), 404);
      expect422(await t.request(method, '/api/roles/nope', { body: { priority: 1 } }), 'id');
    }
  });
});

describe('DELETE /api/roles/{id}', () => {
  it('answers 409 while an employee holds the role, 204 once unused, then 404', async () => {
    const role = await createRole({ permissions: ['employees.read'] });
    const created = await t.request('POST', '/api/employees', {
      body: { first_name: 'Role', last_name: 'Holder', email: `${tag()}@example.com`, role_id: role.id },
    });
    const holder = created.json();
    expect((await t.request('GET', `/api/roles/${role.id}`)).json().employee_count).toBe(1);
    expectProblem(await t.request('DELETE', `/api/roles/${role.id}`), 409);

    const employeeRole = await systemRole('Employee');
    await t.request('PATCH', `/api/employees/${holder.id}`, { body: { role_id: employeeRole.id } });
    const res = await t.request('DELETE', `/api/roles/${role.id}`);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expectProblem(await t.request('GET', `/api/roles/${role.id}`), 404);
    expectProblem(await t.request('DELETE', `/api/roles/${role.id}`), 404);

    const deletes = (await auditRowsFor(t, 'role', role.id)).filter((r) => r.action === 'delete');
    expect(deletes).toHaveLength(1);
    expect(deletes[0]).toMatchObject({ resource_type: 'role', resource_name: role.name });
  });

  it('deletes an unused role with 204', async () => {
    const role = await createRole();
    expect((await t.request('DELETE', `/api/roles/${role.id}`)).statusCode).toBe(204);
    expectProblem(await t.request('GET', `/api/roles/${role.id}`), 404);
  });

  it('answers 404 for an unknown id and 422 for a malformed one', async () => {
    expectProblem(await t.request('DELETE', `/api/roles/${randomUUID()}`), 404);
    expect422(await t.request('DELETE', '/api/roles/nope'), 'id');
  });
});
