import { AsyncLocalStorage } from 'node:async_hooks';
import type { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import type * as schema from '../../schema.ts';

export type Drizzle = PgDatabase<PgQueryResultHKT, typeof schema>;
export type DatabaseKind = 'pglite' | 'postgres';

/**
 * The one database handle every repository uses. `q` is the current transaction when one is open
 * in this async context, else the root handle: PGlite has a single connection, so a query on the
 * root handle inside a transaction would deadlock — repositories therefore never keep a handle.
 */
export class Database {
  private readonly tx = new AsyncLocalStorage<Drizzle>();
  private openTransactions = 0;

  constructor(
    readonly kind: DatabaseKind,
    readonly root: Drizzle,
    readonly driver: { pool?: pg.Pool; pglite?: PGlite },
    private readonly closeDriver: () => Promise<void>,
  ) {}

  get q(): Drizzle {
    return this.tx.getStore() ?? this.root;
  }

  get inTransaction(): boolean {
    return this.tx.getStore() !== undefined;
  }

  /**
   * Runs fn in a transaction; a nested call joins the outer one. The async context is switched on
   * only while a transaction is open: on Node 20 an enabled AsyncLocalStorage slows every promise
   * of every request (measured: 13 % of the throughput of GET /api/auth/me), and most requests
   * never open a transaction.
   */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this.tx.getStore()) return fn();
    this.openTransactions += 1;
    try {
      return await this.root.transaction((tx) => this.tx.run(tx as unknown as Drizzle, fn));
    } finally {
      this.openTransactions -= 1;
      if (this.openTransactions === 0) this.tx.disable();
    }
  }

  close(): Promise<void> {
    return this.closeDriver();
  }
}

/** count(*) is a string through pg and a number through PGlite; convert in one place. */
export function toCount(value: unknown): number {
  return typeof value === 'number' ? value : Number(value ?? 0);
}

/** Rows changed by an UPDATE/DELETE: `rowCount` through pg, `affectedRows` through PGlite. */
export function affectedRows(result: unknown): number {
  const r = result as { rowCount?: number | null; affectedRows?: number };
  return r.rowCount ?? r.affectedRows ?? 0;
}
