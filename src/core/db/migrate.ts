import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { PROJECT_ROOT } from '../paths.ts';
import type { Database } from './database.ts';

export const MIGRATIONS_FOLDER = join(PROJECT_ROOT, 'drizzle');
// Any constant works; it only has to be the same for every instance of this application.
const MIGRATION_LOCK_KEY = 727_001;

/**
 * Applies the committed SQL migrations. On PostgreSQL the run holds an advisory lock on one
 * dedicated connection, so instances starting at the same time migrate one after the other
 * (Drizzle's migrate() takes no lock itself). PGlite is one process, nothing to exclude.
 */
export async function runMigrations(db: Database): Promise<void> {
  if (db.kind === 'pglite') {
    await migratePglite(db.root as unknown as PgliteDatabase, { migrationsFolder: MIGRATIONS_FOLDER });
    return;
  }
  const pool = db.driver.pool;
  if (!pool) throw new Error('PostgreSQL pool missing');
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await migratePg(drizzlePg(client), { migrationsFolder: MIGRATIONS_FOLDER });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

/** The tag of the newest applied migration, or null when none is (used by readiness). */
export async function appliedMigration(db: Database): Promise<{ count: number; latestAt: number | null }> {
  const result = await db.root.execute(
    sql`select count(*) as count, max(created_at) as latest from drizzle.__drizzle_migrations`,
  );
  const row = (result as unknown as { rows: Array<{ count: unknown; latest: unknown }> }).rows[0];
  return { count: Number(row?.count ?? 0), latestAt: row?.latest == null ? null : Number(row.latest) };
}

interface JournalEntry {
  tag: string;
  when: number;
}

function journal(): JournalEntry[] {
  return (JSON.parse(readFileSync(`${MIGRATIONS_FOLDER}/meta/_journal.json`, 'utf8')) as { entries: JournalEntry[] })
    .entries;
}

/** How many migrations the code ships (drizzle/meta/_journal.json). */
export function expectedMigrationCount(): number {
  return journal().length;
}

/** The tag (`0008_system`) of the shipped migration Drizzle recorded with this timestamp, or null. */
export function migrationTag(appliedAt: number | null): string | null {
  if (appliedAt === null) return null;
  return journal().find((entry) => entry.when === appliedAt)?.tag ?? null;
}
