import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditRowsFor,
  expect422,
  expectProblem,
  startTestApp,
  type TestApp,
  type TestUser,
} from '../../../test/helpers.ts';
import { VERSION } from '../../version.ts';
import { SYSTEM_PROBES_JOB } from './index.ts';

let t: TestApp;
let reader: TestUser;
let writer: TestUser;
let nobody: TestUser;
let http: HttpServer;
let tcp: TcpServer;
let httpPort: number;
let tcpPort: number;
let closedPort: number;

const BASIC = `Basic ${Buffer.from('probe:s3cret-pw').toString('base64')}`;

beforeAll(async () => {
  t = await startTestApp();
  reader = await t.userWith(['admin.system.read']);
  writer = await t.userWith(['admin.system.read', 'admin.system.write']);
  nobody = await t.userWith(['employees.read']);
  // Probes give up after 300 ms here, so the hanging server costs no five seconds.
  t.server.ctx.system.prober.timeoutMs = 300;

  http = createHttpServer((req, res) => {
    if (req.url === '/ok') return res.writeHead(200).end('ok');
    if (req.url === '/fail') return res.writeHead(500).end('down');
    if (req.url === '/moved') return res.writeHead(302, { location: '/elsewhere' }).end();
    if (req.url === '/private') return res.writeHead(req.headers.authorization === BASIC ? 204 : 401).end();
    if (req.url === '/hang') return; // never answers
    res.writeHead(404).end();
  });
  tcp = createTcpServer((socket) => socket.end());
  await Promise.all([
    new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve)),
    new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve)),
  ]);
  httpPort = (http.address() as AddressInfo).port;
  tcpPort = (tcp.address() as AddressInfo).port;
  // A port that was just free: nothing listens there.
  const probe = createTcpServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});

afterAll(async () => {
  await t.close();
  http.closeAllConnections();
  await Promise.all([new Promise((resolve) => http.close(resolve)), new Promise((resolve) => tcp.close(resolve))]);
});

let counter = 0;
async function createService(fields: Record<string, unknown> = {}) {
  counter += 1;
  const res = await t.request('POST', '/api/system/services', {
    token: writer.token,
    body: { name: `service-${counter}-${Date.now()}`, type: 'external_api', connection_url: url('/ok'), ...fields },
  });
  if (res.statusCode !== 201) throw new Error(`create failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

const url = (path: string) => `http://127.0.0.1:${httpPort}${path}`;
const check = (id: string) => t.request('POST', `/api/system/services/${id}/check`, { token: writer.token });

describe('infrastructure services', () => {
  it('answer 401 without a token and 403 without the permission', async () => {
    const service = await createService();
    const id = service.id;
    for (const [method, path] of [
      ['GET', '/api/system/services'],
      ['GET', `/api/system/services/${id}`],
      ['GET', '/api/system/status'],
    ] as const) {
      expectProblem(await t.request(method, path, { token: null }), 401);
      expectProblem(await t.request(method, path, { token: nobody.token }), 403);
      expect((await t.request(method, path, { token: reader.token })).statusCode).toBe(200);
    }
    for (const [method, path] of [
      ['POST', '/api/system/services'],
      ['PATCH', `/api/system/services/${id}`],
      ['PUT', `/api/system/services/${id}`],
      ['DELETE', `/api/system/services/${id}`],
      ['POST', `/api/system/services/${id}/check`],
    ] as const) {
      expectProblem(await t.request(method, path, { token: null, body: {} }), 401);
      expectProblem(await t.request(method, path, { token: reader.token, body: {} }), 403);
    }
  });

  it('creates with defaults, never returns credentials, and audits with the masked URL', async () => {
    const full = `postgres://app:s3cret-pw@db.internal:6543/workmate?sslmode=require&password=s3cret-pw&application_name=x`;
    const res = await t.request('POST', '/api/system/services', {
      token: writer.token,
      body: { name: 'Main database', type: 'database', connection_url: full, managed_by: 'IT' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(res.headers.location).toBe(`/api/system/services/${body.id}`);
    expect(res.headers.etag).toBeTruthy();
    expect(body).toMatchObject({
      name: 'Main database',
      type: 'database',
      connection_url: 'postgres://db.internal:6543/workmate?sslmode=require&password=***&application_name=x',
      status: 'active',
      last_sync: null,
      last_error: null,
      managed_by: 'IT',
    });
    for (const path of [`/api/system/services/${body.id}`, '/api/system/services?search=Main']) {
      const read = await t.request('GET', path, { token: reader.token });
      expect(read.body).not.toContain('s3cret');
      expect(read.body).toContain('db.internal:6543');
    }
    const [row] = await auditRowsFor(t, 'infra_service', body.id);
    expect(row).toMatchObject({ action: 'create', resource_name: 'Main database' });
    expect(JSON.stringify(row)).not.toContain('s3cret');

    const masked = await t.request('PATCH', `/api/system/services/${body.id}`, {
      token: writer.token,
      body: { connection_url: 'postgres://other:new-s3cret@db2.internal/app?token=tok-zq9x' },
    });
    expect(masked.json().connection_url).toBe('postgres://db2.internal/app?token=***');
    const rows = await auditRowsFor(t, 'infra_service', body.id);
    expect(rows[0]?.action).toBe('update');
    expect(JSON.stringify(rows)).not.toMatch(/s3cret|tok-zq9x/);
  });

  it('masks secret query parameters of API URLs', async () => {
    const service = await createService({
      connection_url: 'https://api.example.com/v1?api_key=k3y&region=eu&X-Amz-Signature=sig&access_token=t0k',
    });
    expect(service.connection_url).toBe(
      'https://api.example.com/v1?api_key=***&region=eu&X-Amz-Signature=***&access_token=***',
    );
  });

  it('rejects bad input with 422', async () => {
    const post = (body: Record<string, unknown>) =>
      t.request('POST', '/api/system/services', { token: writer.token, body });
    const valid = { name: 'Valid', type: 'mail', connection_url: 'smtp://mail.example.com' };
    expect422(await post({ type: 'mail', connection_url: valid.connection_url }), 'name');
    expect422(await post({ ...valid, connection_url: undefined }), 'connection_url');
    expect422(await post({ ...valid, type: 'printer' }), 'type');
    expect422(await post({ ...valid, status: 'error' }), 'status');
    expect422(await post({ ...valid, last_sync: '2026-01-01T00:00:00Z' }), 'last_sync');
    expect422(await post({ ...valid, colour: 'red' }), 'colour');
    expect422(await post({ ...valid, connection_url: 'not a url' }), 'connection_url');
    expect422(await post({ ...valid, connection_url: 'mailto:someone@example.com' }), 'connection_url');
    expect422(await post({ ...valid, connection_url: 'custom://host.example.com' }), 'connection_url');
    expect((await post({ ...valid, connection_url: 'custom://host.example.com:7000' })).statusCode).toBe(201);
    const service = await createService();
    expect422(
      await t.request('PATCH', `/api/system/services/${service.id}`, {
        token: writer.token,
        body: { status: 'error' },
      }),
      'status',
    );
    expect422(await t.request('GET', '/api/system/services/not-a-uuid', { token: reader.token }), 'id');
  });

  it('refuses a duplicate name with 409 and unknown ids with 404', async () => {
    const service = await createService();
    const dup = await t.request('POST', '/api/system/services', {
      token: writer.token,
      body: { name: service.name, type: 'chat', connection_url: url('/ok') },
    });
    expectProblem(dup, 409);
    const unknown = '0191d5a0-0000-7000-8000-000000000000';
    expectProblem(await t.request('GET', `/api/system/services/${unknown}`, { token: reader.token }), 404);
    expectProblem(
      await t.request('PATCH', `/api/system/services/${unknown}`, { token: writer.token, body: { name: 'x' } }),
      404,
    );
    expectProblem(await t.request('DELETE', `/api/system/services/${unknown}`, { token: writer.token }), 404);
    expectProblem(await check(unknown), 404);
  });

  it('keeps the stored credentials when a client sends the masked URL back', async () => {
    const service = await createService({ connection_url: `http://probe:s3cret-pw@127.0.0.1:${httpPort}/private` });
    expect(service.connection_url).toBe(url('/private'));
    // The probe sends the URL's credentials as Basic authentication: the server answers 204.
    expect((await check(service.id)).json()).toMatchObject({ status: 'active', last_error: null });
    const current = await t.request('GET', `/api/system/services/${service.id}`, { token: reader.token });
    const auditCount = (await auditRowsFor(t, 'infra_service', service.id)).length;
    const unchanged = await t.request('PATCH', `/api/system/services/${service.id}`, {
      token: writer.token,
      body: { connection_url: service.connection_url, name: service.name },
    });
    expect(unchanged.headers.etag).toBe(current.headers.etag);
    expect(await auditRowsFor(t, 'infra_service', service.id)).toHaveLength(auditCount);
    const echoed = await t.request('PUT', `/api/system/services/${service.id}`, {
      token: writer.token,
      body: { name: `${service.name} (renamed)`, connection_url: service.connection_url, managed_by: null },
    });
    expect(echoed.statusCode).toBe(200);
    expect((await check(service.id)).json()).toMatchObject({ status: 'active', last_error: null });
    // A really new URL without credentials replaces it (and the server then refuses).
    const replaced = await t.request('PATCH', `/api/system/services/${service.id}`, {
      token: writer.token,
      body: { connection_url: `http://nobody@127.0.0.1:${httpPort}/private` },
    });
    expect(replaced.json()).toMatchObject({ last_sync: null, last_error: null });
    expect((await check(service.id)).json()).toMatchObject({ status: 'error', last_error: 'HTTP 401 Unauthorized' });
  });

  it('checks over HTTP: 2xx and 3xx are up, 5xx and timeouts are errors', async () => {
    const ok = await createService({ connection_url: url('/ok') });
    const res = await check(ok.id);
    expect(res.statusCode).toBe(200);
    expect(res.headers.etag).toBeTruthy();
    const checked = res.json();
    expect(checked).toMatchObject({ status: 'active', last_error: null });
    expect(Date.parse(checked.last_sync)).toBeGreaterThan(Date.parse(ok.created_at) - 1000);

    expect((await check((await createService({ connection_url: url('/moved') })).id)).json().status).toBe('active');

    const failing = await createService({ connection_url: url('/fail') });
    expect((await check(failing.id)).json()).toMatchObject({
      status: 'error',
      last_error: 'HTTP 500 Internal Server Error',
    });

    const hanging = await createService({ connection_url: url('/hang') });
    const timedOut = (await check(hanging.id)).json();
    expect(timedOut).toMatchObject({ status: 'error', last_error: 'no answer within 300 ms' });
    expect(timedOut.last_sync).not.toBeNull();

    // Recovery: the same service answering again is active, its error cleared.
    const recovered = await t.request('PATCH', `/api/system/services/${failing.id}`, {
      token: writer.token,
      body: { connection_url: url('/ok') },
    });
    expect(recovered.json().status).toBe('active');
    expect((await check(failing.id)).json()).toMatchObject({ status: 'active', last_error: null });
  });

  it('checks other schemes with a TCP connect', async () => {
    const listening = await createService({ type: 'database', connection_url: `redis://127.0.0.1:${tcpPort}` });
    expect((await check(listening.id)).json()).toMatchObject({ status: 'active', last_error: null });
    const closed = await createService({
      type: 'database',
      connection_url: `postgres://u:p@127.0.0.1:${closedPort}/x`,
    });
    const failed = (await check(closed.id)).json();
    expect(failed.status).toBe('error');
    expect(failed.last_error).toBe(`TCP connect to 127.0.0.1:${closedPort} failed: ECONNREFUSED`);
  });

  it('probes an inactive service on request but leaves it inactive', async () => {
    const service = await createService({ connection_url: url('/fail'), status: 'inactive' });
    const checked = (await check(service.id)).json();
    expect(checked).toMatchObject({ status: 'inactive', last_error: 'HTTP 500 Internal Server Error' });
    expect(checked.last_sync).not.toBeNull();
  });

  it('lists with filters and search, and deletes with an audit row', async () => {
    const service = await createService({ type: 'storage', managed_by: 'Hetzner Storage Team' });
    const listed = await t.request('GET', '/api/system/services?type=storage&search=hetzner', { token: reader.token });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().items.map((s: { id: string }) => s.id)).toEqual([service.id]);
    expect422(await t.request('GET', '/api/system/services?status=broken', { token: reader.token }), 'status');
    expect422(await t.request('GET', '/api/system/services?sort=connection_url', { token: reader.token }), 'sort');

    const etag = (await t.request('GET', `/api/system/services/${service.id}`, { token: reader.token })).headers.etag;
    await t.request('PATCH', `/api/system/services/${service.id}`, { token: writer.token, body: { managed_by: 'IT' } });
    expectProblem(
      await t.request('DELETE', `/api/system/services/${service.id}`, {
        token: writer.token,
        headers: { 'if-match': etag as string },
      }),
      412,
    );
    expect((await t.request('DELETE', `/api/system/services/${service.id}`, { token: writer.token })).statusCode).toBe(
      204,
    );
    expectProblem(await t.request('GET', `/api/system/services/${service.id}`, { token: reader.token }), 404);
    const [row] = await auditRowsFor(t, 'infra_service', service.id);
    expect(row).toMatchObject({ action: 'delete', resource_name: service.name });
  });
});

describe('the probe job and the status page', () => {
  it('probes active and failing services, skips inactive ones, and shows up in status and metrics', async () => {
    const up = await createService({ connection_url: url('/ok') });
    const down = await createService({ connection_url: `smtp://127.0.0.1:${closedPort}` });
    const off = await createService({ connection_url: url('/ok'), status: 'inactive' });

    const run = await t.server.ctx.core.jobs.runNow(SYSTEM_PROBES_JOB);
    expect(run.outcome, run.error ?? '').toBe('succeeded');
    expect(run.summary).toMatch(/services probed/);
    const get = async (id: string) =>
      (await t.request('GET', `/api/system/services/${id}`, { token: reader.token })).json();
    expect(await get(up.id)).toMatchObject({ status: 'active', last_error: null });
    expect((await get(up.id)).last_sync).not.toBeNull();
    expect(await get(down.id)).toMatchObject({ status: 'error', last_error: expect.stringMatching(/ECONNREFUSED/) });
    expect(await get(off.id)).toMatchObject({ status: 'inactive', last_sync: null });

    const status = await t.request('GET', '/api/system/status', { token: reader.token });
    expect(status.statusCode, status.body).toBe(200);
    const body = status.json();
    expect(body).toMatchObject({
      version: VERSION,
      node_version: process.version,
      database: { kind: t.db.kind, reachable: true },
      notifications: { connected: true, channels: expect.arrayContaining(['settings_changed']) },
      subsystems: {},
    });
    expect(body.uptime_seconds).toBeGreaterThanOrEqual(0);
    expect(body.database.migrations.applied).toBe(body.database.migrations.expected);
    expect(body.database.migrations.latest).toMatch(/^\d{4}_/);
    expect(body.services.total).toBeGreaterThanOrEqual(3);
    expect(body.services.error).toBeGreaterThanOrEqual(1);
    const job = body.jobs.find((j: { name: string }) => j.name === SYSTEM_PROBES_JOB);
    expect(job).toMatchObject({
      schedule: 'every 5 minutes',
      last_run: { run_key: run.run_key, outcome: 'succeeded', summary: run.summary },
    });
    expect(body.jobs.map((j: { name: string }) => j.name)).toContain('audit_retention');

    const metrics = await t.request('GET', '/metrics', { token: null });
    expect(metrics.body).toMatch(/job_runs_total\{job="system_probes",outcome="succeeded"\} [1-9]/);
  });

  it('shows registered health reporters, and an error for one that throws', async () => {
    t.server.ctx.core.health.register('test_ok', () => ({ status: 'ok', detail: 'fine' }));
    t.server.ctx.core.health.register('test_broken', async () => {
      throw new Error('cannot reach it');
    });
    const body = (await t.request('GET', '/api/system/status', { token: reader.token })).json();
    expect(body.subsystems).toMatchObject({
      test_ok: { status: 'ok', detail: 'fine' },
      test_broken: { status: 'error', error: 'cannot reach it' },
      smtp: { status: 'ok', transport: 'outbox' },
    });
    const ready = (await t.request('GET', '/health/ready', { token: null })).json();
    expect(ready).toMatchObject({ status: 'ready', test_ok: { status: 'ok' }, test_broken: { status: 'error' } });
  });
});
