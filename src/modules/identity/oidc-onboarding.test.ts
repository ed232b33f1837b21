import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, startTestApp, type TestApp } from '../../../test/helpers.ts';
import { JWT_CLIENT, PROJECT_ID, startTestIdp, type TestIdp } from '../../../test/idp/test-idp.ts';

const verified = { email_verified: true, given_name: 'Test', family_name: 'Person' };

/** Role mapping and onboarding of SSO users (SPEC 2.4) against a real provider. */
describe('SSO roles and onboarding', () => {
  let idp: TestIdp;
  let t: TestApp;
  let strict: TestApp;

  beforeAll(async () => {
    idp = await startTestIdp({
      users: [
        { sub: 'u-both', email: 'both@workmate.test', ...verified, roles: ['manager', 'employee'] },
        { sub: 'u-none', email: 'none@workmate.test', ...verified, roles: ['unknown-role'] },
        { sub: 'u-crowd', email: 'crowd@workmate.test', ...verified, roles: ['employee'] },
        {
          sub: 'u-unverified',
          email: 'existing@workmate.test',
          ...verified,
          email_verified: false,
          roles: ['employee'],
        },
        { sub: 'u-verified', email: 'linked@workmate.test', ...verified, roles: ['employee'] },
      ],
    });
    const oidc = {
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: JWT_CLIENT.id,
      OIDC_CLIENT_SECRET: JWT_CLIENT.secret,
      OIDC_PROJECT_ID: PROJECT_ID,
    };
    t = await startTestApp(oidc);
    strict = await startTestApp({ ...oidc, OIDC_DEFAULT_ROLE: '' });
  });

  afterAll(async () => {
    await t?.close();
    await strict?.close();
    await idp?.close();
  });

  async function rolePermissions(app: TestApp, name: string): Promise<string[]> {
    const res = await app.request('GET', `/api/roles?search=${name}`);
    const role = (res.json().items as Array<{ name: string; permissions: string[] }>).find((r) => r.name === name);
    if (!role) throw new Error(`no role ${name}`);
    return role.permissions;
  }

  it('manager + employee role claims give the union of both roles, the manager as role', async () => {
    const { access_token } = await idp.tokens('u-both');
    const res = await t.request('GET', '/api/auth/me', { token: access_token });
    expect(res.statusCode, res.body).toBe(200);
    const me = res.json();
    const union = [
      ...new Set([...(await rolePermissions(t, 'Manager')), ...(await rolePermissions(t, 'Employee'))]),
    ].sort();
    expect(me.permissions).toEqual(union);
    expect(me.role.name).toBe('Manager');
    expect(me.roles.map((r: { name: string }) => r.name)).toEqual(['Manager', 'Employee']);
    // The union reaches the permission checks: employees.read (both) and admin.audit.read (manager only).
    expect((await t.request('GET', '/api/audit-logs', { token: access_token })).statusCode).toBe(200);
    expectProblem(await t.request('GET', '/api/permissions', { token: access_token }), 403);
  });

  it('no mapped role → the default role (Employee)', async () => {
    const { access_token } = await idp.tokens('u-none');
    const res = await t.request('GET', '/api/auth/me', { token: access_token });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().role.name).toBe('Employee');
    expect(res.json().permissions).toEqual([...(await rolePermissions(t, 'Employee'))].sort());
  });

  it('no mapped role and OIDC_DEFAULT_ROLE empty → 403, and no employee is created', async () => {
    const { access_token } = await idp.tokens('u-none');
    const body = expectProblem(await strict.request('GET', '/api/auth/me', { token: access_token }), 403);
    expect(body.detail).toMatch(/no default role/);
    const list = await strict.request('GET', '/api/employees?search=none@workmate.test');
    expect(list.json().total).toBe(0);
  });

  it('10 parallel first logins of one user create exactly one employee; a second login finds it', async () => {
    const tokens: string[] = [];
    for (let i = 0; i < 10; i++) tokens.push((await idp.tokens('u-crowd')).access_token);
    const before = await t.request('GET', '/api/employees?limit=500');
    const results = await Promise.all(tokens.map((token) => t.request('GET', '/api/auth/me', { token })));
    for (const res of results) expect(res.statusCode, res.body).toBe(200);
    const ids = new Set(results.map((r) => r.json().id));
    expect(ids.size).toBe(1);
    const codes = new Set(results.map((r) => r.json().employee_code));
    expect(codes.size).toBe(1);
    expect([...codes][0]).toMatch(/^KIT-\d{4}$/);
    const after = await t.request('GET', '/api/employees?limit=500');
    expect(after.json().total).toBe(before.json().total + 1);
    const matching = await t.request('GET', '/api/employees?search=crowd@workmate.test');
    expect(matching.json().total).toBe(1);

    const again = await t.request('GET', '/api/auth/me', { token: (await idp.tokens('u-crowd')).access_token });
    expect(again.json().id).toBe([...ids][0]);
  });

  it('an unverified e-mail never links an existing employee (403 with the reason)', async () => {
    const created = await t.request('POST', '/api/employees', {
      body: { first_name: 'Existing', last_name: 'Person', email: 'existing@workmate.test' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const { access_token } = await idp.tokens('u-unverified');
    const body = expectProblem(await t.request('GET', '/api/auth/me', { token: access_token }), 403);
    expect(body.detail).toMatch(/existing employee.*not.*verified/);
    const employee = await t.request('GET', `/api/employees/${created.json().id}`);
    expect(employee.json().sso_subject).toBeNull();
  });

  it('a verified e-mail links the existing employee instead of creating one', async () => {
    const created = await t.request('POST', '/api/employees', {
      body: { first_name: 'Linked', last_name: 'Person', email: 'linked@workmate.test' },
    });
    const { access_token } = await idp.tokens('u-verified');
    const res = await t.request('GET', '/api/auth/me', { token: access_token });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().id).toBe(created.json().id);
    expect(res.json().sso_subject).toBe('u-verified');
  });

  it('a deactivated SSO employee is refused', async () => {
    const { access_token } = await idp.tokens('u-verified');
    const me = await t.request('GET', '/api/auth/me', { token: access_token });
    expect(me.statusCode).toBe(200);
    const del = await t.request('DELETE', `/api/employees/${me.json().id}`);
    expect(del.statusCode, del.body).toBe(204);
    // Its cached session is dropped at once; validating the token again refuses the inactive account.
    expectProblem(await t.request('GET', '/api/auth/me', { token: access_token }), 403);
    expectProblem(
      await t.request('GET', '/api/auth/me', { token: (await idp.tokens('u-verified')).access_token }),
      403,
    );
  });
});
