import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import * as schema from '../../schema.ts';
import { instrumentPool } from '../observability/db-metrics.ts';
import { Database, type Drizzle } from './database.ts';
import { nameRepeatedStatements } from './statement-cache.ts';

// Dates and timestamps: keep `date` columns as 'YYYY-MM-DD' strings (no local-time shifting).
pg.types.setTypeParser(1082, (v: string) => v);

/** Extensions the migrations create (search, EXCLUDE constraints); PGlite must load them explicitly. */
export const PGLITE_EXTENSIONS = { pg_trgm, btree_gist };

/** Opens PGlite with the extensions the schema needs (every PGlite in the app and tests goes through here). */
export function openPglite(options: Omit<PGliteOptions, 'extensions'> = {}): Promise<PGlite> {
  return PGlite.create({ ...options, extensions: PGLITE_EXTENSIONS });
}

export interface ConnectOptions {
  databaseUrl?: string;
  dataDir: string;
  poolMax?: number;
  /** An already opened PGlite (tests load a migrated template into memory). */
  pglite?: PGlite;
}

/** PostgreSQL when a URL is given, else embedded PGlite in `$DATA_DIR/db`. */
export async function connectDatabase(options: ConnectOptions): Promise<Database> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolMax ?? 10,
      application_name: 'workmate-os',
    });
    pool.on('error', () => {
      // An idle client lost its connection; the pool replaces it. Queries report their own errors.
    });
    pool.on('connect', nameRepeatedStatements);
    instrumentPool(pool);
    const db = drizzlePg(pool, { schema }) as unknown as Drizzle;
    return new Database('postgres', db, { pool }, () => pool.end());
  }
  let client = options.pglite;
  if (!client) {
    const dir = join(options.dataDir, 'db');
    mkdirSync(dir, { recursive: true });
    client = await openPglite({ dataDir: dir });
  }
  const pglite = client;
  const db = drizzlePglite(pglite, { schema }) as unknown as Drizzle;
  return new Database('pglite', db, { pglite }, () => pglite.close());
}
