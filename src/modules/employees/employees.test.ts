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

/** A short unique tag for names, e-mails and codes. */
const tag = () => `t${randomUUID().replace(/-/g, '').slice(0, 10)}`;

const emailFor = (label = 'emp') => `${label}-${tag()}@example.com`;

/** Creates an employee as admin (unless another token is given) and returns the response body. */
async function createEmployee(fields: Record<string, unknown> = {}, token?: string) {
  const res = await t.request('POST', '/api/employees', {
    token,
    body: { first_name: 'Erika', last_name: `Muster ${tag()}`, email: emailFor(), ...fields },
  });
  if (res.statusCode !== 201) throw new Error(`create failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

async function createDepartment(fields: Record<string, unknown> = {}) {
  const res = await t.request('POST', '/api/departments', { body: { name: `Dept ${tag()}`, ...fields } });
  if (res.statusCode !== 201) throw new Error(`department create failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

async function createRole(fields: Record<string, unknown> = {}) {
  const res = await t.request('POST', '/api/roles', { body: { name: `Role ${tag()}`, ...fields } });
  if (res.statusCode !== 201) throw new Error(`role create failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

async function roleByName(name: string) {
  const res = await t.request('GET', `/api/roles?search=${encodeURIComponent(name)}&is_system=true`);
  const role = (res.json().items as Array<{ id: string; name: string }>).find((r) => r.name === name);
  if (!role) throw new Error(`no role ${name}`);
  return role;
}

const PERSONAL = {
  gender: 'female',
  birth_date: '1990-04-01',
  nationality: 'German',
  address_street: 'Hauptstr. 1',
  address_zip: '10115',
  address_city: 'Berlin',
  address_country: 'DE',
  phone: '+49 30 1234567',
  hire_date: '2020-01-01',
  termination_date: '2030-12-31',
};

describe('authentication and permissions', () => {
  it('answers 401 without a token on the collection, a record, /me and /code', async () => {
    for (const url of [
      '/api/employees',
      `/api/employees/${randomUUID()}`,
      '/api/employees/me',
      '/api/employees/code/KIT-0001',
    ]) {
      const res = await t.request('GET', url, { token: null });
      expectProblem(res, 401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
    }
    expectProblem(await t.request('POST', '/api/employees', { token: null, body: {} }), 401);
  });

  it('answers 403 to a user without employees.read, and to a reader who writes', async () => {
    const nobody = await t.userWith([]);
    const reader = await t.userWith(['employees.read']);
    const target = await createEmployee();
    expectProblem(await t.request('GET', '/api/employees', { token: nobody.token }), 403);
    expectProblem(await t.request('GET', `/api/employees/${target.id}`, { token: nobody.token }), 403);
    expectProblem(await t.request('GET', `/api/employees/code/${target.employee_code}`, { token: nobody.token }), 403);
    expect((await t.request('GET', `/api/employees/${target.id}`, { token: reader.token })).statusCode).toBe(200);
    const post = await t.request('POST', '/api/employees', {
      token: reader.token,
      body: { first_name: 'A', last_name: 'B', email: emailFor() },
    });
    expect(expectProblem(post, 403).detail).toContain('employees.write');
    const patch = await t.request('PATCH', `/api/employees/${target.id}`, { token: reader.token, body: { bio: 'x' } });
    expectProblem(patch, 403);
    const del = await t.request('DELETE', `/api/employees/${target.id}`, { token: reader.token });
    expect(expectProblem(del, 403).detail).toContain('employees.delete');
    expect((await t.request('GET', `/api/employees/${target.id}`)).json().status).toBe('active');
  });
});

describe('POST /api/employees', () => {
  it('creates with 201, Location, ETag, defaults and the embedded role and department', async () => {
    const department = await createDepartment({ code: tag() });
    const email = emailFor('new');
    const res = await t.request('POST', '/api/employees', {
      body: { first_name: 'Max', last_name: 'Mustermann', email, department_id: department.id },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(res.headers.location).toBe(`/api/employees/${body.id}`);
    expect(res.headers.etag).toMatch(/^"[^"]+"$/);
    const employee = await roleByName('Employee');
    expect(body).toMatchObject({
      first_name: 'Max',
      last_name: 'Mustermann',
      email,
      department_id: department.id,
      department: { id: department.id, name: department.name, code: department.code },
      role_id: employee.id,
      role: { id: employee.id, name: 'Employee' },
      employment_type: 'fulltime',
      status: 'active',
      timezone: 'Europe/Berlin',
      language: 'de',
      theme: 'catppuccin-frappe',
      notifications_enabled: true,
      reports_to: null,
      last_login: null,
    });
    expect(body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(body.employee_code).toMatch(/^KIT-\d{4,}$/);
    expect(body).not.toHaveProperty('password_hash');
    expect(body).not.toHaveProperty('version');
    expect(Object.keys(body.role).sort()).toEqual(['id', 'name']);
    expect(Object.keys(body.department).sort()).toEqual(['code', 'id', 'name']);

    const get = await t.request('GET', res.headers.location as string);
    expect(get.statusCode).toBe(200);
    expect(get.json()).toEqual(body);
    expect(get.headers.etag).toBe(res.headers.etag);
  });

  it('stores the e-mail trimmed and lower-cased and rejects duplicates, also differing only in case', async () => {
    const local = tag();
    const res = await t.request('POST', '/api/employees', {
      body: { first_name: '  Anna  ', last_name: 'Schmidt', email: `  ${local.toUpperCase()}.Mixed@Example.COM ` },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().email).toBe(`${local}.mixed@example.com`);
    expect(res.json().first_name).toBe('Anna');

    for (const email of [`${local}.mixed@example.com`, `${local.toUpperCase()}.MIXED@EXAMPLE.COM`]) {
      const dup = await t.request('POST', '/api/employees', { body: { first_name: 'B', last_name: 'C', email } });
      expect(problemFields(dup, 409)).toContain('email');
    }
    const list = await t.request('GET', `/api/employees?search=${local}`);
    expect(list.json().total).toBe(1);
  });

  it('rejects a duplicate employee_code with 409', async () => {
    const code = `X-${tag()}`;
    const first = await createEmployee({ employee_code: code });
    expect(first.employee_code).toBe(code);
    const dup = await t.request('POST', '/api/employees', {
      body: { first_name: 'B', last_name: 'C', email: emailFor(), employee_code: code },
    });
    expect(problemFields(dup, 409)).toContain('employee_code');
  });

  it('assigns KIT-000N from the sequence and skips a code that was given by hand', async () => {
    const a = await createEmployee();
    const n = Number(/^KIT-(\d+)$/.exec(a.employee_code)?.[1]);
    expect(n).toBeGreaterThan(1);
    expect(a.employee_code).toBe(`KIT-${String(n).padStart(4, '0')}`);
    const handGiven = `KIT-${String(n + 1).padStart(4, '0')}`;
    const b = await createEmployee({ employee_code: handGiven });
    expect(b.employee_code).toBe(handGiven);
    const c = await createEmployee();
    expect(c.employee_code).toBe(`KIT-${String(n + 2).padStart(4, '0')}`);
    // The admin created at first start is KIT-0001.
    const admin = await t.request('GET', '/api/employees/code/KIT-0001');
    expect(admin.json().id).toBe(t.admin.id);
  });

  it('requires first_name, last_name and email', async () => {
    const fields = problemFields(await t.request('POST', '/api/employees', { body: {} }), 422);
    expect(fields).toEqual(expect.arrayContaining(['first_name', 'last_name', 'email']));
    const blank = await t.request('POST', '/api/employees', {
      body: { first_name: '   ', last_name: 'X', email: emailFor() },
    });
    expect422(blank, 'first_name');
  });

  it.each([
    ['an unknown field', { nickname: 'x' }, 'nickname'],
    ['a read-only id', { id: randomUUID() }, 'id'],
    ['a read-only last_login', { last_login: '2024-01-01T00:00:00Z' }, 'last_login'],
    ['a read-only created_at', { created_at: '2024-01-01T00:00:00Z' }, 'created_at'],
    ['a password hash', { password_hash: 'x' }, 'password_hash'],
    ['a number for a string', { last_name: 5 }, 'last_name'],
    ['a string for a boolean', { notifications_enabled: 'true' }, 'notifications_enabled'],
    ['a bad enum value', { status: 'fired' }, 'status'],
    ['a bad employment_type', { employment_type: 'slave' }, 'employment_type'],
    ['a bad gender', { gender: 'robot' }, 'gender'],
    ['a bad language', { language: 'fr' }, 'language'],
    ['a malformed uuid', { department_id: 'nope' }, 'department_id'],
    ['a malformed role uuid', { role_id: '123' }, 'role_id'],
    ['a malformed e-mail', { email: 'not-an-email' }, 'email'],
    ['a malformed date', { birth_date: '01.04.1990' }, 'birth_date'],
    ['an impossible date', { hire_date: '2024-02-30' }, 'hire_date'],
    ['a non-ISO country', { address_country: 'Germany' }, 'address_country'],
    ['a malformed employee_code', { employee_code: 'KIT 1' }, 'employee_code'],
  ])('rejects %s with 422 naming the field', async (_label, fields, field) => {
    const email = emailFor();
    const res = await t.request('POST', '/api/employees', {
      body: { first_name: 'Bad', last_name: 'Input', email, ...fields },
    });
    expect422(res, field);
    const list = await t.request('GET', `/api/employees?search=${encodeURIComponent(email)}`);
    expect(list.json().total).toBe(0);
  });

  it('rejects unknown ids in the body with 422 naming the field', async () => {
    for (const field of ['department_id', 'role_id', 'reports_to']) {
      const res = await t.request('POST', '/api/employees', {
        body: { first_name: 'Ref', last_name: 'Unknown', email: emailFor(), [field]: randomUUID() },
      });
      expect422(res, field);
    }
  });

  it('rejects a termination_date before the hire_date and a time zone that is not IANA', async () => {
    const early = await t.request('POST', '/api/employees', {
      body: {
        first_name: 'A',
        last_name: 'B',
        email: emailFor(),
        hire_date: '2024-05-02',
        termination_date: '2024-05-01',
      },
    });
    expect422(early, 'termination_date');
    const sameDay = await createEmployee({ hire_date: '2024-05-02', termination_date: '2024-05-02' });
    expect(sameDay.termination_date).toBe('2024-05-02');
    for (const timezone of ['Mars/Olympus_Mons', 'CEST+2', 'berlin']) {
      const res = await t.request('POST', '/api/employees', {
        body: { first_name: 'A', last_name: 'B', email: emailFor(), timezone },
      });
      expect422(res, 'timezone');
    }
    const tokyo = await createEmployee({ timezone: 'Asia/Tokyo' });
    expect(tokyo.timezone).toBe('Asia/Tokyo');
  });

  it('answers 400 problem+json to malformed JSON', async () => {
    const res = await t.request('POST', '/api/employees', {
      body: '{"first_name": "A", "last_name": ',
      headers: { 'content-type': 'application/json' },
    });
    expectProblem(res, 400);
    expect(res.body).not.toMatch(/at .*\.ts:\d+/);
  });

  it('writes exactly one create audit row without secrets', async () => {
    const created = await createEmployee({ bio: 'audited' });
    const rows = await auditRowsFor(t, 'employee', created.id);
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row).toMatchObject({
      action: 'create',
      resource_type: 'employee',
      resource_id: created.id,
      actor_id: t.admin.id,
      resource_name: `${created.first_name} ${created.last_name}`,
    });
    const changes = row?.changes as Record<string, { old: unknown; new: unknown }>;
    expect(changes.email).toEqual({ old: null, new: created.email });
    expect(changes.bio).toEqual({ old: null, new: 'audited' });
    expect(changes.employee_code).toEqual({ old: null, new: created.employee_code });
    expect(JSON.stringify(rows)).not.toMatch(/password|argon2/i);
  });

  it('honours Idempotency-Key: a replay returns the same response and creates nothing', async () => {
    const key = randomUUID();
    const email = emailFor('idem');
    const body = { first_name: 'Idem', last_name: 'Potent', email };
    const first = await t.request('POST', '/api/employees', { body, headers: { 'idempotency-key': key } });
    expect(first.statusCode).toBe(201);
    const replay = await t.request('POST', '/api/employees', { body, headers: { 'idempotency-key': key } });
    expect(replay.statusCode).toBe(201);
    expect(replay.json()).toEqual(first.json());
    expect(replay.headers.location).toBe(first.headers.location);
    const list = await t.request('GET', `/api/employees?search=${encodeURIComponent(email)}`);
    expect(list.json().total).toBe(1);
    expect(await auditRowsFor(t, 'employee', first.json().id)).toHaveLength(1);

    const other = await t.request('POST', '/api/employees', {
      body: { ...body, email: emailFor('idem2') },
      headers: { 'idempotency-key': key },
    });
    expectProblem(other, 422);
    // Another key is another request: the same body is now a duplicate e-mail.
    const fresh = await t.request('POST', '/api/employees', { body, headers: { 'idempotency-key': randomUUID() } });
    expectProblem(fresh, 409);
  });

  it('gives 20 parallel creations 20 distinct, consecutive codes', async () => {
    const group = tag();
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.request('POST', '/api/employees', {
          body: { first_name: 'Par', last_name: `${group} ${i}`, email: `${group}-${i}@example.com` },
        }),
      ),
    );
    for (const res of responses) expect(res.statusCode, res.body).toBe(201);
    const codes = responses.map((r) => r.json().employee_code as string);
    expect(new Set(codes).size).toBe(20);
    const numbers = codes.map((c) => Number(/^KIT-(\d+)$/.exec(c)?.[1])).sort((a, b) => a - b);
    for (let i = 1; i < numbers.length; i++) expect(numbers[i]).toBe((numbers[0] ?? 0) + i);
    const list = await t.request('GET', `/api/employees?search=${group}&limit=100`);
    expect(list.json().total).toBe(20);
  });
});

describe('GET /api/employees/{id}, /code/{code}, /me', () => {
  it('returns one employee with an ETag; 404 for an unknown id, 422 for a malformed one', async () => {
    const created = await createEmployee();
    const res = await t.request('GET', `/api/employees/${created.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(created);
    expect(res.headers.etag).toBeTruthy();
    expectProblem(await t.request('GET', `/api/employees/${randomUUID()}`), 404);
    expect422(await t.request('GET', '/api/employees/not-a-uuid'), 'id');
  });

  it('finds an employee by code, 404 for an unknown code', async () => {
    const created = await createEmployee({ employee_code: `C-${tag()}` });
    const res = await t.request('GET', `/api/employees/code/${created.employee_code}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().id).toBe(created.id);
    expect(res.headers.etag).toBeTruthy();
    expectProblem(await t.request('GET', '/api/employees/code/NOPE-404'), 404);
  });

  it('returns the caller at /me, personal fields included, to a user without permissions', async () => {
    const me = await t.userWith([], PERSONAL);
    const res = await t.request('GET', '/api/employees/me', { token: me.token });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: me.id, email: me.email, ...PERSONAL });
    expect(res.headers.etag).toBeTruthy();
  });

  it('returns personal fields only to the employee themself and to holders of employees.personal', async () => {
    const subject = await t.userWith(['employees.read'], { ...PERSONAL, bio: 'public bio' });
    const reader = await t.userWith(['employees.read']);
    const hr = await t.userWith(['employees.read', 'employees.personal']);
    const nulls = Object.fromEntries(
      Object.keys(PERSONAL)
        .filter((k) => k !== 'hire_date')
        .map((k) => [k, null]),
    );

    const asReader = (await t.request('GET', `/api/employees/${subject.id}`, { token: reader.token })).json();
    expect(asReader).toMatchObject({ ...nulls, bio: 'public bio', hire_date: '2020-01-01', email: subject.email });
    const byCode = await t.request('GET', `/api/employees/code/${asReader.employee_code}`, { token: reader.token });
    expect(byCode.json()).toMatchObject(nulls);
    const listed = await t.request('GET', `/api/employees?search=${encodeURIComponent(subject.email)}`, {
      token: reader.token,
    });
    expect(listed.json().items).toHaveLength(1);
    expect(listed.json().items[0]).toMatchObject(nulls);

    for (const viewer of [subject, hr, t.admin]) {
      const res = await t.request('GET', `/api/employees/${subject.id}`, { token: viewer.token });
      expect(res.json()).toMatchObject(PERSONAL);
    }
    const listedHr = await t.request('GET', `/api/employees?search=${encodeURIComponent(subject.email)}`, {
      token: hr.token,
    });
    expect(listedHr.json().items[0]).toMatchObject(PERSONAL);
  });
});

describe('GET /api/employees (list)', () => {
  it('returns the envelope with defaults, newest first', async () => {
    const group = tag();
    const a = await createEmployee({ last_name: `${group} A` });
    const b = await createEmployee({ last_name: `${group} B` });
    const c = await createEmployee({ last_name: `${group} C` });
    const res = await t.request('GET', `/api/employees?search=${group}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['items', 'limit', 'skip', 'total']);
    expect(body).toMatchObject({ total: 3, skip: 0, limit: 50 });
    expect(body.items.map((e: { id: string }) => e.id)).toEqual([c.id, b.id, a.id]);
    expect(body.items[0]).toEqual(c);
  });

  it('searches name, e-mail and code case-insensitively', async () => {
    const group = tag();
    const byName = await createEmployee({ last_name: `Name${group}` });
    const byEmail = await createEmployee({ email: `mail${group}@example.com` });
    const byCode = await createEmployee({ employee_code: `CODE-${group}` });
    const byFirst = await createEmployee({ first_name: `First${group}` });
    await createEmployee();
    const res = await t.request('GET', `/api/employees?search=${group.toUpperCase()}`);
    const ids = res.json().items.map((e: { id: string }) => e.id);
    expect(new Set(ids)).toEqual(new Set([byName.id, byEmail.id, byCode.id, byFirst.id]));
    // The full name matches across first and last name.
    const full = await t.request('GET', `/api/employees?search=${encodeURIComponent(`Erika Name${group}`)}`);
    expect(full.json().items.map((e: { id: string }) => e.id)).toEqual([byName.id]);
    // LIKE wildcards are literal.
    expect((await t.request('GET', `/api/employees?search=${group}%25`)).json().total).toBe(0);
  });

  it('filters by status, department, role, employment type and hire date range', async () => {
    const group = tag();
    const dept = await createDepartment();
    const role = await createRole({ permissions: ['employees.read'] });
    const e1 = await createEmployee({ last_name: `${group} 1`, hire_date: '2020-01-01', status: 'on_leave' });
    const e2 = await createEmployee({
      last_name: `${group} 2`,
      hire_date: '2021-06-15',
      department_id: dept.id,
      employment_type: 'parttime',
    });
    const e3 = await createEmployee({ last_name: `${group} 3`, hire_date: '2022-12-31', role_id: role.id });
    const e4 = await createEmployee({ last_name: `${group} 4`, employment_type: 'intern', department_id: dept.id });
    const ids = async (query: string) =>
      new Set(
        (await t.request('GET', `/api/employees?search=${group}&${query}`))
          .json()
          .items.map((e: { id: string }) => e.id),
      );
    expect(await ids('status=on_leave')).toEqual(new Set([e1.id]));
    expect(await ids('status=active')).toEqual(new Set([e2.id, e3.id, e4.id]));
    expect(await ids(`department_id=${dept.id}`)).toEqual(new Set([e2.id, e4.id]));
    expect(await ids(`role_id=${role.id}`)).toEqual(new Set([e3.id]));
    expect(await ids('employment_type=parttime')).toEqual(new Set([e2.id]));
    expect(await ids('employment_type=intern')).toEqual(new Set([e4.id]));
    expect(await ids('hire_date_from=2021-06-15')).toEqual(new Set([e2.id, e3.id]));
    expect(await ids('hire_date_to=2021-06-15')).toEqual(new Set([e1.id, e2.id]));
    expect(await ids('hire_date_from=2020-01-02&hire_date_to=2022-12-30')).toEqual(new Set([e2.id]));
    expect(await ids(`department_id=${dept.id}&employment_type=intern`)).toEqual(new Set([e4.id]));
    // The total counts with the same filter.
    const res = await t.request('GET', `/api/employees?search=${group}&department_id=${dept.id}`);
    expect(res.json().total).toBe(2);
  });

  it('sorts by the given fields and pages with skip and limit', async () => {
    const group = tag();
    const m = await createEmployee({ last_name: `M${group}`, employee_code: `${group}-B` });
    const z = await createEmployee({ last_name: `Z${group}`, employee_code: `${group}-A` });
    const a = await createEmployee({ last_name: `A${group}`, employee_code: `${group}-C` });
    const order = async (query: string) =>
      (await t.request('GET', `/api/employees?search=${group}&${query}`)).json().items.map((e: { id: string }) => e.id);
    expect(await order('sort=last_name')).toEqual([a.id, m.id, z.id]);
    expect(await order('sort=-last_name')).toEqual([z.id, m.id, a.id]);
    expect(await order('sort=-employee_code')).toEqual([a.id, m.id, z.id]);
    expect(await order('sort=employee_code')).toEqual([z.id, m.id, a.id]);
    expect(await order('sort=status,last_name')).toEqual([a.id, m.id, z.id]);

    const page = await t.request('GET', `/api/employees?search=${group}&sort=last_name&skip=1&limit=1`);
    expect(page.json()).toMatchObject({ total: 3, skip: 1, limit: 1 });
    expect(page.json().items.map((e: { id: string }) => e.id)).toEqual([m.id]);
    const past = await t.request('GET', `/api/employees?search=${group}&skip=10`);
    expect(past.json()).toMatchObject({ total: 3, skip: 10, items: [] });
  });

  it.each([
    ['limit=501', 'limit'],
    ['limit=0', 'limit'],
    ['skip=-1', 'skip'],
    ['sort=password_hash', 'sort'],
    ['sort=nonsense', 'sort'],
    ['sort=last_name;drop', 'sort'],
    ['status=fired', 'status'],
    ['employment_type=slave', 'employment_type'],
    ['department_id=nope', 'department_id'],
    ['hire_date_from=yesterday', 'hire_date_from'],
    ['colour=blue', 'colour'],
  ])('rejects %s with 422 naming the parameter', async (query, field) => {
    expect422(await t.request('GET', `/api/employees?${query}`), field);
  });

  it('accepts limit=500', async () => {
    const res = await t.request('GET', '/api/employees?limit=500');
    expect(res.statusCode).toBe(200);
    expect(res.json().limit).toBe(500);
  });
});

describe('PUT and PATCH /api/employees/{id}', () => {
  it.each(['PUT', 'PATCH'] as const)('%s changes only the fields sent and re-applies no default', async (method) => {
    const created = await createEmployee({
      bio: 'keep me',
      language: 'en',
      status: 'on_leave',
      employment_type: 'parttime',
      notifications_enabled: false,
      theme: 'latte',
      timezone: 'America/New_York',
      hire_date: '2023-03-01',
      phone: '+49 1',
    });
    const etagBefore = (await t.request('GET', `/api/employees/${created.id}`)).headers.etag;
    const res = await t.request(method, `/api/employees/${created.id}`, { body: { first_name: 'Changed' } });
    expect(res.statusCode).toBe(200);
    const { updated_at: _u, first_name, ...rest } = res.json();
    const { updated_at: _c, first_name: _f, ...before } = created;
    expect(first_name).toBe('Changed');
    expect(rest).toEqual(before);
    expect(res.headers.etag).toBeTruthy();
    expect(res.headers.etag).not.toBe(etagBefore);

    const cleared = await t.request(method, `/api/employees/${created.id}`, { body: { bio: null, phone: null } });
    expect(cleared.json()).toMatchObject({ bio: null, phone: null, first_name: 'Changed', language: 'en' });
  });

  it('lower-cases a changed e-mail and answers 409 for one taken, also in another case', async () => {
    const taken = await createEmployee();
    const target = await createEmployee();
    const local = tag();
    const res = await t.request('PATCH', `/api/employees/${target.id}`, {
      body: { email: `${local.toUpperCase()}@Example.com` },
    });
    expect(res.json().email).toBe(`${local}@example.com`);
    const dup = await t.request('PATCH', `/api/employees/${target.id}`, { body: { email: taken.email.toUpperCase() } });
    expect(problemFields(dup, 409)).toContain('email');
    expect((await t.request('GET', `/api/employees/${target.id}`)).json().email).toBe(`${local}@example.com`);
  });

  it.each([
    ['a read-only id', { id: randomUUID() }, 'id'],
    ['the employee_code', { employee_code: 'KIT-9999' }, 'employee_code'],
    ['a read-only last_login', { last_login: '2024-01-01T00:00:00Z' }, 'last_login'],
    ['a read-only updated_at', { updated_at: '2024-01-01T00:00:00Z' }, 'updated_at'],
    ['an embedded object', { department: { id: randomUUID() } }, 'department'],
    ['an unknown field', { salary: 100000 }, 'salary'],
    ['a number for a string', { first_name: 5 }, 'first_name'],
    ['an empty required string', { last_name: '' }, 'last_name'],
    ['null for a required field', { email: null }, 'email'],
    ['a bad enum', { status: 'fired' }, 'status'],
    ['a malformed uuid', { department_id: 'nope' }, 'department_id'],
    ['an unknown department', { department_id: randomUUID() }, 'department_id'],
    ['an unknown role', { role_id: randomUUID() }, 'role_id'],
    ['an unknown manager', { reports_to: randomUUID() }, 'reports_to'],
    ['a time zone that is not IANA', { timezone: 'Europe/Nowhere' }, 'timezone'],
  ])('rejects %s with 422 and changes nothing', async (_label, body, field) => {
    const created = await createEmployee();
    for (const method of ['PUT', 'PATCH'] as const) {
      expect422(await t.request(method, `/api/employees/${created.id}`, { body }), field);
    }
    expect((await t.request('GET', `/api/employees/${created.id}`)).json()).toEqual(created);
  });

  it('checks termination_date against the stored hire_date', async () => {
    const created = await createEmployee({ hire_date: '2024-06-01' });
    expect422(
      await t.request('PATCH', `/api/employees/${created.id}`, { body: { termination_date: '2024-05-31' } }),
      'termination_date',
    );
    const ok = await t.request('PATCH', `/api/employees/${created.id}`, { body: { termination_date: '2024-06-01' } });
    expect(ok.statusCode).toBe(200);
    expect422(
      await t.request('PATCH', `/api/employees/${created.id}`, { body: { hire_date: '2024-06-02' } }),
      'termination_date',
    );
  });

  it('answers 404 for an unknown id and 422 for a malformed one', async () => {
    for (const method of ['PUT', 'PATCH'] as const) {
      expectProblem(await t.request(method, `/api/employees/${randomUUID()}`, { body: { bio: 'x' } }), 404);
      expect422(await t.request(method, '/api/employees/123', { body: { bio: 'x' } }), 'id');
    }
  });

  it('refuses reports_to pointing at the employee themself or closing a cycle', async () => {
    const a = await createEmployee();
    const b = await createEmployee();
    const c = await createEmployee();
    expect422(await t.request('PATCH', `/api/employees/${a.id}`, { body: { reports_to: a.id } }), 'reports_to');
    expect((await t.request('PATCH', `/api/employees/${a.id}`, { body: { reports_to: b.id } })).statusCode).toBe(200);
    expect422(await t.request('PATCH', `/api/employees/${b.id}`, { body: { reports_to: a.id } }), 'reports_to');
    expect((await t.request('PUT', `/api/employees/${b.id}`, { body: { reports_to: c.id } })).statusCode).toBe(200);
    // a → b → c; c → a would close the circle.
    expect422(await t.request('PUT', `/api/employees/${c.id}`, { body: { reports_to: a.id } }), 'reports_to');
    expect((await t.request('GET', `/api/employees/${c.id}`)).json().reports_to).toBeNull();
    // Listing by manager works on the stored line.
    const reports = await t.request('GET', `/api/employees?reports_to=${b.id}`);
    expect(reports.json().items.map((e: { id: string }) => e.id)).toEqual([a.id]);
  });

  it('honours If-Match: the current ETag works, a stale one is 412', async () => {
    const created = await createEmployee();
    const get = await t.request('GET', `/api/employees/${created.id}`);
    const etag = get.headers.etag as string;
    const ok = await t.request('PATCH', `/api/employees/${created.id}`, {
      body: { bio: 'first' },
      headers: { 'if-match': etag },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers.etag).not.toBe(etag);
    const stale = await t.request('PATCH', `/api/employees/${created.id}`, {
      body: { bio: 'second' },
      headers: { 'if-match': etag },
    });
    expectProblem(stale, 412);
    const staleDelete = await t.request('DELETE', `/api/employees/${created.id}`, { headers: { 'if-match': etag } });
    expectProblem(staleDelete, 412);
    const current = await t.request('GET', `/api/employees/${created.id}`);
    expect(current.json()).toMatchObject({ bio: 'first', status: 'active' });
    expect(current.headers.etag).toBe(ok.headers.etag);
    const withCurrent = await t.request('PUT', `/api/employees/${created.id}`, {
      body: { bio: 'third' },
      headers: { 'if-match': current.headers.etag as string },
    });
    expect(withCurrent.json().bio).toBe('third');
  });

  it('writes exactly one update audit row with old and new values of the changed fields only', async () => {
    const created = await createEmployee({ bio: 'old bio', language: 'de' });
    const res = await t.request('PATCH', `/api/employees/${created.id}`, {
      body: { bio: 'new bio', language: 'en', first_name: created.first_name },
    });
    expect(res.statusCode).toBe(200);
    const updates = (await auditRowsFor(t, 'employee', created.id)).filter((r) => r.action === 'update');
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ resource_type: 'employee', resource_id: created.id, actor_id: t.admin.id });
    expect(updates[0]?.changes).toEqual({
      bio: { old: 'old bio', new: 'new bio' },
      language: { old: 'de', new: 'en' },
    });
  });

  it('never writes a password hash into the audit log', async () => {
    const created = await createEmployee();
    const set = await t.request('POST', `/api/employees/${created.id}/password`, {
      body: { password: 'a-long-enough-password' },
    });
    expect(set.statusCode).toBe(204);
    await t.request('PATCH', `/api/employees/${created.id}`, { body: { bio: 'after password' } });
    await t.request('DELETE', `/api/employees/${created.id}`);
    const rows = await auditRowsFor(t, 'employee', created.id);
    expect(rows.map((r) => r.action).sort()).toEqual(['create', 'delete', 'password_change', 'update']);
    expect(JSON.stringify(rows)).not.toMatch(/password_hash|argon2|a-long-enough-password/i);
  });

  it('applies a changed role_id to the next request of that employee', async () => {
    const user = await t.userWith(['employees.read']);
    expect((await t.request('GET', '/api/employees', { token: user.token })).statusCode).toBe(200);
    const bare = await createRole({ permissions: [] });
    const res = await t.request('PATCH', `/api/employees/${user.id}`, { body: { role_id: bare.id } });
    expect(res.json().role).toEqual({ id: bare.id, name: bare.name });
    expectProblem(await t.request('GET', '/api/employees', { token: user.token }), 403);
    expect((await t.request('GET', '/api/employees/me', { token: user.token })).json().role_id).toBe(bare.id);
  });

  it('setting status inactive ends the employee access at once', async () => {
    const user = await t.userWith(['employees.read']);
    expect((await t.request('GET', '/api/auth/me', { token: user.token })).statusCode).toBe(200);
    const res = await t.request('PATCH', `/api/employees/${user.id}`, { body: { status: 'inactive' } });
    expect(res.json().status).toBe('inactive');
    expectProblem(await t.request('GET', '/api/auth/me', { token: user.token }), 401);
    expectProblem(await t.request('GET', '/api/employees', { token: user.token }), 401);
  });
});

describe('DELETE /api/employees/{id}', () => {
  it('deactivates (204), keeps the record, ends the access token and writes one audit row', async () => {
    const user = await t.userWith(['employees.read']);
    expect((await t.request('GET', '/api/auth/me', { token: user.token })).statusCode).toBe(200);
    const res = await t.request('DELETE', `/api/employees/${user.id}`);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    const get = await t.request('GET', `/api/employees/${user.id}`);
    expect(get.statusCode).toBe(200);
    expect(get.json().status).toBe('inactive');
    expectProblem(await t.request('GET', '/api/auth/me', { token: user.token }), 401);

    const deletes = (await auditRowsFor(t, 'employee', user.id)).filter((r) => r.action === 'delete');
    expect(deletes).toHaveLength(1);
    expect(deletes[0]).toMatchObject({
      resource_type: 'employee',
      changes: { status: { old: 'active', new: 'inactive' } },
    });

    // Deactivating again changes nothing and writes nothing.
    expect((await t.request('DELETE', `/api/employees/${user.id}`)).statusCode).toBe(204);
    expect((await auditRowsFor(t, 'employee', user.id)).filter((r) => r.action === 'delete')).toHaveLength(1);
    const inactive = await t.request('GET', `/api/employees?status=inactive&search=${encodeURIComponent(user.email)}`);
    expect(inactive.json().total).toBe(1);
  });

  it('refuses to deactivate yourself with 422', async () => {
    const hr = await t.userWith(['employees.read', 'employees.delete']);
    expectProblem(await t.request('DELETE', `/api/employees/${hr.id}`, { token: hr.token }), 422);
    expectProblem(await t.request('DELETE', `/api/employees/${t.admin.id}`), 422);
    // Setting your own status to inactive is deactivating yourself as well.
    for (const method of ['PUT', 'PATCH'] as const) {
      expect422(await t.request(method, `/api/employees/${t.admin.id}`, { body: { status: 'inactive' } }), 'status');
    }
    expect((await t.request('GET', '/api/auth/me')).statusCode).toBe(200);
    expect((await t.request('GET', `/api/employees/${hr.id}`)).json().status).toBe('active');
  });

  it('answers 404 for an unknown id and 422 for a malformed one', async () => {
    expectProblem(await t.request('DELETE', `/api/employees/${randomUUID()}`), 404);
    expect422(await t.request('DELETE', '/api/employees/xyz'), 'id');
  });
});

describe('privilege rules', () => {
  /** Everything an HR person might hold, but not `*` and no role administration. */
  const HR_PERMISSIONS = ['employees', 'documents', 'reminders', 'dashboards', 'backoffice', 'admin.audit.read'];
  let hr: TestUser;
  let adminRoleId: string;

  beforeAll(async () => {
    hr = await t.userWith(HR_PERMISSIONS);
    adminRoleId = (await roleByName('Admin')).id;
  });

  it('lets a user with employees.write create and change ordinary employees', async () => {
    const created = await createEmployee({}, hr.token);
    expect(created.role.name).toBe('Employee');
    const manager = (await roleByName('Manager')).id;
    const res = await t.request('PATCH', `/api/employees/${created.id}`, {
      token: hr.token,
      body: { role_id: manager },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().role).toEqual({ id: manager, name: 'Manager' });
  });

  it('lets a plain HR role (employees.* only) hand out business roles but not administrative ones', async () => {
    const plainHr = await t.userWith(['employees.*']);
    const created = await createEmployee({}, plainHr.token);
    expect(created.role.name).toBe('Employee');
    const manager = (await roleByName('Manager')).id;
    const promoted = await t.request('PATCH', `/api/employees/${created.id}`, {
      token: plainHr.token,
      body: { role_id: manager },
    });
    expect(promoted.statusCode).toBe(200);
    expect(promoted.json().role.name).toBe('Manager');
    const roleAdmin = await t.request('POST', '/api/roles', {
      body: { name: `role-admins-${Date.now()}`, permissions: ['admin.roles.write', 'admin.roles.read'] },
    });
    const refused = await t.request('PATCH', `/api/employees/${created.id}`, {
      token: plainHr.token,
      body: { role_id: roleAdmin.json().id },
    });
    expectProblem(refused, 403);
  });

  it('forbids a user without * to assign the Admin role', async () => {
    const email = emailFor();
    const create = await t.request('POST', '/api/employees', {
      token: hr.token,
      body: { first_name: 'Would', last_name: 'BeAdmin', email, role_id: adminRoleId },
    });
    expectProblem(create, 403);
    expect((await t.request('GET', `/api/employees?search=${encodeURIComponent(email)}`)).json().total).toBe(0);

    const target = await createEmployee();
    const patch = await t.request('PATCH', `/api/employees/${target.id}`, {
      token: hr.token,
      body: { role_id: adminRoleId },
    });
    expectProblem(patch, 403);
    expect((await t.request('GET', `/api/employees/${target.id}`)).json().role.name).toBe('Employee');
  });

  it('forbids a user without * to change, deactivate or set the password of an Admin employee', async () => {
    const admin2 = await createEmployee({ role_id: adminRoleId, bio: 'untouched' });
    for (const method of ['PUT', 'PATCH'] as const) {
      const res = await t.request(method, `/api/employees/${admin2.id}`, {
        token: hr.token,
        body: { bio: 'hijacked' },
      });
      expectProblem(res, 403);
    }
    const email = await t.request('PATCH', `/api/employees/${admin2.id}`, {
      token: hr.token,
      body: { email: emailFor('takeover') },
    });
    expectProblem(email, 403);
    expectProblem(await t.request('DELETE', `/api/employees/${admin2.id}`, { token: hr.token }), 403);
    const password = await t.request('POST', `/api/employees/${admin2.id}/password`, {
      token: hr.token,
      body: { password: 'a-long-enough-password' },
    });
    expectProblem(password, 403);
    const after = (await t.request('GET', `/api/employees/${admin2.id}`)).json();
    expect(after).toEqual(admin2);
    expect((await auditRowsFor(t, 'employee', admin2.id)).map((r) => r.action)).toEqual(['create']);

    // The same user may set the password of an ordinary employee.
    const ordinary = await createEmployee();
    const ok = await t.request('POST', `/api/employees/${ordinary.id}/password`, {
      token: hr.token,
      body: { password: 'a-long-enough-password' },
    });
    expect(ok.statusCode).toBe(204);
  });
});

describe('time zones', () => {
  it('stores IANA names in their standard spelling and refuses offsets', async () => {
    const lower = await createEmployee({ timezone: 'europe/berlin' });
    expect(lower.timezone).toBe('Europe/Berlin');
    for (const timezone of ['+01:00', '-05:30', 'Mars/Olympus_Mons', 'UTC+1']) {
      const res = await t.request('POST', '/api/employees', {
        body: { first_name: 'Zone', last_name: 'Test', email: emailFor('tz'), timezone },
      });
      expect(expectProblem(res, 422).errors, timezone).toEqual([expect.objectContaining({ field: 'timezone' })]);
    }
  });
});

describe('role changes and sessions', () => {
  it('applies a new role on the next request and keeps the sessions', async () => {
    const user = await t.userWithPassword(['employees.read']);
    const login = await t.request('POST', '/api/auth/login', {
      token: null,
      body: { email: user.email, password: user.password },
    });
    expect(login.statusCode).toBe(200);
    const { access_token: access, refresh_token: refresh } = login.json();
    expect((await t.request('GET', '/api/roles', { token: access })).statusCode).toBe(403);

    const rolesReader = await t.request('POST', '/api/roles', {
      body: { name: `roles-reader-${tag()}`, permissions: ['employees.read', 'admin.roles.read'] },
    });
    const patch = await t.request('PATCH', `/api/employees/${user.id}`, { body: { role_id: rolesReader.json().id } });
    expect(patch.statusCode).toBe(200);

    expect((await t.request('GET', '/api/roles', { token: access })).statusCode).toBe(200);
    const refreshed = await t.request('POST', '/api/auth/refresh', { token: null, body: { refresh_token: refresh } });
    expect(refreshed.statusCode).toBe(200);
    expect(refreshed.json().user.permissions).toEqual(['admin.roles.read', 'employees.read']);
  });
});
