import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { expect, inject } from 'vitest';
import { type Config, loadConfig } from '../src/config.ts';
import { SYSTEM_CONTEXT } from '../src/core/auth/principal.ts';
import { connectDatabase, openPglite } from '../src/core/db/connect.ts';
import type { Database } from '../src/core/db/database.ts';
import { createServer, type Server } from '../src/server.ts';
import { withDatabase } from './global-setup.ts';

export const ADMIN_EMAIL = 'admin@workmate.test';
export const ADMIN_PASSWORD = 'admin-password-123';

/** A fresh database for one test file: a copy of the migrated template (PGlite or PostgreSQL). */
export async function freshDatabase(): Promise<{ db: Database; url?: string }> {
  const pgTemplate = inject('pgTemplate');
  const base = process.env.TEST_DATABASE_URL;
  if (pgTemplate && base) {
    const name = `${inject('pgTestPrefix')}${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    // CREATE DATABASE … TEMPLATE fails while another copy of the same template is starting; retry.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`create database ${name} template ${pgTemplate}`);
        break;
      } catch (error) {
        if (attempt >= 20) throw error;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
    await admin.end();
    const url = withDatabase(base, name);
    return { db: await connectDatabase({ databaseUrl: url, dataDir: tmpdir(), poolMax: 10 }), url };
  }
  const dump = readFileSync(inject('pgliteTemplate'));
  const pglite = await openPglite({ loadDataDir: new Blob([dump]) });
  return { db: await connectDatabase({ dataDir: tmpdir(), pglite }) };
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: tmpdir(),
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'http://workmate.test',
    // Jobs run only in the tests about them (they pass JOBS_ENABLED=true or call runNow).
    JOBS_ENABLED: 'false',
    ...overrides,
  });
}

export interface TestUser {
  id: string;
  email: string;
  token: string;
}

export interface TestApp {
  server: Server;
  app: FastifyInstance;
  db: Database;
  databaseUrl?: string;
  admin: TestUser;
  /** A signed-in employee whose role holds exactly these permissions. */
  userWith(permissions: string[], fields?: Record<string, unknown>): Promise<TestUser>;
  /** The same, with a local password set by the admin (through the API), for login tests. */
  userWithPassword(permissions?: string[]): Promise<TestUser & { password: string }>;
  request(
    method: InjectOptions['method'],
    url: string,
    options?: { token?: string | null; body?: unknown; headers?: Record<string, string> },
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

let counter = 0;

/** Boots the real server (migrations, bootstrap, every plugin) on a fresh database. */
export async function startTestApp(overrides: Record<string, string> = {}): Promise<TestApp> {
  const { db, url } = await freshDatabase();
  const server = await createServer(testConfig(overrides), { db, logger: false });
  const { app, ctx } = server;
  const adminRow = await ctx.employees.employees.findRowByEmail(ADMIN_EMAIL);
  if (!adminRow) throw new Error('bootstrap created no admin');
  const admin = {
    id: adminRow.id,
    email: adminRow.email,
    token: (await ctx.core.localTokens.issue(adminRow.id)).token,
  };

  const testApp: TestApp = {
    server,
    app,
    db,
    databaseUrl: url,
    admin,
    async userWith(permissions, fields = {}) {
      counter += 1;
      const tag = `${process.pid}-${counter}-${randomUUID().slice(0, 6)}`;
      const role = await ctx.employees.roles.create(SYSTEM_CONTEXT, { name: `role-${tag}`, permissions });
      const employee = await ctx.employees.employees.create(SYSTEM_CONTEXT, {
        first_name: 'Test',
        last_name: `User ${tag}`,
        email: `user-${tag}@example.com`,
        role_id: role.id,
        ...fields,
      });
      const { token } = await ctx.core.localTokens.issue(employee.id);
      return { id: employee.id, email: employee.email, token };
    },
    async userWithPassword(permissions = []) {
      const user = await testApp.userWith(permissions);
      const password = `pw-${randomUUID()}`;
      const res = await testApp.request('POST', `/api/employees/${user.id}/password`, { body: { password } });
      if (res.statusCode !== 204) throw new Error(`setting a password failed: ${res.body}`);
      return { ...user, password };
    },
    request(method, url, options = {}) {
      const token = options.token === undefined ? admin.token : options.token;
      const headers: Record<string, string> = { ...options.headers };
      if (token) headers.authorization = `Bearer ${token}`;
      return app.inject({
        method,
        url,
        headers,
        ...(options.body === undefined ? {} : { payload: options.body as InjectOptions['payload'] }),
      });
    },
    close: () => server.close(),
  };
  return testApp;
}

/** The audit rows about one record, newest first. */
export async function auditRowsFor(t: TestApp, resourceType: string, resourceId: string) {
  const res = await t.request('GET', `/api/audit-logs?resource_type=${resourceType}&resource_id=${resourceId}`);
  return (res.json() as { items: Array<Record<string, unknown>> }).items;
}

export function expectProblem(res: LightMyRequestResponse, status: number): Record<string, unknown> {
  if (res.statusCode !== status) {
    throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body}`);
  }
  if (!String(res.headers['content-type']).startsWith('application/problem+json')) {
    throw new Error(`expected problem+json, got ${res.headers['content-type']}`);
  }
  const body = res.json() as Record<string, unknown>;
  if (body.status !== status || typeof body.detail !== 'string' || typeof body.request_id !== 'string') {
    throw new Error(`not a problem document: ${res.body}`);
  }
  return body;
}

/** The `errors[].field` names of a problem response with the given status. */
export function problemFields(res: LightMyRequestResponse, status: number): string[] {
  const problem = expectProblem(res, status);
  return ((problem.errors as Array<{ field: string }> | undefined) ?? []).map((e) => e.field);
}

/** A 422 problem naming `field` among its errors. */
export function expect422(res: LightMyRequestResponse, field: string): void {
  expect(problemFields(res, 422)).toContain(field);
}
