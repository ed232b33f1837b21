import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectProblem, startTestApp, type TestApp } from '../../../test/helpers.ts';
import {
  JWT_CLIENT,
  OPAQUE_CLIENT,
  PROJECT_ID,
  startTestIdp,
  type TestIdp,
  USERINFO_CLIENT,
} from '../../../test/idp/test-idp.ts';

const user = {
  sub: 'u-late',
  email: 'late@workmate.test',
  email_verified: true,
  given_name: 'Late',
  family_name: 'Comer',
  roles: ['employee'],
};

describe('identity provider availability and client authentication', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const fn of cleanup.reverse()) await fn();
  });

  it('the server starts while the IdP is down, reports it, and works once the IdP is up', async () => {
    // Find a free loopback port, then leave it empty for now.
    const probe = await startTestIdp();
    const port = Number(new URL(probe.issuer).port);
    await probe.close();

    const t: TestApp = await startTestApp({
      OIDC_ISSUER: `http://127.0.0.1:${port}`,
      OIDC_CLIENT_ID: JWT_CLIENT.id,
      OIDC_CLIENT_SECRET: JWT_CLIENT.secret,
      OIDC_PROJECT_ID: PROJECT_ID,
    });
    cleanup.push(() => t.close());
    const ready = await t.request('GET', '/health/ready', { token: null });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().identity_provider.status).toMatch(/pending|error/);
    expect(ready.json().identity_provider.last_error).toBeTruthy();
    const config = await t.request('GET', '/api/auth/config', { token: null });
    expect(config.json().modes).toEqual(['local', 'oidc']);
    expect(config.json().authorization_endpoint).toBeNull();
    // Local sign-in is unaffected.
    expect((await t.request('GET', '/api/auth/me')).statusCode).toBe(200);

    const idp: TestIdp = await startTestIdp({ port, users: [user] });
    cleanup.push(() => idp.close());
    const { access_token } = await idp.tokens('u-late');
    const me = await t.request('GET', '/api/auth/me', { token: access_token });
    expect(me.statusCode, me.body).toBe(200);
    const after = await t.request('GET', '/health/ready', { token: null });
    expect(after.json().identity_provider.status).toBe('ready');
  });

  it('introspects opaque tokens with private_key_jwt from a Zitadel API-app key file', async () => {
    const idp = await startTestIdp({ users: [{ ...user, sub: 'u-key', email: 'key@workmate.test' }] });
    cleanup.push(() => idp.close());
    const keyFile = join(tmpdir(), `zitadel-key-${process.pid}-${Date.now()}.json`);
    writeFileSync(keyFile, idp.apiKeyFile());
    const t = await startTestApp({
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: OPAQUE_CLIENT.id,
      OIDC_KEY_FILE: keyFile,
      OIDC_PROJECT_ID: PROJECT_ID,
    });
    cleanup.push(() => t.close());
    const { access_token } = await idp.tokens('u-key', { clientId: OPAQUE_CLIENT.id });
    const before = idp.calls('/oauth/v2/introspect');
    const res = await t.request('GET', '/api/auth/me', { token: access_token });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().email).toBe('key@workmate.test');
    expect(idp.calls('/oauth/v2/introspect') - before).toBe(1);
    expectProblem(await t.request('GET', '/api/auth/me', { token: 'opaque-but-unknown' }), 401);
  });

  it('unknown key ids cannot make the server hammer the JWKS endpoint (at most 10 fetches a minute)', async () => {
    const idp = await startTestIdp({ users: [{ ...user, sub: 'u-kid', email: 'kid@workmate.test' }] });
    cleanup.push(() => idp.close());
    const t = await startTestApp({
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: JWT_CLIENT.id,
      OIDC_CLIENT_SECRET: JWT_CLIENT.secret,
      OIDC_PROJECT_ID: PROJECT_ID,
    });
    cleanup.push(() => t.close());
    const now = Math.floor(Date.now() / 1000);
    const payload = { iss: idp.issuer, sub: 'u-kid', aud: [PROJECT_ID], iat: now, exp: now + 600 };
    const before = idp.calls('/oauth/v2/keys');
    for (let i = 0; i < 25; i++) {
      const token = await idp.sign({ ...payload, jti: `j${i}` }, { kid: `unknown-kid-${i}` });
      expectProblem(await t.request('GET', '/api/auth/me', { token }), 401);
    }
    const fetches = idp.calls('/oauth/v2/keys') - before;
    expect(fetches).toBeGreaterThan(0);
    expect(fetches).toBeLessThanOrEqual(10);
  });

  it('names, e-mail and roles come from userinfo when the token and introspection lack them', async () => {
    const idp = await startTestIdp({
      users: [{ ...user, sub: 'u-info', email: 'info@workmate.test', roles: ['manager'], claimsInToken: false }],
    });
    cleanup.push(() => idp.close());
    const t = await startTestApp({
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: USERINFO_CLIENT.id,
      OIDC_CLIENT_SECRET: USERINFO_CLIENT.secret,
      OIDC_PROJECT_ID: PROJECT_ID,
    });
    cleanup.push(() => t.close());
    const { access_token } = await idp.tokens('u-info', { clientId: USERINFO_CLIENT.id });
    const before = idp.calls('/oidc/v1/userinfo');
    const res = await t.request('GET', '/api/auth/me', { token: access_token });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ email: 'info@workmate.test', first_name: 'Late', last_name: 'Comer' });
    expect(res.json().role.name).toBe('Manager');
    expect(idp.calls('/oidc/v1/userinfo') - before).toBe(1);
    // Once per token: later requests use the cached session.
    await t.request('GET', '/api/auth/me', { token: access_token });
    expect(idp.calls('/oidc/v1/userinfo') - before).toBe(1);
  });
});
