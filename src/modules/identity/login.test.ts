import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  auditRowsFor,
  expectProblem,
  startTestApp,
  type TestApp,
  type TestUser,
} from '../../../test/helpers.ts';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

function login(email: string, password: string, remoteAddress = '127.0.0.1'): Promise<LightMyRequestResponse> {
  return t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password }, remoteAddress });
}

async function failedLoginRows(user: TestUser) {
  return (await auditRowsFor(t, 'employee', user.id)).filter((row) => row.action === 'login_failed');
}

describe('POST /api/auth/login', () => {
  it('returns a token pair and the user for the admin', async () => {
    const res = await login(ADMIN_EMAIL, ADMIN_PASSWORD);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'token_type', 'user']);
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBe(t.server.ctx.core.config.ACCESS_TOKEN_TTL_SECONDS);
    expect(typeof body.access_token).toBe('string');
    expect(body.access_token.split('.')).toHaveLength(3);
    expect(typeof body.refresh_token).toBe('string');
    expect(body.refresh_token.length).toBeGreaterThanOrEqual(32);
    expect(body.user).toEqual({
      id: t.admin.id,
      employee_code: 'KIT-0001',
      email: ADMIN_EMAIL,
      first_name: 'Admin',
      last_name: 'WorkmateOS',
      role: { id: expect.any(String), name: 'Admin' },
      roles: [{ id: body.user.role.id, name: 'Admin' }],
      permissions: ['*'],
    });
    expect(res.body).not.toContain('password');

    const me = await t.request('GET', '/api/auth/me', { token: body.access_token });
    expect(me.statusCode).toBe(200);
    expect(me.json().id).toBe(t.admin.id);
  });

  it('returns the granted keys and patterns as stored, sorted and not expanded', async () => {
    const user = await t.userWithPassword(['employees.read', 'backoffice.*', 'admin.audit.read']);
    const res = await login(user.email, user.password);
    expect(res.statusCode, res.body).toBe(200);
    const { user: body } = res.json();
    expect(body.id).toBe(user.id);
    expect(body.email).toBe(user.email);
    expect(body.permissions).toEqual(['admin.audit.read', 'backoffice.*', 'employees.read']);
    expect(body.role.name).toMatch(/^role-/);
    expect(body.roles).toEqual([body.role]);
  });

  it('treats the e-mail case-insensitively', async () => {
    const user = await t.userWithPassword();
    const res = await login(user.email.toUpperCase(), user.password);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().user.id).toBe(user.id);
    expect(res.json().user.email).toBe(user.email);
  });

  it('answers a wrong password and an unknown e-mail with the same 401', async () => {
    const user = await t.userWithPassword();
    const wrongPassword = expectProblem(await login(user.email, `${user.password}x`), 401);
    const unknownEmail = expectProblem(await login(`nobody-${randomUUID()}@example.com`, user.password), 401);
    expect(wrongPassword.detail).toBe(unknownEmail.detail);
    expect(wrongPassword.code).toBe(unknownEmail.code);
    expect(wrongPassword.title).toBe(unknownEmail.title);
  });

  it('answers 401 for an employee without a local password', async () => {
    const user = await t.userWith([]);
    expectProblem(await login(user.email, 'some-password-123'), 401);
  });

  it('refuses an inactive employee with the right password (403)', async () => {
    const user = await t.userWithPassword(['employees.read']);
    expect((await login(user.email, user.password)).statusCode).toBe(200);
    const deactivated = await t.request('DELETE', `/api/employees/${user.id}`);
    expect(deactivated.statusCode, deactivated.body).toBe(204);

    const problem = expectProblem(await login(user.email, user.password), 403);
    expect(problem.detail).toMatch(/deactivated|inactive/i);
    // A wrong password still gets the ordinary 401: nothing about the account leaks.
    expectProblem(await login(user.email, `${user.password}x`), 401);
  });

  it('rejects bad bodies', async () => {
    const missing = expectProblem(
      await t.request('POST', '/api/auth/login', { token: null, body: { email: ADMIN_EMAIL } }),
      422,
    );
    expect(missing.errors).toEqual([expect.objectContaining({ field: 'password' })]);

    const unknown = expectProblem(
      await t.request('POST', '/api/auth/login', {
        token: null,
        body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD, remember_me: true },
      }),
      422,
    );
    expect(unknown.errors).toEqual([expect.objectContaining({ field: 'remember_me' })]);

    const notAnEmail = expectProblem(
      await t.request('POST', '/api/auth/login', { token: null, body: { email: 'admin', password: ADMIN_PASSWORD } }),
      422,
    );
    expect(notAnEmail.errors).toEqual([expect.objectContaining({ field: 'email' })]);

    const numberPassword = expectProblem(
      await t.request('POST', '/api/auth/login', { token: null, body: { email: ADMIN_EMAIL, password: 12345 } }),
      422,
    );
    expect(numberPassword.errors).toEqual([expect.objectContaining({ field: 'password' })]);

    const malformed = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"email": "admin@workmate.test", "password": ',
    });
    expectProblem(malformed, 400);
  });

  it('writes a login audit row with the employee as actor and updates last_login', async () => {
    const user = await t.userWithPassword();
    const before = await t.request('GET', `/api/employees/${user.id}`);
    expect(before.json().last_login).toBeNull();

    const res = await login(user.email, user.password, '10.0.1.1');
    expect(res.statusCode, res.body).toBe(200);

    const rows = (await auditRowsFor(t, 'employee', user.id)).filter((row) => row.action === 'login');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: 'login',
      actor_id: user.id,
      actor_email: user.email,
      actor_type: 'employee',
      resource_id: user.id,
      ip_address: '10.0.1.1',
      changes: null,
    });
    expect(JSON.stringify(rows)).not.toContain(user.password);

    const after = await t.request('GET', `/api/employees/${user.id}`);
    const lastLogin = after.json().last_login;
    expect(lastLogin).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
  });

  it('writes a login_failed audit row with the tried e-mail, never the password', async () => {
    const user = await t.userWithPassword();
    const tried = `${user.password}-wrong`;
    expectProblem(await login(user.email, tried, '10.0.1.2'), 401);
    const rows = await failedLoginRows(user);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: 'login_failed',
      actor_email: user.email,
      resource_id: user.id,
      ip_address: '10.0.1.2',
      changes: null,
    });

    const unknownEmail = `ghost-${randomUUID()}@example.com`;
    expectProblem(await login(unknownEmail, tried, '10.0.1.2'), 401);
    const all = await t.request('GET', '/api/audit-logs?action=login_failed&limit=500');
    expect(all.statusCode).toBe(200);
    const ghostRows = (all.json().items as Array<Record<string, unknown>>).filter(
      (row) => row.actor_email === unknownEmail,
    );
    expect(ghostRows).toHaveLength(1);
    expect(ghostRows[0]).toMatchObject({ action: 'login_failed', changes: null });
    expect(all.body).not.toContain(tried);
  });
});

describe('failed-login rate limit', () => {
  it('blocks the 11th attempt of one IP and e-mail with 429, even with the right password', async () => {
    const user = await t.userWithPassword();
    const ip = '10.0.2.1';
    for (let attempt = 1; attempt <= 10; attempt++) {
      // Mixed case on purpose: the limit is per e-mail, not per spelling.
      const email = attempt % 2 === 0 ? user.email.toUpperCase() : user.email;
      const res = await login(email, `wrong-password-${attempt}`, ip);
      expect(res.statusCode, `attempt ${attempt}`).toBe(401);
    }
    const blocked = await login(user.email, user.password, ip);
    expectProblem(blocked, 429);
    const retryAfter = Number(blocked.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(t.server.ctx.core.config.LOGIN_FAILURE_WINDOW_MINUTES * 60);

    // Blocked before the password is checked: a blocked wrong attempt is no new failure.
    expectProblem(await login(user.email, 'yet-another-wrong-one', ip), 429);
    expect(await failedLoginRows(user)).toHaveLength(10);

    // Another IP with the same e-mail is not blocked.
    const elsewhere = await login(user.email, user.password, '10.0.2.2');
    expect(elsewhere.statusCode, elsewhere.body).toBe(200);
    expectProblem(await login(user.email, user.password, ip), 429);
  });

  it('does not count successful logins', async () => {
    const user = await t.userWithPassword();
    const ip = '10.0.3.1';
    for (let attempt = 1; attempt <= 9; attempt++) {
      expect((await login(user.email, `wrong-password-${attempt}`, ip)).statusCode).toBe(401);
    }
    for (let success = 1; success <= 3; success++) {
      const res = await login(user.email, user.password, ip);
      expect(res.statusCode, res.body).toBe(200);
    }
    // The 10th failure is still an ordinary 401; only then is the limit reached.
    expectProblem(await login(user.email, 'wrong-password-10', ip), 401);
    expectProblem(await login(user.email, user.password, ip), 429);
  });
});
