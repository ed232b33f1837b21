import { sql } from 'drizzle-orm';
import type { Database } from './database.ts';

/**
 * Next value of a gapless counter (employee codes, customer/project/invoice numbers). Must run
 * inside the caller's transaction: the upsert locks the (scope, year) row until commit, so
 * concurrent callers queue, and a rolled-back caller gives its number back.
 */
export async function nextSequenceValue(db: Database, scope: string, year = 0): Promise<number> {
  if (!db.inTransaction) throw new Error('nextSequenceValue must run inside a transaction');
  const result = await db.q.execute(sql`
    insert into sequences (scope, year, value) values (${scope}, ${year}, 1)
    on conflict (scope, year) do update set value = sequences.value + 1
    returning value`);
  const row = (result as unknown as { rows: Array<{ value: unknown }> }).rows[0];
  return Number(row?.value);
}
