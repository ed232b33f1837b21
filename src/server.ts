import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { buildApp, loggerOptions } from './app.ts';
import type { Config } from './config.ts';
import { type AppContext, createContext } from './context.ts';
import { connectDatabase } from './core/db/connect.ts';
import type { Database } from './core/db/database.ts';
import { runMigrations } from './core/db/migrate.ts';
import { bootstrap } from './modules/identity/index.ts';

export interface Server {
  app: FastifyInstance;
  ctx: AppContext;
  db: Database;
  /** Stops accepting, finishes in-flight requests, closes the database. */
  close(): Promise<void>;
}

/**
 * Config → database → migrations → wiring → first-start bootstrap → app. Used by main.ts and by
 * tests (which pass an already opened database).
 */
export async function createServer(
  config: Config,
  options: { db?: Database; logger?: FastifyServerOptions['logger'] } = {},
): Promise<Server> {
  const db =
    options.db ??
    (await connectDatabase({
      databaseUrl: config.DATABASE_URL,
      dataDir: config.dataDir,
      poolMax: config.DATABASE_POOL_MAX,
    }));
  await runMigrations(db);
  const ctx = await createContext(config, db);
  const app = await buildApp(ctx, { logger: options.logger ?? loggerOptions(config.LOG_LEVEL, config.LOG_PRETTY) });
  await bootstrap(
    db,
    { employees: ctx.employees, settings: ctx.settings },
    { email: config.ADMIN_EMAIL, password: config.ADMIN_PASSWORD },
    app.log,
  );
  await app.ready();
  // Before the first request: a settings change elsewhere must reach this instance's cache.
  await ctx.core.notifications.start(app.log);
  if (config.JOBS_ENABLED) ctx.core.jobs.start(app.log);
  let closed = false;
  return {
    app,
    ctx,
    db,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      // After the last request: a job run in progress finishes before the database closes.
      await ctx.core.jobs.stop();
      ctx.core.mail.close();
      await ctx.core.notifications.close();
      await db.close();
    },
  };
}
