import { createHash } from 'node:crypto';
import type pg from 'pg';

/** Per connection; beyond it queries run unnamed (dynamic SQL must not grow the cache forever). */
const MAX_STATEMENTS_PER_CONNECTION = 2000;

type QueryFn = (...args: unknown[]) => unknown;

/**
 * Gives every query a statement name derived from its text, so PostgreSQL parses and plans it once
 * per connection instead of on every call (Drizzle sends unnamed statements unless a query is
 * prepared by hand). Only object-form queries with parameters are named; the SQL text is the key,
 * so different parameters reuse the same plan.
 */
export function nameRepeatedStatements(client: pg.PoolClient): void {
  const target = client as unknown as { query: QueryFn };
  const original = target.query.bind(client);
  const names = new Set<string>();
  target.query = (...args: unknown[]) => {
    const config = args[0] as { text?: unknown; name?: unknown; values?: unknown } | string;
    if (typeof config === 'object' && config !== null && typeof config.text === 'string' && !config.name) {
      const name = `wm_${createHash('sha1').update(config.text).digest('base64url')}`;
      if (names.has(name) || names.size < MAX_STATEMENTS_PER_CONNECTION) {
        names.add(name);
        args[0] = { ...config, name };
      }
    }
    return original(...args);
  };
}
