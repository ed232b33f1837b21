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

type UserWithPassword = TestUser & { password: string };

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

function setPassword(id: string, password: string, token?: string | null): Promise<LightMyRequestResponse> {
  return t.request('POST', `/api/employees/${id}/password`, { token, body: { password } });
}

function login(email: string, password: string): Promise<LightMyRequestResponse> {
  return t.request('POST', '/api/auth/login', { token: null, body: { email, password } });
}

async function loginPair(user: UserWithPassword): Promise<{ access_token: string; refresh_token: string }> {
  const res = await login(user.email, user.password);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

function refresh(refreshToken: string): Promise<LightMyRequestResponse> {
  return t.request('POST', '/api/auth/refresh', { token: null, body: { refresh_token: refreshToken } });
}

function changeOwn(token: string | null, body: unknown): Promise<LightMyRequestResponse> {
  return t.request('PUT', '/api/auth/password', { token, body });
}

describe('PUT /api/auth/password', () => {
  it('needs a token', async () => {
    expectProblem(await changeOwn(null, { current_password: 'whatever-it-is', new_password: 'new-password-123' }), 401);
  });

  it('answers 422 on the current_password field when it is wrong', async () => {
    const user = await t.userWithPassword();
    const problem = expectProblem(
      await changeOwn(user.token, { current_password: `${user.password}x`, new_password: 'a-new-password-123' }),
      422,
    );
    expect(problem.errors).toEqual([expect.objectContaining({ field: 'current_password' })]);
    // Nothing changed.
    expect((await login(user.email, user.password)).statusCode).toBe(200);
    expectProblem(await login(user.email, 'a-new-password-123'), 401);
  });

  it('rejects a new password shorter than 12 characters, and bad bodies', async () => {
    const user = await t.userWithPassword();
    const short = expectProblem(
      await changeOwn(user.token, { current_password: user.password, new_password: 'elevenchars' }),
      422,
    );
    expect(short.errors).toEqual([expect.objectContaining({ field: 'new_password' })]);

    const missing = expectProblem(await changeOwn(user.token, { new_password: 'a-new-password-123' }), 422);
    expect(missing.errors).toEqual([expect.objectContaining({ field: 'current_password' })]);

    const extra = expectProblem(
      await changeOwn(user.token, {
        current_password: user.password,
        new_password: 'a-new-password-123',
        confirm: 'a-new-password-123',
      }),
      422,
    );
    expect(extra.errors).toEqual([expect.objectContaining({ field: 'confirm' })]);

    const same = expectProblem(
      await changeOwn(user.token, { current_password: user.password, new_password: user.password }),
      422,
    );
    expect(same.errors).toEqual([expect.objectContaining({ field: 'new_password' })]);
    expect((await login(user.email, user.password)).statusCode).toBe(200);
  });

  it('changes the password, ends the refresh tokens and writes an audit row', async () => {
    const user = await t.userWithPassword();
    const pair = await loginPair(user);
    const newPassword = `new-${randomUUID()}`;
    const res = await changeOwn(pair.access_token, { current_password: user.password, new_password: newPassword });
    expect(res.statusCode, res.body).toBe(204);
    expect(res.body).toBe('');

    expectProblem(await login(user.email, user.password), 401);
    const fresh = await login(user.email, newPassword);
    expect(fresh.statusCode, fresh.body).toBe(200);
    expectProblem(await refresh(pair.refresh_token), 401);
    // The session started with the new password is unaffected.
    expect((await refresh(fresh.json().refresh_token)).statusCode).toBe(200);

    const rows = await auditRowsFor(t, 'employee', user.id);
    const changes = rows.filter((row) => row.action === 'password_change');
    expect(changes).toHaveLength(2); // the admin's initial set, then this change
    expect(changes[0]).toMatchObject({ actor_id: user.id, actor_email: user.email, resource_id: user.id });
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(newPassword);
    expect(dump).not.toContain(user.password);
    expect(dump).not.toContain('argon2');
  });

  it('answers 409 for an account without a local password', async () => {
    const ssoOnly = await t.userWith([]);
    const problem = expectProblem(
      await changeOwn(ssoOnly.token, { current_password: 'anything-at-all', new_password: 'a-new-password-123' }),
      409,
    );
    expect(problem.detail).toMatch(/password/);
  });
});

describe('POST /api/employees/{id}/password', () => {
  it('needs a token and employees.write', async () => {
    const target = await t.userWith([]);
    expectProblem(await setPassword(target.id, 'a-long-password-1', null), 401);
    const reader = await t.userWith(['employees.read']);
    const problem = expectProblem(await setPassword(target.id, 'a-long-password-1', reader.token), 403);
    expect(problem.detail).toContain('employees.write');
    expectProblem(await login(target.email, 'a-long-password-1'), 401);
  });

  it('sets the password (204); the employee can then sign in', async () => {
    const target = await t.userWith(['employees.read']);
    expectProblem(await login(target.email, 'a-long-password-1'), 401);
    const res = await setPassword(target.id, 'a-long-password-1');
    expect(res.statusCode, res.body).toBe(204);
    expect(res.body).toBe('');
    const signedIn = await login(target.email, 'a-long-password-1');
    expect(signedIn.statusCode, signedIn.body).toBe(200);
    expect(signedIn.json().user.id).toBe(target.id);

    const rows = (await auditRowsFor(t, 'employee', target.id)).filter((row) => row.action === 'password_change');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_id: t.admin.id, actor_email: ADMIN_EMAIL, changes: null });
    expect(JSON.stringify(rows)).not.toContain('a-long-password-1');
  });

  it("ends the employee's sessions", async () => {
    const user = await t.userWithPassword();
    const pair = await loginPair(user);
    expect((await setPassword(user.id, `reset-${randomUUID()}`)).statusCode).toBe(204);
    expectProblem(await refresh(pair.refresh_token), 401);
    expectProblem(await login(user.email, user.password), 401);
  });

  it('validates the body and the id', async () => {
    const target = await t.userWith([]);
    const short = expectProblem(await setPassword(target.id, 'elevenchars'), 422);
    expect(short.errors).toEqual([expect.objectContaining({ field: 'password' })]);
    // Passwords are not trimmed (other strings are): the spaces are part of the secret.
    expect((await setPassword(target.id, '  eleven-chars  ')).statusCode).toBe(204);
    const targetEmail = (await t.request('GET', `/api/employees/${target.id}`)).json().email;
    expect((await login(targetEmail, '  eleven-chars  ')).statusCode).toBe(200);
    expectProblem(await login(targetEmail, 'eleven-chars'), 401);
    const extra = expectProblem(
      await t.request('POST', `/api/employees/${target.id}/password`, {
        body: { password: 'a-long-password-1', temporary: true },
      }),
      422,
    );
    expect(extra.errors).toEqual([expect.objectContaining({ field: 'temporary' })]);
    expectProblem(await t.request('POST', `/api/employees/${target.id}/password`, { body: {} }), 422);
    expectProblem(await setPassword(randomUUID(), 'a-long-password-1'), 404);
    expectProblem(await setPassword('not-a-uuid', 'a-long-password-1'), 422);
  });

  it('honours If-Match', async () => {
    const target = await t.userWith([]);
    const stale = await t.request('POST', `/api/employees/${target.id}/password`, {
      body: { password: 'a-long-password-1' },
      headers: { 'if-match': '"000000000000-999"' },
    });
    expectProblem(stale, 412);
    const current = await t.request('GET', `/api/employees/${target.id}`);
    const etag = current.headers.etag;
    if (typeof etag !== 'string') throw new Error('no ETag');
    const fresh = await t.request('POST', `/api/employees/${target.id}/password`, {
      body: { password: 'a-long-password-1' },
      headers: { 'if-match': etag },
    });
    expect(fresh.statusCode, fresh.body).toBe(204);
  });

  it('refuses to set the password of someone holding permissions the caller lacks', async () => {
    const hr = await t.userWith(['employees.read', 'employees.write']);
    const problem = expectProblem(await setPassword(t.admin.id, 'taken-over-admin-1', hr.token), 403);
    expect(problem.detail).toMatch(/permissions/);
    expect((await login(ADMIN_EMAIL, ADMIN_PASSWORD)).statusCode).toBe(200);
    expectProblem(await login(ADMIN_EMAIL, 'taken-over-admin-1'), 401);

    // Control: someone whose permissions the caller holds is fine.
    const junior = await t.userWith(['employees.read']);
    expect((await setPassword(junior.id, 'set-by-hr-password', hr.token)).statusCode).toBe(204);
    expect((await login(junior.email, 'set-by-hr-password')).statusCode).toBe(200);
  });
});
