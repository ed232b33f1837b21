import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { connectDatabase } from '../src/core/db/connect.ts';
import type { Database } from '../src/core/db/database.ts';
import { expectedMigrationCount } from '../src/core/db/migrate.ts';
import { nextSequenceValue } from '../src/core/db/sequences.ts';
import { createServer, type Server } from '../src/server.ts';
import { withDatabase } from './global-setup.ts';
import { ADMIN_EMAIL, freshDatabase, testConfig } from './helpers.ts';

const BASE_URL = process.env.TEST_DATABASE_URL;

async function rows<T>(db: Database, query: ReturnType<typeof sql>): Promise<T[]> {
  const result = await db.root.execute(query);
  return (result as unknown as { rows: T[] }).rows;
}

async function scalar(db: Database, query: ReturnType<typeof sql>): Promise<number> {
  const [row] = await rows<{ n: unknown }>(db, query);
  return Number(row?.n);
}

/** Bootstrap ran exactly once: one admin employee, the four system roles, one settings row. */
async function expectBootstrappedOnce(db: Database): Promise<void> {
  const employees = await rows<{ email: string; employee_code: string }>(
    db,
    sql`select email, employee_code from employees`,
  );
  expect(employees).toEqual([{ email: ADMIN_EMAIL, employee_code: expect.stringMatching(/-0001$/) }]);
  expect(await scalar(db, sql`select count(*) as n from roles where is_system`)).toBe(4);
  expect(await scalar(db, sql`select count(*) as n from roles`)).toBe(4);
  expect(await scalar(db, sql`select count(*) as n from settings`)).toBe(1);
}

/** Starts servers together; every one that started is kept for closing, even when another failed. */
async function startAll(starts: Array<Promise<Server>>, keep: Server[]): Promise<Server[]> {
  const results = await Promise.allSettled(starts);
  const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  keep.push(...started);
  const failure = results.find((r) => r.status === 'rejected');
  if (failure) throw (failure as PromiseRejectedResult).reason;
  return started;
}

async function bearer(server: Server): Promise<string> {
  const [admin] = await rows<{ id: string }>(server.db, sql`select id from employees where email = ${ADMIN_EMAIL}`);
  if (!admin) throw new Error('no admin');
  return `Bearer ${(await server.ctx.core.localTokens.issue(admin.id)).token}`;
}

describe.runIf(BASE_URL)('several instances on one PostgreSQL', () => {
  const servers: Server[] = [];
  const databases: Database[] = [];
  const createdDatabases: string[] = [];

  afterAll(async () => {
    for (const server of servers) await server.close();
    // Databases whose server did not start (a server closes its own).
    for (const db of databases) if (!servers.some((s) => s.db === db)) await db.close();
    if (createdDatabases.length > 0 && BASE_URL) {
      const admin = new pg.Client({ connectionString: BASE_URL });
      await admin.connect();
      for (const name of createdDatabases) await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });

  it('starts two servers at once on one migrated database and bootstraps once', async () => {
    const { db, url } = await freshDatabase();
    if (!url) throw new Error('freshDatabase gave no url on PostgreSQL');
    const db2 = await connectDatabase({ databaseUrl: url, dataDir: tmpdir(), poolMax: 10 });
    databases.push(db, db2);
    const [a, b] = (await startAll(
      [createServer(testConfig(), { db, logger: false }), createServer(testConfig(), { db: db2, logger: false })],
      servers,
    )) as [Server, Server];
    expect(a.db.kind).toBe('postgres');
    await expectBootstrappedOnce(a.db);

    for (const server of [a, b]) {
      const ready = await server.app.inject({ method: 'GET', url: '/health/ready' });
      expect(ready.statusCode, ready.body).toBe(200);
      expect(ready.json().database).toMatchObject({ kind: 'postgres', reachable: true });
    }

    // What one instance writes, the other serves.
    const [tokenA, tokenB] = [await bearer(a), await bearer(b)];
    const created = await a.app.inject({
      method: 'POST',
      url: '/api/departments',
      headers: { authorization: tokenA },
      payload: { name: 'Shared' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const read = await b.app.inject({
      method: 'GET',
      url: `/api/departments/${created.json().id}`,
      headers: { authorization: tokenB },
    });
    expect(read.statusCode).toBe(200);
    expect(read.headers.etag).toBe(created.headers.etag);

    // An Idempotency-Key sent to both instances at once creates one record.
    const key = randomUUID();
    const name = `Idem ${key}`;
    const [first, second] = await Promise.all(
      [
        [a, tokenA],
        [b, tokenB],
      ].map(([server, token]) =>
        (server as Server).app.inject({
          method: 'POST',
          url: '/api/departments',
          headers: { authorization: token as string, 'idempotency-key': key },
          payload: { name },
        }),
      ),
    );
    const statuses = [first?.statusCode, second?.statusCode].sort();
    expect([
      [201, 201],
      [201, 409],
    ]).toContainEqual(statuses);
    expect(await scalar(a.db, sql`select count(*) as n from departments where name = ${name}`)).toBe(1);
    expect(await scalar(a.db, sql`select count(*) as n from audit_logs where resource_name = ${name}`)).toBe(1);

    // Gapless counters from both pools at once.
    const scope = `test-${key}`;
    const values = await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        const database = i % 2 === 0 ? a.db : b.db;
        return database.transaction(() => nextSequenceValue(database, scope, 2026));
      }),
    );
    expect([...values].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('migrates an empty database once when two instances start together', async () => {
    if (!BASE_URL) throw new Error('unreachable');
    const name = `${inject('pgTestPrefix')}${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const admin = new pg.Client({ connectionString: BASE_URL });
    await admin.connect();
    try {
      await admin.query(`create database ${name}`);
    } finally {
      await admin.end();
    }
    createdDatabases.push(name);
    const url = withDatabase(BASE_URL, name);
    const config = testConfig({ DATABASE_URL: url });
    const [a, b] = (await startAll(
      [createServer(config, { logger: false }), createServer(config, { logger: false })],
      servers,
    )) as [Server, Server];

    const migrations = await rows<{ hash: string; n: unknown }>(
      a.db,
      sql`select hash, count(*) as n from drizzle.__drizzle_migrations group by hash`,
    );
    expect(migrations).toHaveLength(expectedMigrationCount());
    expect(migrations.every((m) => Number(m.n) === 1)).toBe(true);
    // The append-only trigger (a custom migration) is in place exactly once.
    expect(await scalar(a.db, sql`select count(*) as n from pg_trigger where tgname = 'audit_logs_no_update'`)).toBe(1);
    await expectBootstrappedOnce(a.db);

    for (const server of [a, b]) {
      const ready = await server.app.inject({ method: 'GET', url: '/health/ready' });
      expect(ready.statusCode, ready.body).toBe(200);
      expect(ready.json().database.migrations).toEqual({
        applied: expectedMigrationCount(),
        expected: expectedMigrationCount(),
      });
    }
  });
});
