import type pg from 'pg';
import { dbQueryDuration, reportPool } from './metrics.ts';

type QueryFn = (...args: unknown[]) => unknown;

function timed(target: { query: QueryFn }): void {
  const original = target.query.bind(target);
  target.query = (...args: unknown[]) => {
    const end = dbQueryDuration.startTimer();
    const result = original(...args);
    if (result && typeof (result as Promise<unknown>).finally === 'function') {
      return (result as Promise<unknown>).finally(end);
    }
    end();
    return result;
  };
}

/** Times every query (pool.query runs on a checked-out client too) and reports the pool state. */
export function instrumentPool(pool: pg.Pool): void {
  pool.on('connect', (client) => timed(client as unknown as { query: QueryFn }));
  reportPool(() => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }));
}
