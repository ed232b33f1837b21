import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, startTestApp, type TestApp, type TestUser } from '../../../test/helpers.ts';

let t: TestApp;
let user: TestUser & { password: string };
let settingsAdmin: TestUser;

beforeAll(async () => {
  t = await startTestApp();
  user = await t.userWithPassword(['employees.read', 'backoffice.crm.read']);
  settingsAdmin = await t.userWith(['admin.settings.write', 'employees.read']);
});
afterAll(() => t.close());

const setMaintenance = (on: boolean) => t.request('PATCH', '/api/settings', { body: { maintenance_mode: on } });

describe('maintenance mode', () => {
  it('answers 503 with Retry-After to everyone without "*", and keeps health, docs and sign-in working', async () => {
    expect((await t.request('GET', '/api/employees', { token: user.token })).statusCode).toBe(200);
    expect((await setMaintenance(true)).statusCode).toBe(200);

    for (const url of ['/api/employees', '/api/customers', '/api/settings']) {
      const res = await t.request('GET', url, { token: user.token });
      const problem = expectProblem(res, 503);
      expect(problem.code).toBe('maintenance_mode');
      expect(res.headers['retry-after']).toBe('300');
    }
    // Writes too, and a holder of admin.settings.write without "*" cannot switch it off.
    expectProblem(await t.request('PATCH', '/api/settings', { token: settingsAdmin.token, body: {} }), 503);
    // Unauthenticated callers still learn that they need to sign in first.
    expectProblem(await t.request('GET', '/api/employees', { token: null }), 401);

    // The admin (holds "*") works as usual.
    expect((await t.request('GET', '/api/employees')).statusCode).toBe(200);
    expect((await t.request('GET', '/api/system/status')).statusCode).toBe(200);

    // Operators' and sign-in routes keep working for everybody.
    for (const url of ['/health/live', '/health/ready', '/metrics', '/openapi.json', '/.well-known/jwks.json']) {
      expect((await t.request('GET', url, { token: null })).statusCode, url).toBe(200);
    }
    expect((await t.request('GET', '/docs/', { token: null })).statusCode).toBeLessThan(400);
    const login = await t.request('POST', '/api/auth/login', {
      token: null,
      body: { email: user.email, password: user.password },
    });
    expect(login.statusCode, login.body).toBe(200);
    const fresh = login.json().access_token as string;
    expect((await t.request('GET', '/api/auth/me', { token: fresh })).statusCode).toBe(200);
    expectProblem(await t.request('GET', '/api/employees', { token: fresh }), 503);

    expect((await setMaintenance(false)).statusCode).toBe(200);
    expect((await t.request('GET', '/api/employees', { token: user.token })).statusCode).toBe(200);
    expect((await t.request('GET', '/api/settings', { token: user.token })).json().maintenance_mode).toBe(false);
  });
});
