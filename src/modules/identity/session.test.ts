import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRowsFor, expectProblem, startTestApp, type TestApp, type TestUser } from '../../../test/helpers.ts';
import { LocalTokenService } from '../../core/auth/local-tokens.ts';

type UserWithPassword = TestUser & { password: string };
interface TokenBody {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  user: { id: string; permissions: string[] };
}

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

async function login(user: UserWithPassword): Promise<TokenBody> {
  const res = await t.request('POST', '/api/auth/login', {
    token: null,
    body: { email: user.email, password: user.password },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

function refresh(refreshToken: string): Promise<LightMyRequestResponse> {
  return t.request('POST', '/api/auth/refresh', { token: null, body: { refresh_token: refreshToken } });
}

function me(token: string | null): Promise<LightMyRequestResponse> {
  return t.request('GET', '/api/auth/me', { token });
}

function expectUnauthorized(res: LightMyRequestResponse): Record<string, unknown> {
  const problem = expectProblem(res, 401);
  expect(res.headers['www-authenticate']).toBe('Bearer');
  return problem;
}

/** base64url JSON, as in a JWT segment. */
function segment(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeSegment(part: string | undefined): Record<string, unknown> {
  return JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'));
}

describe('POST /api/auth/refresh', () => {
  it('rotates: returns a new pair that works, with the user', async () => {
    const user = await t.userWithPassword(['employees.read']);
    const first = await login(user);
    const res = await refresh(first.refresh_token);
    expect(res.statusCode, res.body).toBe(200);
    const second: TokenBody = res.json();
    expect(second.token_type).toBe('Bearer');
    expect(second.expires_in).toBe(t.server.ctx.core.config.ACCESS_TOKEN_TTL_SECONDS);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.user.id).toBe(user.id);
    expect(second.user.permissions).toEqual(['employees.read']);

    const who = await me(second.access_token);
    expect(who.statusCode).toBe(200);
    expect(who.json().id).toBe(user.id);

    // The rotated-in token works once more.
    expect((await refresh(second.refresh_token)).statusCode).toBe(200);
  });

  it('revokes the whole family when a rotated token is used again, and only that family', async () => {
    const user = await t.userWithPassword();
    const family = await login(user);
    const otherSession = await login(user);
    const rotated = await refresh(family.refresh_token);
    expect(rotated.statusCode).toBe(200);
    const newest: TokenBody = rotated.json();

    const reuse = expectUnauthorized(await refresh(family.refresh_token));
    expect(reuse.detail).toMatch(/already used/);
    expectUnauthorized(await refresh(newest.refresh_token));

    // Another sign-in of the same user is a different family and keeps working.
    expect((await refresh(otherSession.refresh_token)).statusCode).toBe(200);
  });

  it('answers 401 for an unknown refresh token', async () => {
    expectUnauthorized(await refresh('not-a-token-we-ever-issued'));
    // An access token is not a refresh token.
    expectUnauthorized(await refresh(t.admin.token));
  });

  it('rejects bad bodies', async () => {
    const missing = expectProblem(await t.request('POST', '/api/auth/refresh', { token: null, body: {} }), 422);
    expect(missing.errors).toEqual([expect.objectContaining({ field: 'refresh_token' })]);
    const extra = expectProblem(
      await t.request('POST', '/api/auth/refresh', { token: null, body: { refresh_token: 'x', grant_type: 'y' } }),
      422,
    );
    expect(extra.errors).toEqual([expect.objectContaining({ field: 'grant_type' })]);
  });

  it('lets exactly one of two parallel refreshes with the same token win, then revokes the family', async () => {
    const user = await t.userWithPassword();
    const pair = await login(user);
    const results = await Promise.all([refresh(pair.refresh_token), refresh(pair.refresh_token)]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 401]);
    const winner = results.find((r) => r.statusCode === 200);
    const loser = results.find((r) => r.statusCode === 401);
    if (!winner || !loser) throw new Error('expected one winner and one loser');
    expectUnauthorized(loser);
    expectUnauthorized(await refresh((winner.json() as TokenBody).refresh_token));
  });

  it("refuses a deactivated employee's refresh token", async () => {
    const user = await t.userWithPassword();
    const pair = await login(user);
    expect((await t.request('DELETE', `/api/employees/${user.id}`)).statusCode).toBe(204);
    expectUnauthorized(await refresh(pair.refresh_token));
  });
});

describe('POST /api/auth/logout', () => {
  it('needs a token', async () => {
    expectUnauthorized(await t.request('POST', '/api/auth/logout', { token: null, body: {} }));
  });

  it('revokes the given refresh token and writes an audit row', async () => {
    const user = await t.userWithPassword();
    const pair = await login(user);
    const res = await t.request('POST', '/api/auth/logout', {
      token: pair.access_token,
      body: { refresh_token: pair.refresh_token },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ end_session_url: null });
    expectUnauthorized(await refresh(pair.refresh_token));

    const rows = (await auditRowsFor(t, 'employee', user.id)).filter((row) => row.action === 'logout');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_id: user.id, actor_email: user.email, changes: null });
    expect(JSON.stringify(rows)).not.toContain(pair.refresh_token);
  });

  it('works without a body', async () => {
    const user = await t.userWithPassword();
    const pair = await login(user);
    const res = await t.request('POST', '/api/auth/logout', { token: pair.access_token });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ end_session_url: null });
    // Nothing named, nothing revoked.
    expect((await refresh(pair.refresh_token)).statusCode).toBe(200);
  });

  it("does not revoke someone else's refresh token", async () => {
    const victim = await t.userWithPassword();
    const other = await t.userWithPassword();
    const victimPair = await login(victim);
    const res = await t.request('POST', '/api/auth/logout', {
      token: other.token,
      body: { refresh_token: victimPair.refresh_token },
    });
    expect(res.statusCode).toBe(200);
    expect((await refresh(victimPair.refresh_token)).statusCode).toBe(200);
  });
});

describe('GET /api/auth/me', () => {
  it('answers 401 without a token', async () => {
    expectUnauthorized(await me(null));
  });

  it('returns the employee fields, role, roles and permissions', async () => {
    const user = await t.userWithPassword(['reminders.*', 'employees.read']);
    const res = await me(user.token);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers.etag).toEqual(expect.any(String));
    const body = res.json();
    expect(body).toMatchObject({
      id: user.id,
      email: user.email,
      first_name: 'Test',
      status: 'active',
      role: { id: expect.any(String), name: expect.stringMatching(/^role-/) },
      permissions: ['employees.read', 'reminders.*'],
    });
    expect(body.employee_code).toMatch(/^KIT-\d{4}$/);
    expect(body.role_id).toBe(body.role.id);
    expect(body.roles).toEqual([body.role]);
    for (const field of ['last_name', 'phone', 'department', 'last_login', 'created_at', 'updated_at']) {
      expect(body).toHaveProperty(field);
    }
    expect(body).not.toHaveProperty('password_hash');
    expect(res.body).not.toContain('argon2');
  });

  it('shows the admin "*"', async () => {
    const res = await me(t.admin.token);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: t.admin.id, permissions: ['*'], roles: [{ name: 'Admin' }] });
  });

  it('refuses an expired token signed with the server key', async () => {
    const issuer = t.server.ctx.core.config.PUBLIC_URL;
    // Same database, same signing key; only the lifetime is in the past (beyond the 30 s tolerance).
    const expiredIssuer = new LocalTokenService(t.db, issuer, -600);
    await expiredIssuer.init();
    const { token } = await expiredIssuer.issue(t.admin.id);
    expect(decodeSegment(token.split('.')[0]).kid).toBe(decodeSegment(t.admin.token.split('.')[0]).kid);
    expectUnauthorized(await me(token));

    // Control: the same construction with a live lifetime is accepted.
    const live = new LocalTokenService(t.db, issuer, 600);
    await live.init();
    expect((await me((await live.issue(t.admin.id)).token)).statusCode).toBe(200);
  });

  it('refuses a token from another issuer, even with the server key', async () => {
    const foreign = new LocalTokenService(t.db, 'https://evil.example', 600);
    await foreign.init();
    expectUnauthorized(await me((await foreign.issue(t.admin.id)).token));
  });

  it('refuses a token whose payload was changed', async () => {
    const user = await t.userWith([]);
    const [header, payload, signature] = user.token.split('.');
    const claims = decodeSegment(payload);
    const tampered = `${header}.${segment({ ...claims, sub: t.admin.id })}.${signature}`;
    expectUnauthorized(await me(tampered));
    const prolonged = `${header}.${segment({ ...claims, exp: Number(claims.exp) + 86_400 })}.${signature}`;
    expectUnauthorized(await me(prolonged));
    expect((await me(user.token)).statusCode).toBe(200);
  });

  it('refuses an unsigned token (alg none)', async () => {
    const [header, payload] = t.admin.token.split('.');
    const unsigned = `${segment({ ...decodeSegment(header), alg: 'none' })}.${payload}.`;
    expectUnauthorized(await me(unsigned));
    const noKid = `${segment({ alg: 'none', typ: 'JWT' })}.${payload}.`;
    expectUnauthorized(await me(noKid));
  });

  it('refuses a token with a wrong signature', async () => {
    const [header, payload] = t.admin.token.split('.');
    const forged = `${header}.${payload}.${Buffer.alloc(64, 7).toString('base64url')}`;
    expectUnauthorized(await me(forged));
  });

  it("stops accepting a deactivated employee's access token", async () => {
    const user = await t.userWith(['employees.read']);
    expect((await me(user.token)).statusCode).toBe(200);
    expect((await t.request('DELETE', `/api/employees/${user.id}`)).statusCode).toBe(204);
    expectUnauthorized(await me(user.token));
  });
});
