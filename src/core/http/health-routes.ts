import { createHash, timingSafeEqual } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { appliedMigration, expectedMigrationCount } from '../db/migrate.ts';
import type { CoreDeps } from '../deps.ts';
import type { HealthReporter } from '../observability/health.ts';
import { registry } from '../observability/metrics.ts';
import { unauthorized } from './errors.ts';

/** Constant-time comparison (hashing first makes the lengths equal). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export type { HealthReporter } from '../observability/health.ts';

/**
 * /health/live, /health/ready and /metrics. Other subsystems (identity provider, SMTP, storage)
 * report through `deps.health.register(name, reporter)`; `reporters` is for ad-hoc extras.
 */
export async function healthRoutes(
  app: FastifyInstance,
  deps: CoreDeps,
  reporters: Record<string, HealthReporter> = {},
) {
  app.get(
    '/health/live',
    {
      config: { permission: 'public' },
      schema: { tags: ['health'], operationId: 'live', summary: 'The process is up' },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/health/ready',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['health'],
        operationId: 'ready',
        summary: 'Database reachable and migrations applied (503 otherwise)',
      },
    },
    async (request, reply) => {
      const database: Record<string, unknown> = { kind: deps.db.kind, reachable: false };
      let ready = false;
      try {
        await deps.db.root.execute(sql`select 1`);
        database.reachable = true;
        const applied = await appliedMigration(deps.db);
        database.migrations = { applied: applied.count, expected: expectedMigrationCount() };
        ready = applied.count >= expectedMigrationCount();
      } catch (error) {
        // The details go to the log; the public body only says what failed.
        request.log.warn({ err: error }, 'readiness check failed');
        database.error = database.reachable ? 'migration state unreadable' : 'unreachable';
      }
      const others: Record<string, unknown> = await deps.health.collect();
      for (const [name, report] of Object.entries(reporters)) {
        others[name] = await Promise.resolve()
          .then(report)
          .catch((e: unknown) => ({ status: 'error', error: String(e) }));
      }
      reply.code(ready ? 200 : 503);
      return { status: ready ? 'ready' : 'not_ready', database, ...others };
    },
  );

  app.get(
    '/metrics',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['health'],
        operationId: 'metrics',
        summary: 'Prometheus metrics (Bearer METRICS_TOKEN when set)',
      },
    },
    async (request, reply) => {
      const token = deps.config.METRICS_TOKEN;
      if (token && !sameSecret(request.headers.authorization ?? '', `Bearer ${token}`)) {
        throw unauthorized('METRICS_TOKEN required');
      }
      reply.type(registry.contentType);
      return registry.metrics();
    },
  );
}
