import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggerOptions } from '../src/app.ts';
import { connectDatabase, openPglite } from '../src/core/db/connect.ts';
import type { CoreDeps } from '../src/core/deps.ts';
import { registerErrorHandler } from '../src/core/http/error-handler.ts';
import { healthRoutes } from '../src/core/http/health-routes.ts';
import { HealthRegistry } from '../src/core/observability/health.ts';
import { createServer } from '../src/server.ts';
import { expectProblem, startTestApp, type TestApp, type TestUser, testConfig } from './helpers.ts';

const METRICS_TOKEN = 'metrics-secret-token';
const ALLOWED_ORIGIN = 'https://app.example.com';

let t: TestApp;
/** A second app on the same database with CORS_ORIGINS and METRICS_TOKEN set. */
let configured: FastifyInstance;
let writer: TestUser;
/** What the configured app logs (JSON lines). */
const logLines: string[] = [];

beforeAll(async () => {
  t = await startTestApp();
  const stream = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const server = await createServer(testConfig({ CORS_ORIGINS: ALLOWED_ORIGIN, METRICS_TOKEN }), {
    db: t.db,
    logger: { ...(loggerOptions('info', false) as object), stream },
  });
  configured = server.app;
  writer = await t.userWith(['employees.read', 'employees.write']);
});
afterAll(async () => {
  // The second app shares t's database; close only its HTTP side.
  await configured?.close();
  await t?.close();
});

let seq = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++seq}-${randomUUID().slice(0, 6)}`;

async function createDepartment(body: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const res = await t.request('POST', '/api/departments', { body: { name: unique('Dept'), ...body } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

function fields(problem: Record<string, unknown>): string[] {
  return ((problem.errors ?? []) as Array<{ field: string }>).map((e) => e.field);
}

function expectFullProblem(res: LightMyRequestResponse, status: number): Record<string, unknown> {
  const problem = expectProblem(res, status);
  expect(problem.type).toEqual(expect.any(String));
  expect(problem.title).toEqual(expect.any(String));
  expect(problem.status).toBe(status);
  expect(problem.detail).toEqual(expect.any(String));
  expect(problem.request_id).toBe(res.headers['x-request-id']);
  return problem;
}

describe('errors are problem+json', () => {
  it('answers an unknown route with 404', async () => {
    const res = await t.request('GET', '/api/no-such-thing');
    const problem = expectFullProblem(res, 404);
    expect(problem.title).toBe('Not Found');
    expect(problem.type).toMatch(/^urn:workmate:problem:/);
  });

  it('answers an unknown route without a token with 404 too (nothing to protect)', async () => {
    expectFullProblem(await t.request('GET', '/no/such/path', { token: null }), 404);
  });

  it('answers malformed JSON with 400', async () => {
    const res = await t.request('POST', '/api/departments', {
      body: '{"name": "broken',
      headers: { 'content-type': 'application/json' },
    });
    expectFullProblem(res, 400);
  });

  it('answers an empty JSON body with 400 and a missing body with 422', async () => {
    const empty = await t.request('POST', '/api/departments', {
      body: '',
      headers: { 'content-type': 'application/json' },
    });
    expectFullProblem(empty, 400);
    expectFullProblem(await t.request('POST', '/api/departments'), 422);
  });

  it('refuses prototype poisoning in JSON with 400', async () => {
    for (const body of [
      '{"name":"x","__proto__":{"admin":true}}',
      '{"name":"x","constructor":{"prototype":{"a":1}}}',
    ]) {
      const res = await t.request('POST', '/api/departments', {
        body,
        headers: { 'content-type': 'application/json' },
      });
      expectFullProblem(res, 400);
    }
  });

  it('answers a body over BODY_LIMIT_BYTES with 413', async () => {
    const res = await t.request('POST', '/api/departments', {
      body: { name: 'big', description: 'x'.repeat(1_100_000) },
    });
    expectFullProblem(res, 413);
  });

  it('answers a body of the wrong type (array instead of object) with 422', async () => {
    const res = await t.request('POST', '/api/departments', { body: [{ name: 'x' }] });
    expectFullProblem(res, 422);
  });

  it('answers an unsupported content type with 415', async () => {
    const res = await t.request('POST', '/api/departments', {
      body: 'name=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectFullProblem(res, 415);
  });

  it('echoes a valid X-Request-Id in the header and the problem', async () => {
    const res = await t.request('GET', '/api/no-such-thing', { headers: { 'x-request-id': 'client-req.42:abc' } });
    expect(res.headers['x-request-id']).toBe('client-req.42:abc');
    expect(expectProblem(res, 404).request_id).toBe('client-req.42:abc');
  });

  it('replaces an invalid X-Request-Id with a fresh one', async () => {
    for (const bad of ['has spaces in it', 'x'.repeat(65), 'semi;colon']) {
      const res = await t.request('GET', '/api/no-such-thing', { headers: { 'x-request-id': bad } });
      const id = res.headers['x-request-id'];
      expect(id).not.toBe(bad);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(expectProblem(res, 404).request_id).toBe(id);
    }
  });

  it('gives every response a request id, distinct per request', async () => {
    const a = await t.request('GET', '/health/live');
    const b = await t.request('GET', '/health/live');
    expect(a.headers['x-request-id']).toEqual(expect.any(String));
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
  });

  it('answers 401 with WWW-Authenticate and a problem', async () => {
    const res = await t.request('GET', '/api/departments', { token: null });
    expectFullProblem(res, 401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it('never leaks a message, stack or SQL in a 500', async () => {
    // The shared error handler on a bare app with routes that fail the way a bug would.
    const app = Fastify({ logger: false });
    registerErrorHandler(app);
    app.get('/boom', async () => {
      throw new Error('relation "secret_table" does not exist: select password_hash from secret_table');
    });
    app.get('/pg', async () => {
      const error = new Error('syntax error at or near "selec"') as Error & { code: string };
      error.code = '42601';
      throw new Error('Failed query: selec * from employees', { cause: error });
    });
    try {
      for (const url of ['/boom', '/pg']) {
        const res = await app.inject({ method: 'GET', url });
        const problem = expectProblem(res, 500);
        expect(problem.title).toBe('Internal Server Error');
        expect(res.body).not.toMatch(/secret_table|password_hash|selec|employees|syntax|at .*\.ts/);
        expect(res.body).not.toContain('stack');
        expect(problem.detail).toContain(String(problem.request_id));
      }
    } finally {
      await app.close();
    }
  });
});

describe('validation (SPEC 1)', () => {
  it('rejects an unknown body field with 422 naming it', async () => {
    const res = await t.request('POST', '/api/departments', { body: { name: 'X', colour: 'red' } });
    const problem = expectFullProblem(res, 422);
    expect(fields(problem)).toContain('colour');
  });

  it('rejects read-only fields in a body', async () => {
    const res = await t.request('POST', '/api/departments', {
      body: { name: 'X', id: randomUUID(), employee_count: 3 },
    });
    const problem = expectFullProblem(res, 422);
    expect(fields(problem)).toEqual(expect.arrayContaining(['id', 'employee_count']));
  });

  it('requires name', async () => {
    const problem = expectFullProblem(await t.request('POST', '/api/departments', { body: { code: 'X' } }), 422);
    expect(fields(problem)).toContain('name');
  });

  it('does not coerce types in a body', async () => {
    for (const body of [{ name: 5 }, { name: true }, { name: ['Sales'] }, { name: 'Sales', description: 7 }]) {
      const res = await t.request('POST', '/api/departments', { body });
      const problem = expectFullProblem(res, 422);
      expect(fields(problem).length, JSON.stringify(body)).toBeGreaterThan(0);
    }
    const problem = expectProblem(await t.request('POST', '/api/departments', { body: { name: 5 } }), 422);
    expect(fields(problem)).toContain('name');
  });

  it('trims strings: "  Sales  " is stored as "Sales"', async () => {
    const code = unique('c')
      .replace(/[^A-Za-z0-9_-]/g, '')
      .slice(0, 30);
    const res = await t.request('POST', '/api/departments', {
      body: { name: '  Sales  ', code: `  ${code}  `, description: '  text  ' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json();
    expect(created.name).toBe('Sales');
    expect(created.code).toBe(code);
    expect(created.description).toBe('text');
    const read = await t.request('GET', `/api/departments/${created.id}`);
    expect(read.json().name).toBe('Sales');
  });

  it('rejects a name of only blanks', async () => {
    const problem = expectFullProblem(await t.request('POST', '/api/departments', { body: { name: '   ' } }), 422);
    expect(fields(problem)).toContain('name');
  });

  it('validates the pattern of code', async () => {
    const problem = expectFullProblem(
      await t.request('POST', '/api/departments', { body: { name: 'X', code: 'has space' } }),
      422,
    );
    expect(fields(problem)).toContain('code');
  });

  it('rejects an unknown id in a body with 422 naming the field', async () => {
    const res = await t.request('POST', '/api/departments', { body: { name: 'X', manager_id: randomUUID() } });
    const problem = expectFullProblem(res, 422);
    expect(fields(problem)).toContain('manager_id');
  });

  it('rejects a malformed uuid in a body', async () => {
    const res = await t.request('POST', '/api/departments', { body: { name: 'X', manager_id: 'not-a-uuid' } });
    expect(fields(expectFullProblem(res, 422))).toContain('manager_id');
  });

  it('answers a duplicate code with 409 naming the field', async () => {
    const code = `D${randomUUID().slice(0, 8)}`;
    await createDepartment({ code });
    const res = await t.request('POST', '/api/departments', { body: { name: 'Other', code } });
    const problem = expectFullProblem(res, 409);
    expect(fields(problem)).toEqual(['code']);
  });

  it('answers a malformed id in a path with 422 and an unknown id with 404', async () => {
    expect(fields(expectFullProblem(await t.request('GET', '/api/departments/not-a-uuid'), 422))).toContain('id');
    expectFullProblem(await t.request('GET', `/api/departments/${randomUUID()}`), 404);
    expectFullProblem(await t.request('PATCH', `/api/departments/${randomUUID()}`, { body: { name: 'Y' } }), 404);
    expectFullProblem(await t.request('DELETE', `/api/departments/${randomUUID()}`), 404);
  });

  it('validates list queries: limit, skip, sort and unknown parameters', async () => {
    const cases: Array<[string, string]> = [
      ['limit=abc', 'limit'],
      ['limit=0', 'limit'],
      ['limit=501', 'limit'],
      ['limit=1.5', 'limit'],
      ['skip=-1', 'skip'],
      ['sort=password_hash', 'sort'],
      ['sort=name,-nonsense', 'sort'],
      ['sort=name;drop', 'sort'],
      ['colour=red', 'colour'],
      ['manager_id=nope', 'manager_id'],
    ];
    for (const [query, field] of cases) {
      const res = await t.request('GET', `/api/departments?${query}`);
      const problem = expectFullProblem(res, 422);
      expect(fields(problem), query).toContain(field);
    }
  });

  it('accepts the boundaries and reports the envelope', async () => {
    for (const limit of [1, 500]) {
      const res = await t.request('GET', `/api/departments?limit=${limit}&skip=0&sort=-name,code`);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ skip: 0, limit, total: expect.any(Number), items: expect.any(Array) });
    }
    const defaults = (await t.request('GET', '/api/departments')).json();
    expect(defaults).toMatchObject({ skip: 0, limit: 50 });
  });

  it('pages, sorts and searches with the list helper', async () => {
    const tag = unique('Paging').replace(/-/g, '');
    for (const n of ['b', 'a', 'c']) await createDepartment({ name: `${tag} ${n}` });
    await createDepartment({ name: `${tag}_x% special` });
    const page1 = (await t.request('GET', `/api/departments?search=${tag}%20&sort=name&limit=2`)).json();
    expect(page1.total).toBe(3);
    expect(page1.items.map((d: { name: string }) => d.name)).toEqual([`${tag} a`, `${tag} b`]);
    const page2 = (await t.request('GET', `/api/departments?search=${tag}%20&sort=name&limit=2&skip=2`)).json();
    expect(page2.items.map((d: { name: string }) => d.name)).toEqual([`${tag} c`]);
    const desc = (await t.request('GET', `/api/departments?search=${tag.toLowerCase()}%20&sort=-name`)).json();
    expect(desc.items.map((d: { name: string }) => d.name)).toEqual([`${tag} c`, `${tag} b`, `${tag} a`]);
    // % and _ are literal in a search.
    const literal = (await t.request('GET', `/api/departments?search=${encodeURIComponent('_x%')}`)).json();
    expect(literal.items.map((d: { name: string }) => d.name)).toEqual([`${tag}_x% special`]);
    // Default order: newest first.
    const newest = (await t.request('GET', `/api/departments?search=${tag}`)).json();
    expect(newest.items[0].name).toBe(`${tag}_x% special`);
  });
});

describe('ETag and If-Match', () => {
  it('gives an ETag on GET that a PATCH must match', async () => {
    const department = await createDepartment();
    const url = `/api/departments/${department.id}`;
    const read = await t.request('GET', url);
    const etag = read.headers.etag;
    expect(etag).toMatch(/^"[^"]+"$/);

    const updated = await t.request('PATCH', url, {
      body: { description: 'first' },
      headers: { 'if-match': String(etag) },
    });
    expect(updated.statusCode, updated.body).toBe(200);
    const newEtag = updated.headers.etag;
    expect(newEtag).toMatch(/^"[^"]+"$/);
    expect(newEtag).not.toBe(etag);
    expect((await t.request('GET', url)).headers.etag).toBe(newEtag);

    const stale = await t.request('PATCH', url, {
      body: { description: 'second' },
      headers: { 'if-match': String(etag) },
    });
    expectFullProblem(stale, 412);
    expect((await t.request('GET', url)).json().description).toBe('first');

    const weak = await t.request('PUT', url, {
      body: { description: 'weak' },
      headers: { 'if-match': `W/${newEtag}` },
    });
    expect(weak.statusCode, weak.body).toBe(200);

    const any = await t.request('PATCH', url, { body: { description: 'any' }, headers: { 'if-match': '*' } });
    expect(any.statusCode, any.body).toBe(200);
    expect(any.json().description).toBe('any');

    const listed = await t.request('PATCH', url, {
      body: { description: 'one of many' },
      headers: { 'if-match': `"nope", ${any.headers.etag}` },
    });
    expect(listed.statusCode, listed.body).toBe(200);
  });

  it('keeps PATCH partial and allows writes without If-Match', async () => {
    const department = await createDepartment({ description: 'keep me' });
    const res = await t.request('PATCH', `/api/departments/${department.id}`, { body: { name: 'Renamed' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ name: 'Renamed', description: 'keep me' });
  });

  it('refuses a DELETE with a stale ETag and accepts the current one', async () => {
    const department = await createDepartment();
    const url = `/api/departments/${department.id}`;
    const etag = String((await t.request('GET', url)).headers.etag);
    const updated = await t.request('PATCH', url, { body: { description: 'changed' } });
    expect(updated.statusCode).toBe(200);

    expectFullProblem(await t.request('DELETE', url, { headers: { 'if-match': etag } }), 412);
    expect((await t.request('GET', url)).statusCode).toBe(200);

    const current = String(updated.headers.etag);
    const deleted = await t.request('DELETE', url, { headers: { 'if-match': current } });
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');
    expectFullProblem(await t.request('GET', url), 404);
  });
});

describe('Idempotency-Key on POST', () => {
  it('replays the first response without a second record', async () => {
    const name = unique('Idem');
    const key = randomUUID();
    const first = await t.request('POST', '/api/departments', { body: { name }, headers: { 'idempotency-key': key } });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();

    const replay = await t.request('POST', '/api/departments', { body: { name }, headers: { 'idempotency-key': key } });
    expect(replay.statusCode).toBe(201);
    expect(replay.json()).toEqual(first.json());
    expect(replay.headers.location).toBe(first.headers.location);
    expect(replay.headers.location).toBe(`/api/departments/${first.json().id}`);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.headers['content-type']).toMatch(/^application\/json/);

    const list = (await t.request('GET', `/api/departments?search=${name}`)).json();
    expect(list.total).toBe(1);
  });

  it('answers the same key with a different body with 422', async () => {
    const key = randomUUID();
    const first = await t.request('POST', '/api/departments', {
      body: { name: unique('Idem') },
      headers: { 'idempotency-key': key },
    });
    expect(first.statusCode).toBe(201);
    const other = await t.request('POST', '/api/departments', {
      body: { name: unique('Other') },
      headers: { 'idempotency-key': key },
    });
    expectFullProblem(other, 422);
  });

  it('scopes keys to the principal', async () => {
    const key = randomUUID();
    const name = unique('Scoped');
    const byAdmin = await t.request('POST', '/api/departments', {
      body: { name },
      headers: { 'idempotency-key': key },
    });
    const byWriter = await t.request('POST', '/api/departments', {
      token: writer.token,
      body: { name },
      headers: { 'idempotency-key': key },
    });
    expect(byAdmin.statusCode).toBe(201);
    expect(byWriter.statusCode, byWriter.body).toBe(201);
    expect(byWriter.headers['idempotent-replayed']).toBeUndefined();
    expect(byWriter.json().id).not.toBe(byAdmin.json().id);
    expect((await t.request('GET', `/api/departments?search=${name}`)).json().total).toBe(2);
  });

  it('does not let a rejected request claim the key', async () => {
    const key = randomUUID();
    const invalid = await t.request('POST', '/api/departments', {
      body: { name: 5 },
      headers: { 'idempotency-key': key },
    });
    expectProblem(invalid, 422);
    const name = unique('After');
    const valid = await t.request('POST', '/api/departments', { body: { name }, headers: { 'idempotency-key': key } });
    expect(valid.statusCode, valid.body).toBe(201);
    expect(valid.headers['idempotent-replayed']).toBeUndefined();
    expect((await t.request('GET', `/api/departments?search=${name}`)).json().total).toBe(1);
  });

  it('creates one record when the same key arrives several times at once', async () => {
    const key = randomUUID();
    const name = unique('Parallel');
    const responses = await Promise.all(
      Array.from({ length: 5 }, () =>
        t.request('POST', '/api/departments', { body: { name }, headers: { 'idempotency-key': key } }),
      ),
    );
    const created = responses.filter((r) => r.statusCode === 201);
    const running = responses.filter((r) => r.statusCode === 409);
    expect(created.length + running.length).toBe(5);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(created.filter((r) => r.headers['idempotent-replayed'] === undefined)).toHaveLength(1);
    expect(new Set(created.map((r) => r.json().id)).size).toBe(1);
    for (const r of running) expect(expectProblem(r, 409).code).toBe('idempotency_in_progress');
    expect((await t.request('GET', `/api/departments?search=${name}`)).json().total).toBe(1);
  });

  it('replays a client error too, and keeps keys per route', async () => {
    const code = `I${randomUUID().slice(0, 8)}`;
    await createDepartment({ code });
    const key = randomUUID();
    const body = { name: unique('Dup'), code };
    const first = await t.request('POST', '/api/departments', { body, headers: { 'idempotency-key': key } });
    expectProblem(first, 409);
    const replay = await t.request('POST', '/api/departments', { body, headers: { 'idempotency-key': key } });
    expect(replay.statusCode).toBe(409);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toEqual(first.json());
    // The same key on another route is another claim.
    const role = await t.request('POST', '/api/roles', {
      body: { name: unique('Role'), permissions: [] },
      headers: { 'idempotency-key': key },
    });
    expect(role.statusCode, role.body).toBe(201);
    expect(role.headers['idempotent-replayed']).toBeUndefined();
  });

  it('rejects an over-long key', async () => {
    const res = await t.request('POST', '/api/departments', {
      body: { name: unique('Long') },
      headers: { 'idempotency-key': 'k'.repeat(256) },
    });
    expectFullProblem(res, 422);
  });
});

describe('security headers and CORS', () => {
  it('sets the security headers on ordinary and problem responses', async () => {
    for (const res of [await t.request('GET', '/api/departments'), await t.request('GET', '/api/nope')]) {
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('allows no cross origin when CORS_ORIGINS is empty', async () => {
    const res = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/departments',
      headers: { origin: ALLOWED_ORIGIN, 'access-control-request-method': 'POST' },
    });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers a preflight from an allowed origin', async () => {
    const res = await configured.inject({
      method: 'OPTIONS',
      url: '/api/departments',
      headers: {
        origin: ALLOWED_ORIGIN,
        'access-control-request-method': 'PATCH',
        'access-control-request-headers': 'authorization,if-match,idempotency-key,content-type',
      },
    });
    expect(res.statusCode).toBeLessThan(300);
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
    expect(String(res.headers['access-control-allow-methods'])).toContain('PATCH');
    const allowedHeaders = String(res.headers['access-control-allow-headers']).toLowerCase();
    for (const h of ['authorization', 'if-match', 'idempotency-key', 'content-type']) {
      expect(allowedHeaders).toContain(h);
    }
  });

  it('exposes the API headers to an allowed origin on actual requests', async () => {
    const res = await configured.inject({ method: 'GET', url: '/health/live', headers: { origin: ALLOWED_ORIGIN } });
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
    const exposed = String(res.headers['access-control-expose-headers']).toLowerCase();
    for (const h of ['etag', 'location', 'x-request-id', 'idempotent-replayed']) expect(exposed).toContain(h);
  });

  it('does not allow another origin', async () => {
    const res = await configured.inject({
      method: 'OPTIONS',
      url: '/api/departments',
      headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' },
    });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const get = await configured.inject({
      method: 'GET',
      url: '/health/live',
      headers: { origin: 'https://evil.example.com' },
    });
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('health', () => {
  it('reports liveness', async () => {
    const res = await t.request('GET', '/health/live', { token: null });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('reports readiness with the database and its migrations', async () => {
    const res = await t.request('GET', '/health/ready', { token: null });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.status).toBe('ready');
    expect(body.database).toMatchObject({ kind: t.db.kind, reachable: true });
    const { applied, expected } = body.database.migrations;
    expect(expected).toBeGreaterThanOrEqual(1);
    expect(applied).toBe(expected);
  });
});

describe('readiness failures', () => {
  it('answers 503 while a migration is missing', async () => {
    type MigrationRow = { id: number; hash: string; created_at: string };
    const result = await t.db.root.execute(
      sql`select id, hash, created_at from drizzle.__drizzle_migrations order by created_at desc limit 1`,
    );
    const newest = (result as unknown as { rows: MigrationRow[] }).rows[0];
    if (!newest) throw new Error('no migrations recorded');
    await t.db.root.execute(sql`delete from drizzle.__drizzle_migrations where id = ${newest.id}`);
    try {
      const res = await t.request('GET', '/health/ready', { token: null });
      expect(res.statusCode).toBe(503);
      const body = res.json();
      expect(body.status).toBe('not_ready');
      expect(body.database.reachable).toBe(true);
      expect(body.database.migrations.applied).toBe(body.database.migrations.expected - 1);
      // Liveness does not depend on the database.
      expect((await t.request('GET', '/health/live', { token: null })).statusCode).toBe(200);
    } finally {
      await t.db.root.execute(
        sql`insert into drizzle.__drizzle_migrations (id, hash, created_at) values (${newest.id}, ${newest.hash}, ${newest.created_at})`,
      );
    }
    expect((await t.request('GET', '/health/ready', { token: null })).statusCode).toBe(200);
  });

  it('answers 503 when the database is unreachable', async () => {
    const pglite = await openPglite();
    const db = await connectDatabase({ dataDir: tmpdir(), pglite });
    await db.close();
    const app = Fastify({ logger: false });
    await healthRoutes(app, { db, config: testConfig(), health: new HealthRegistry() } as unknown as CoreDeps);
    try {
      const res = await app.inject({ method: 'GET', url: '/health/ready' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ status: 'not_ready', database: { kind: 'pglite', reachable: false } });
    } finally {
      await app.close();
    }
  });
});

describe('metrics', () => {
  it('serves Prometheus text with request counts by route', async () => {
    const id = randomUUID();
    expect((await t.request('GET', `/api/departments/${id}`)).statusCode).toBe(404);
    expect((await t.request('GET', '/api/departments')).statusCode).toBe(200);
    expect((await t.request('GET', `/api/unrouted-${id}`)).statusCode).toBe(404);
    const res = await t.request('GET', '/metrics', { token: null });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.body;
    expect(text).toContain('# TYPE http_requests_total counter');
    expect(text).toMatch(/http_requests_total\{route="\/api\/departments",method="GET",status="200"\} \d+/);
    expect(text).toMatch(/http_requests_total\{route="\/api\/departments\/:id",method="GET",status="404"\} \d+/);
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(text).toMatch(/http_request_duration_seconds_bucket\{le="[^"]+",route="\/api\/departments"/);
    expect(text).toContain('db_query_duration_seconds');
    // Raw URLs never become labels (unbounded cardinality, ids in metrics).
    expect(text).not.toContain(id);
  });

  it('requires METRICS_TOKEN when it is set', async () => {
    const without = await configured.inject({ method: 'GET', url: '/metrics' });
    expectProblem(without, 401);
    const wrong = await configured.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: 'Bearer wrong' },
    });
    expectProblem(wrong, 401);
    const ok = await configured.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('http_requests_total');
  });
});

describe('request logging', () => {
  it('writes one JSON line per request with id, method, route, status, duration and employee id', async () => {
    const token = (await t.server.ctx.core.localTokens.issue(t.admin.id)).token;
    const res = await configured.inject({
      method: 'GET',
      url: '/api/departments?search=query-text-stays-out',
      headers: { authorization: `Bearer ${token}`, 'x-request-id': 'log-check-1' },
    });
    expect(res.statusCode).toBe(200);
    const entries = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const mine = entries.filter((e) => e.reqId === 'log-check-1');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      msg: 'request',
      method: 'GET',
      route: '/api/departments',
      url: '/api/departments',
      status: 200,
      duration_ms: expect.any(Number),
      employee_id: t.admin.id,
    });
    const all = logLines.join('\n');
    expect(all).not.toContain(token);
    expect(all).not.toContain('query-text-stays-out');
  });
});

describe('docs', () => {
  it('serves Swagger UI at /docs', async () => {
    let res = await t.request('GET', '/docs', { token: null });
    for (let hops = 0; res.statusCode >= 300 && res.statusCode < 400 && hops < 3; hops++) {
      const location = String(res.headers.location);
      const next = new URL(location, 'http://localhost/docs/');
      res = await t.request('GET', next.pathname, { token: null });
    }
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body.toLowerCase()).toContain('swagger');
  });

  it('serves an OpenAPI 3.1 document describing every operation', async () => {
    const res = await t.request('GET', '/openapi.json', { token: null });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const doc = res.json() as {
      openapi: string;
      components: { securitySchemes: Record<string, { type: string; scheme: string }> };
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    const operationIds = new Set<string>();
    let count = 0;
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(operations)) {
        const where = `${method.toUpperCase()} ${path}`;
        count++;
        expect(op.operationId, where).toEqual(expect.any(String));
        expect(operationIds.has(String(op.operationId)), `${where}: duplicate operationId`).toBe(false);
        operationIds.add(String(op.operationId));
        expect(op.tags, where).toEqual([expect.any(String)]);
        expect(op.summary, where).toEqual(expect.any(String));
        expect(op['x-permission'], where).toEqual(expect.any(String));
        if (op['x-permission'] === 'public') expect(op.security ?? [], where).toEqual([]);
        else expect(op.security, where).toEqual([{ bearerAuth: [] }]);
      }
    }
    expect(count).toBeGreaterThan(10);
    // The documented permission is the enforced one.
    let matched = 0;
    for (const route of t.app.routeTable.filter((r) => !r.url.startsWith('/docs') && r.method !== 'HEAD')) {
      const path = route.url.replace(/:([a-z_]+)/g, '{$1}');
      const op = doc.paths[path]?.[route.method.toLowerCase()];
      if (!op) continue; // hidden routes (openapi.json itself)
      expect(op['x-permission'], `${route.method} ${route.url}`).toBe(route.permission);
      matched++;
    }
    expect(matched).toBe(count);
    expect(doc.paths['/api/departments']?.get?.['x-permission']).toBe('employees.read');
    expect(doc.paths['/api/audit-logs']?.get?.['x-permission']).toBe('admin.audit.read');
  });
});
