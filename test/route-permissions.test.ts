import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestUser } from './helpers.ts';

/** The routes anyone may call, as SPEC 1 lists them. Anything else needs a token. */
const PUBLIC_ROUTES = new Set([
  'GET /health/live',
  'GET /health/ready',
  'GET /metrics',
  'GET /openapi.json',
  'GET /.well-known/jwks.json',
  'GET /api/auth/config',
  'POST /api/auth/login',
  'POST /api/auth/refresh',
  'POST /api/auth/callback',
  'GET /api/auth/login/oidc',
]);

function concreteUrl(url: string): string {
  return url
    .replace(/:id\b/g, randomUUID())
    .replace(/:code\b/g, 'KIT-9999')
    .replace(/:[a-z_]+/g, 'x');
}

describe('every registered route', () => {
  let t: TestApp;
  let nobody: TestUser;
  let routes: Array<{ method: string; url: string; permission: string }>;

  beforeAll(async () => {
    t = await startTestApp();
    nobody = await t.userWith([]);
    routes = t.app.routeTable.filter(
      (r) => r.method !== 'HEAD' && r.method !== 'OPTIONS' && !r.url.startsWith('/docs'),
    );
  });
  afterAll(() => t.close());

  it('declares exactly the public routes of the spec as public', () => {
    const declaredPublic = routes.filter((r) => r.permission === 'public').map((r) => `${r.method} ${r.url}`);
    expect(new Set(declaredPublic)).toEqual(PUBLIC_ROUTES);
  });

  it('answers 401 with problem+json and WWW-Authenticate without a token', async () => {
    const protectedRoutes = routes.filter((r) => r.permission !== 'public');
    expect(protectedRoutes.length).toBeGreaterThan(20);
    for (const route of protectedRoutes) {
      const res = await t.request(route.method as 'GET', concreteUrl(route.url), { token: null });
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['www-authenticate']).toBe('Bearer');
    }
  });

  it('answers 401 for a malformed or foreign token', async () => {
    for (const token of ['garbage', 'a.b.c', `${t.admin.token.slice(0, -4)}AAAA`]) {
      const res = await t.request('GET', '/api/auth/me', { token });
      expect(res.statusCode).toBe(401);
    }
  });

  it('answers 403 to a signed-in user who lacks the declared permission', async () => {
    const guarded = routes.filter((r) => r.permission !== 'public' && r.permission !== 'authenticated');
    for (const route of guarded) {
      const res = await t.request(route.method as 'GET', concreteUrl(route.url), { token: nobody.token });
      expect(res.statusCode, `${route.method} ${route.url} (${route.permission})`).toBe(403);
      expect(res.json().detail).toContain(route.permission);
    }
  });

  it('lets a user without permissions reach the authenticated-only routes', async () => {
    for (const url of ['/api/auth/me', '/api/employees/me']) {
      const res = await t.request('GET', url, { token: nobody.token });
      expect(res.statusCode, url).toBe(200);
    }
  });

  it('fails to build an app with a route that declares no permission', async () => {
    const Fastify = (await import('fastify')).default;
    const { registerAuthHooks } = await import('../src/core/auth/auth-hook.ts');
    const app = Fastify();
    registerAuthHooks(app, { authenticate: async () => Promise.reject(new Error('unused')) });
    expect(() => app.get('/api/undeclared', async () => 'x')).toThrow(/declares no permission/);
    await app.close();
  });
});
