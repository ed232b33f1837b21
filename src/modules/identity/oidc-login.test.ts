import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRowsFor, expectProblem, startTestApp, type TestApp } from '../../../test/helpers.ts';
import {
  JWT_CLIENT,
  PROJECT_ID,
  pkcePair,
  REDIRECT_URI,
  startTestIdp,
  type TestIdp,
} from '../../../test/idp/test-idp.ts';

/** The authorization-code flow through POST /api/auth/callback, refresh and logout, against a real provider. */
describe('SSO login flow', () => {
  let idp: TestIdp;
  let t: TestApp;

  beforeAll(async () => {
    idp = await startTestIdp({
      users: [
        {
          sub: 'u-grace',
          email: 'grace@workmate.test',
          email_verified: true,
          given_name: 'Grace',
          family_name: 'Hopper',
          roles: ['manager'],
        },
        { sub: 'u-start', email: 'start@workmate.test', email_verified: true, given_name: 'S', family_name: 'T' },
      ],
    });
    t = await startTestApp({
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: JWT_CLIENT.id,
      OIDC_CLIENT_SECRET: JWT_CLIENT.secret,
      OIDC_PROJECT_ID: PROJECT_ID,
      OIDC_REDIRECT_URI: REDIRECT_URI,
    });
  });

  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  async function callback(body: Record<string, unknown>) {
    return t.request('POST', '/api/auth/callback', { token: null, body });
  }

  it('exchanges a code with PKCE, onboards the employee and returns the IdP tokens and the user', async () => {
    const { verifier, challenge } = await pkcePair();
    const code = await idp.authorize('u-grace', { codeChallenge: challenge });
    const res = await callback({ code, code_verifier: verifier, redirect_uri: REDIRECT_URI });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.token_type).toBe('Bearer');
    expect(typeof body.id_token).toBe('string');
    expect(typeof body.refresh_token).toBe('string');
    expect(body.user).toMatchObject({ email: 'grace@workmate.test', first_name: 'Grace', last_name: 'Hopper' });
    expect(body.user.role.name).toBe('Manager');
    expect(body.user.employee_code).toMatch(/^KIT-\d{4}$/);

    const me = await t.request('GET', '/api/auth/me', { token: body.access_token });
    expect(me.statusCode).toBe(200);
    expect(me.json().id).toBe(body.user.id);
    expect(me.json().last_login).not.toBeNull();

    const audit = await auditRowsFor(t, 'employee', body.user.id);
    const actions = audit.map((r) => r.action);
    expect(actions).toContain('create');
    expect(actions.filter((a) => a === 'login')).toHaveLength(1);

    // Refresh through the IdP.
    const refreshed = await t.request('POST', '/api/auth/refresh', {
      token: null,
      body: { refresh_token: body.refresh_token },
    });
    expect(refreshed.statusCode, refreshed.body).toBe(200);
    expect(refreshed.json().access_token).not.toBe(body.access_token);
    expect(refreshed.json().user.id).toBe(body.user.id);
    const me2 = await t.request('GET', '/api/auth/me', { token: refreshed.json().access_token });
    expect(me2.statusCode).toBe(200);

    // Logout returns the end-session URL with the ID token hint.
    const out = await t.request('POST', '/api/auth/logout', {
      token: refreshed.json().access_token,
      body: { id_token_hint: body.id_token, refresh_token: refreshed.json().refresh_token },
    });
    expect(out.statusCode, out.body).toBe(200);
    const url = new URL(out.json().end_session_url);
    expect(url.origin + url.pathname).toBe(`${idp.issuer}/oidc/v1/end_session`);
    expect(url.searchParams.get('id_token_hint')).toBe(body.id_token);
    const after = await auditRowsFor(t, 'employee', body.user.id);
    expect(after.map((r) => r.action)).toContain('logout');
    // The IdP refresh token was revoked at the IdP.
    expectProblem(
      await t.request('POST', '/api/auth/refresh', {
        token: null,
        body: { refresh_token: refreshed.json().refresh_token },
      }),
      401,
    );

    // The same code again: 400 with a clear detail (the provider also revokes the grant's tokens).
    const again = expectProblem(await callback({ code, code_verifier: verifier, redirect_uri: REDIRECT_URI }), 400);
    expect(again.detail).toMatch(/already used/);
  });

  it('a wrong PKCE verifier is 400 with a clear detail', async () => {
    const { challenge } = await pkcePair();
    const { verifier: other } = await pkcePair();
    const code = await idp.authorize('u-grace', { codeChallenge: challenge });
    const body = expectProblem(await callback({ code, code_verifier: other, redirect_uri: REDIRECT_URI }), 400);
    expect(body.detail).toMatch(/invalid_grant/);
    expect(body.detail).toMatch(/PKCE|code_verifier|verif/i);
  });

  it('a made-up code is 400', async () => {
    const { verifier } = await pkcePair();
    const body = expectProblem(await callback({ code: 'made-up-code', code_verifier: verifier }), 400);
    expect(body.detail).toMatch(/authorization code/);
  });

  it('an unparsable redirect_uri is 400, a missing verifier without state is 400', async () => {
    const { verifier } = await pkcePair();
    expectProblem(await callback({ code: 'c', code_verifier: verifier, redirect_uri: 'http://' }), 400);
    const body = expectProblem(await callback({ code: 'c' }), 400);
    expect(body.detail).toMatch(/code_verifier is required/);
  });

  it('an unknown IdP refresh token is 401', async () => {
    expectProblem(await t.request('POST', '/api/auth/refresh', { token: null, body: { refresh_token: 'nope' } }), 401);
  });

  it('GET /api/auth/login/oidc keeps state and verifier server-side; the callback needs only code and state', async () => {
    const start = await t.request('GET', '/api/auth/login/oidc', { token: null });
    expect(start.statusCode, start.body).toBe(200);
    const { authorization_url, state } = start.json();
    const url = new URL(authorization_url);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('state')).toBe(state);
    expect(url.searchParams.get('redirect_uri')).toBe(REDIRECT_URI);
    const code = await idp.authorizeUrl(authorization_url, 'u-start');
    const res = await callback({ code, state });
    expect(res.statusCode, res.body).toBe(200);
    // Without a role claim the default role applies.
    expect(res.json().user.role.name).toBe('Employee');
    // A state works once.
    const code2 = await idp.authorizeUrl(authorization_url, 'u-start');
    const body = expectProblem(await callback({ code: code2, state }), 400);
    expect(body.detail).toMatch(/state is unknown, already used or expired/);
  });

  it('the failed exchange is audited as login_failed', async () => {
    const res = await t.request('GET', '/api/audit-logs?action=login_failed');
    expect(res.statusCode).toBe(200);
    expect(res.json().total).toBeGreaterThan(0);
  });
});
