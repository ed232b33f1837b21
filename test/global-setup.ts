import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { connectDatabase, openPglite } from '../src/core/db/connect.ts';
import { runMigrations } from '../src/core/db/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    pgTemplate: string;
    /** Test databases of this run start with it; teardown drops only those. */
    pgTestPrefix: string;
  }
}

/**
 * Migrates one template database per run: a PGlite data-dir dump, and with TEST_DATABASE_URL a
 * PostgreSQL template database. Each test file copies the template instead of migrating again.
 */
export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'workmate-test-'));
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const name = `wm_template_${process.pid}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`drop database if exists ${name}`);
    await admin.query(`create database ${name}`);
    await admin.end();
    const templateUrl = withDatabase(url, name);
    const db = await connectDatabase({ databaseUrl: templateUrl, dataDir: dir });
    await runMigrations(db);
    await db.close();
    const prefix = `wm_test_${process.pid}_`;
    project.provide('pgTemplate', name);
    project.provide('pgTestPrefix', prefix);
    project.provide('pgliteTemplate', '');
    return async () => {
      const cleanup = new pg.Client({ connectionString: url });
      await cleanup.connect();
      const { rows } = await cleanup.query<{ datname: string }>(
        `select datname from pg_database where starts_with(datname, $1) or datname = $2`,
        [prefix, name],
      );
      for (const row of rows) await cleanup.query(`drop database if exists ${row.datname} with (force)`);
      await cleanup.end();
    };
  }
  const pglite = await openPglite();
  const db = await connectDatabase({ dataDir: dir, pglite });
  await runMigrations(db);
  const dump = await pglite.dumpDataDir('gzip');
  const file = join(dir, 'template.tar.gz');
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await db.close();
  project.provide('pgliteTemplate', file);
  project.provide('pgTemplate', '');
  project.provide('pgTestPrefix', '');
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
