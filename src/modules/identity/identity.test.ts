import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, expectProblem, startTestApp, type TestApp } from '../../../test/helpers.ts';
import { LOCAL_AUDIENCE } from '../../core/auth/local-tokens.ts';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe('GET /.well-known/jwks.json', () => {
  it('publishes the public signing keys without a token, and no private part', async () => {
    const res = await t.request('GET', '/.well-known/jwks.json', { token: null });
    expect(res.statusCode, res.body).toBe(200);
    const { keys } = res.json() as { keys: Array<Record<string, unknown>> };
    expect(keys.length).toBeGreaterThanOrEqual(1);
    for (const key of keys) {
      expect(key).toMatchObject({ kid: expect.any(String), alg: 'EdDSA', kty: 'OKP', crv: 'Ed25519', use: 'sig' });
      expect(key.x).toEqual(expect.any(String));
      expect(key).not.toHaveProperty('d');
    }
  });

  it('verifies an access token from login', async () => {
    const jwks = (await t.request('GET', '/.well-known/jwks.json', { token: null })).json() as JSONWebKeySet;
    const login = await t.request('POST', '/api/auth/login', {
      token: null,
      body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
    });
    expect(login.statusCode, login.body).toBe(200);
    const accessToken: string = login.json().access_token;

    const header = decodeProtectedHeader(accessToken);
    expect(header.alg).toBe('EdDSA');
    expect(jwks.keys.map((k) => k.kid)).toContain(header.kid);

    const { payload } = await jwtVerify(accessToken, createLocalJWKSet(jwks), {
      issuer: t.server.ctx.core.config.PUBLIC_URL,
      audience: LOCAL_AUDIENCE,
      algorithms: ['EdDSA'],
    });
    expect(payload.sub).toBe(t.admin.id);
    expect(payload.jti).toEqual(expect.any(String));
    expect(Number(payload.exp) - Number(payload.iat)).toBe(t.server.ctx.core.config.ACCESS_TOKEN_TTL_SECONDS);

    // And it rejects a token whose payload was changed.
    const [h, , s] = accessToken.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...payload, sub: randomUUID() })).toString('base64url')}.${s}`;
    await expect(jwtVerify(forged, createLocalJWKSet(jwks))).rejects.toThrow();
  });
});

describe('GET /api/auth/config', () => {
  it('describes local sign-in without a token', async () => {
    const res = await t.request('GET', '/api/auth/config', { token: null });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      modes: ['local'],
      issuer: null,
      client_id: null,
      authorization_endpoint: null,
      end_session_endpoint: null,
      scopes: [],
    });
  });
});

describe('Idempotency-Key on POST', () => {
  async function departmentsNamed(name: string): Promise<number> {
    const res = await t.request('GET', `/api/departments?search=${encodeURIComponent(name)}`);
    expect(res.statusCode, res.body).toBe(200);
    return (res.json().items as Array<{ name: string }>).filter((d) => d.name === name).length;
  }

  it('replays the first response without a second record', async () => {
    const name = `Dept ${randomUUID().slice(0, 8)}`;
    const key = randomUUID();
    const first = await t.request('POST', '/api/departments', { body: { name }, headers: { 'idempotency-key': key } });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.headers.location).toMatch(new RegExp(`/api/departments/${first.json().id}$`));

    const replay = await t.request('POST', '/api/departments', { body: { name }, headers: { 'idempotency-key': key } });
    expect(replay.statusCode).toBe(201);
    expect(replay.json()).toEqual(first.json());
    expect(replay.headers.location).toBe(first.headers.location);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(await departmentsNamed(name)).toBe(1);

    // Control: without the key the same body does create a second record.
    const again = await t.request('POST', '/api/departments', { body: { name } });
    expect(again.statusCode).toBe(201);
    expect(again.json().id).not.toBe(first.json().id);
    expect(await departmentsNamed(name)).toBe(2);
  });

  it('answers 422 for the same key with a different body', async () => {
    const name = `Dept ${randomUUID().slice(0, 8)}`;
    const key = randomUUID();
    const first = await t.request('POST', '/api/departments', { body: { name }, headers: { 'idempotency-key': key } });
    expect(first.statusCode, first.body).toBe(201);
    const other = await t.request('POST', '/api/departments', {
      body: { name: `${name} changed` },
      headers: { 'idempotency-key': key },
    });
    const problem = expectProblem(other, 422);
    expect(problem.errors).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);
    expect(await departmentsNamed(`${name} changed`)).toBe(0);
  });

  it('scopes the key to the principal', async () => {
    const name = `Dept ${randomUUID().slice(0, 8)}`;
    const key = randomUUID();
    const hr = await t.userWith(['employees.read', 'employees.write']);
    const byAdmin = await t.request('POST', '/api/departments', {
      body: { name },
      headers: { 'idempotency-key': key },
    });
    const byHr = await t.request('POST', '/api/departments', {
      token: hr.token,
      body: { name },
      headers: { 'idempotency-key': key },
    });
    expect(byAdmin.statusCode).toBe(201);
    expect(byHr.statusCode).toBe(201);
    expect(byHr.headers['idempotent-replayed']).toBeUndefined();
    expect(byHr.json().id).not.toBe(byAdmin.json().id);
    expect(await departmentsNamed(name)).toBe(2);
  });
});

describe('Idempotency-Key on public POSTs', () => {
  it('is ignored on login, so issued tokens are never stored or replayed', async () => {
    const body = { email: ADMIN_EMAIL, password: ADMIN_PASSWORD };
    const headers = { 'idempotency-key': 'login-once' };
    const first = await t.request('POST', '/api/auth/login', { token: null, body, headers });
    const second = await t.request('POST', '/api/auth/login', { token: null, body, headers });
    expect(first.statusCode).toBe(200);
    expect(second.statusCode).toBe(200);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(second.json().refresh_token).not.toBe(first.json().refresh_token);
  });
});
