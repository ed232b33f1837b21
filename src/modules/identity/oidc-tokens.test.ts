import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, startTestApp, type TestApp } from '../../../test/helpers.ts';
import {
  JWT_CLIENT,
  OPAQUE_CLIENT,
  OTHER_PROJECT_CLIENT,
  PROJECT_ID,
  startTestIdp,
  type TestIdp,
} from '../../../test/idp/test-idp.ts';

/** Bearer validation of IdP access tokens against a real OpenID provider on loopback. */
describe('IdP access tokens', () => {
  let idp: TestIdp;
  let t: TestApp;
  const base = { email_verified: true, given_name: 'Ada', family_name: 'Lovelace' };

  beforeAll(async () => {
    idp = await startTestIdp({
      users: [
        { sub: 'u-ada', email: 'ada@workmate.test', ...base, roles: ['employee'] },
        { sub: 'u-opaque', email: 'opaque@workmate.test', ...base, given_name: 'Olga', roles: ['employee'] },
        { sub: 'u-revoked', email: 'revoked@workmate.test', ...base, roles: ['employee'] },
        { sub: 'u-rotate', email: 'rotate@workmate.test', ...base, roles: ['employee'] },
      ],
    });
    // The app introspects with the opaque client's credentials and accepts JWTs for either client.
    t = await startTestApp({
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: OPAQUE_CLIENT.id,
      OIDC_CLIENT_SECRET: OPAQUE_CLIENT.secret,
      OIDC_PROJECT_ID: PROJECT_ID,
    });
  });

  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  async function validPayload(overrides: Record<string, unknown> = {}) {
    const now = Math.floor(Date.now() / 1000);
    return {
      iss: idp.issuer,
      sub: 'u-ada',
      aud: [PROJECT_ID, JWT_CLIENT.id],
      iat: now,
      exp: now + 600,
      jti: `jti-${Math.random()}`,
      email: 'ada@workmate.test',
      email_verified: true,
      [`urn:zitadel:iam:org:project:${PROJECT_ID}:roles`]: { employee: {} },
      ...overrides,
    };
  }

  it('a JWT access token from the provider (typ JWT, aud array) reaches /api/auth/me', async () => {
    const { access_token } = await idp.tokens('u-ada');
    const header = JSON.parse(Buffer.from(access_token.split('.')[0] ?? '', 'base64url').toString());
    expect(header.typ).toBe('JWT');
    const res = await t.request('GET', '/api/auth/me', { token: access_token });
    expect(res.statusCode, res.body).toBe(200);
    const me = res.json();
    expect(me.email).toBe('ada@workmate.test');
    expect(me.first_name).toBe('Ada');
    expect(me.sso_subject).toBe('u-ada');
    expect(me.roles.map((r: { name: string }) => r.name)).toEqual(['Employee']);
  });

  it('an opaque access token reaches /api/auth/me through introspection, cached', async () => {
    const { access_token } = await idp.tokens('u-opaque', { clientId: OPAQUE_CLIENT.id });
    expect(access_token.split('.').length).toBe(1);
    const before = idp.calls('/oauth/v2/introspect');
    for (let i = 0; i < 3; i++) {
      const res = await t.request('GET', '/api/auth/me', { token: access_token });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().email).toBe('opaque@workmate.test');
    }
    expect(idp.calls('/oauth/v2/introspect') - before).toBe(1);
  });

  it('a revoked opaque token is 401', async () => {
    const { access_token } = await idp.tokens('u-revoked', { clientId: OPAQUE_CLIENT.id });
    await idp.revoke(access_token);
    expectProblem(await t.request('GET', '/api/auth/me', { token: access_token }), 401);
  });

  it('an opaque token issued for another project is 401 (introspection aud checked)', async () => {
    const { access_token } = await idp.tokens('u-revoked', { clientId: OTHER_PROJECT_CLIENT.id });
    const body = expectProblem(await t.request('GET', '/api/auth/me', { token: access_token }), 401);
    expect(body.detail).toMatch(/another audience/);
  });

  it('a self-signed token with the right key and claims is accepted (control for the cases below)', async () => {
    const res = await t.request('GET', '/api/auth/me', { token: await idp.sign(await validPayload()) });
    expect(res.statusCode, res.body).toBe(200);
  });

  it.each([
    ['expired', { exp: Math.floor(Date.now() / 1000) - 120 }],
    ['not yet valid', { nbf: Math.floor(Date.now() / 1000) + 600 }],
    ['wrong issuer', { iss: 'http://127.0.0.1:1/evil' }],
    ['wrong audience', { aud: ['someone-else'] }],
  ])('%s → 401 problem+json', async (_name, overrides) => {
    const token = await idp.sign(await validPayload(overrides));
    const body = expectProblem(await t.request('GET', '/api/auth/me', { token }), 401);
    expect(body.detail).toMatch(/not valid/);
  });

  it('alg none → 401', async () => {
    const payload = Buffer.from(JSON.stringify(await validPayload())).toString('base64url');
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    expectProblem(await t.request('GET', '/api/auth/me', { token: `${header}.${payload}.` }), 401);
  });

  it('HS256 signed with the public key → 401', async () => {
    const { SignJWT } = await import('jose');
    const jwk = idp.currentPublicJwk();
    const secret = new TextEncoder().encode(JSON.stringify(jwk));
    const token = await new SignJWT(await validPayload())
      .setProtectedHeader({ alg: 'HS256', kid: jwk.kid, typ: 'JWT' })
      .sign(secret);
    expectProblem(await t.request('GET', '/api/auth/me', { token }), 401);
  });

  it('a tampered signature or payload → 401', async () => {
    const token = await idp.sign(await validPayload());
    const [h, p, s] = token.split('.') as [string, string, string];
    const flipped = `${s.slice(0, -2)}${s.endsWith('AA') ? 'BB' : 'AA'}`;
    expectProblem(await t.request('GET', '/api/auth/me', { token: `${h}.${p}.${flipped}` }), 401);
    const otherPayload = Buffer.from(JSON.stringify(await validPayload({ sub: 'u-rotate' }))).toString('base64url');
    expectProblem(await t.request('GET', '/api/auth/me', { token: `${h}.${otherPayload}.${s}` }), 401);
  });

  it('garbage bearer tokens are 401, and local tokens keep working beside IdP tokens', async () => {
    expectProblem(await t.request('GET', '/api/auth/me', { token: 'not-a-token' }), 401);
    const res = await t.request('GET', '/api/auth/me');
    expect(res.statusCode).toBe(200);
    expect(res.json().email).toBe(t.admin.email);
  });

  it('after the provider rotates its keys, a token signed with the new key is accepted after one JWKS refetch', async () => {
    const first = await idp.tokens('u-rotate');
    expect((await t.request('GET', '/api/auth/me', { token: first.access_token })).statusCode).toBe(200);
    await idp.rotateKeys();
    const before = idp.calls('/oauth/v2/keys');
    const second = await idp.tokens('u-rotate');
    const results = await Promise.all(
      Array.from({ length: 5 }, () => t.request('GET', '/api/auth/me', { token: second.access_token })),
    );
    for (const res of results) expect(res.statusCode, res.body).toBe(200);
    expect(idp.calls('/oauth/v2/keys') - before).toBe(1);
  });

  it('/health/ready reports the identity provider without failing readiness', async () => {
    const res = await t.request('GET', '/health/ready', { token: null });
    expect(res.statusCode).toBe(200);
    expect(res.json().identity_provider).toMatchObject({ status: 'ready', issuer: idp.issuer });
  });

  it('/api/auth/config reports both modes and the endpoints', async () => {
    const res = await t.request('GET', '/api/auth/config', { token: null });
    expect(res.json()).toEqual({
      modes: ['local', 'oidc'],
      issuer: idp.issuer,
      client_id: OPAQUE_CLIENT.id,
      authorization_endpoint: `${idp.issuer}/oauth/v2/authorize`,
      end_session_endpoint: `${idp.issuer}/oidc/v1/end_session`,
      scopes: ['openid', 'profile', 'email', 'offline_access'],
    });
  });
});
