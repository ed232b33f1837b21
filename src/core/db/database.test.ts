import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../../../test/helpers.ts';
import type { Database } from './database.ts';

describe('Database transaction context', () => {
  let db: Database;
  beforeAll(async () => {
    db = (await freshDatabase()).db;
  });
  afterAll(() => db.close());

  it('gives each concurrent transaction its own handle, joins nested calls, and ends clean', async () => {
    const seen = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        db.transaction(async () => {
          const outer = db.q;
          expect(db.inTransaction).toBe(true);
          await new Promise((r) => setTimeout(r, 5 * (5 - i)));
          const inner = await db.transaction(async () => db.q);
          expect(inner).toBe(outer);
          const result = await db.q.execute(sql`select txid_current() as id`);
          return (result as unknown as { rows: Array<{ id: unknown }> }).rows[0]?.id;
        }),
      ),
    );
    expect(new Set(seen.map(String)).size).toBe(5);
    expect(db.inTransaction).toBe(false);
    expect(db.q).toBe(db.root);
  });

  it('rolls back everything written inside a transaction that throws', async () => {
    await db.root.execute(sql`create table if not exists tx_probe (n int)`);
    await expect(
      db.transaction(async () => {
        await db.q.execute(sql`insert into tx_probe values (1)`);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const result = await db.root.execute(sql`select count(*) as n from tx_probe`);
    expect(Number((result as unknown as { rows: Array<{ n: unknown }> }).rows[0]?.n)).toBe(0);
  });
});
