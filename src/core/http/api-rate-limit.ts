import { and, eq, lt, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { rateLimitWindows } from '../db/core.table.ts';
import type { Database } from '../db/database.ts';
import { tooManyRequests } from './errors.ts';

const WINDOW_MS = 60_000;
const FLUSH_MS = 1_000;

interface Counter {
  window: number;
  /** Requests counted here and not yet written to the shared row. */
  pending: number;
  /** The shared row's count as last read or written (all instances). */
  shared: number;
}

/**
 * Requests per principal and minute (RATE_LIMIT_PER_MINUTE), shared across instances without a
 * write per request: each instance counts locally, reads the shared count the first time it sees a
 * principal in a window, and adds its counts to the shared row once a second. Instances therefore
 * overshoot by at most one second of their own traffic.
 */
export class ApiRateLimiter {
  private readonly counters = new Map<string, Counter>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Database,
    private readonly limit: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush().catch(() => undefined), FLUSH_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush().catch(() => undefined);
  }

  /** Counts one request; throws 429 with Retry-After when the principal is over the limit. */
  async hit(key: string, now = Date.now()): Promise<void> {
    const window = now - (now % WINDOW_MS);
    let counter = this.counters.get(key);
    if (!counter || counter.window !== window) {
      counter = { window, pending: 0, shared: await this.readShared(key, window) };
      this.counters.set(key, counter);
    }
    if (counter.pending + counter.shared >= this.limit) {
      throw tooManyRequests(Math.ceil((window + WINDOW_MS - now) / 1000), 'Too many requests; slow down');
    }
    counter.pending += 1;
  }

  private async readShared(key: string, window: number): Promise<number> {
    const [row] = await this.db.root
      .select({ count: rateLimitWindows.count })
      .from(rateLimitWindows)
      .where(and(eq(rateLimitWindows.key, key), eq(rateLimitWindows.windowStart, new Date(window))));
    return row?.count ?? 0;
  }

  /** Adds pending counts to the shared rows and learns the other instances' counts. */
  async flush(now = Date.now()): Promise<void> {
    const current = now - (now % WINDOW_MS);
    for (const [key, counter] of this.counters) {
      if (counter.window < current) {
        this.counters.delete(key);
        if (counter.pending === 0) continue;
      }
      if (counter.pending === 0) continue;
      const add = counter.pending;
      counter.pending = 0;
      const [row] = await this.db.root
        .insert(rateLimitWindows)
        .values({ key, windowStart: new Date(counter.window), count: add })
        .onConflictDoUpdate({
          target: [rateLimitWindows.key, rateLimitWindows.windowStart],
          set: { count: sql`${rateLimitWindows.count} + ${add}` },
        })
        .returning({ count: rateLimitWindows.count });
      counter.shared = row?.count ?? counter.shared + add;
    }
    await this.db.root.delete(rateLimitWindows).where(lt(rateLimitWindows.windowStart, new Date(current - WINDOW_MS)));
  }
}

/** Applies the limit to every authenticated request (after the auth hook has set the principal). */
export function registerApiRateLimit(app: FastifyInstance, db: Database, limit: number): ApiRateLimiter | null {
  if (limit <= 0) return null;
  const limiter = new ApiRateLimiter(db, limit);
  limiter.start();
  app.addHook('onRequest', async (request) => {
    if (request.principal) await limiter.hit(`principal:${request.principal.id}`);
  });
  app.addHook('onClose', async () => limiter.stop());
  return limiter;
}
