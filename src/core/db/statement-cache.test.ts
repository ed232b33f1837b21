import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { nameRepeatedStatements } from './statement-cache.ts';

/** A stand-in pg client that records what reaches its query() (naming happens before the wire). */
function recordingClient() {
  const seen: unknown[] = [];
  const client = { query: (config: unknown) => seen.push(config) } as unknown as pg.PoolClient;
  nameRepeatedStatements(client);
  return { client, seen };
}

describe('statement naming', () => {
  it('names parameterized queries by their text, the same name for the same text', () => {
    const { client, seen } = recordingClient();
    const text = 'select * from employees where id = $1';
    client.query({ text, values: ['a'] });
    client.query({ text, values: ['b'] });
    const [first, second] = seen as Array<{ name?: string }>;
    expect(first?.name).toMatch(/^wm_/);
    expect(second?.name).toBe(first?.name);
  });
});
