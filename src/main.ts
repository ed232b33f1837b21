import 'dotenv/config';
import { ConfigError, loadConfig } from './config.ts';
import { createServer } from './server.ts';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const server = await createServer(config);
  const { app } = server;
  await app.listen({ host: config.HOST, port: config.PORT });
  app.log.info(
    { database: server.db.kind, docs: `${config.PUBLIC_URL}/docs` },
    `WorkmateOS listening on ${config.HOST}:${config.PORT}`,
  );

  // SIGTERM: stop accepting, let in-flight requests finish within the grace period, close the database.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      app.log.error('grace period over; exiting with requests still open');
      process.exit(1);
    }, config.SHUTDOWN_GRACE_MS);
    timer.unref();
    try {
      await server.close();
      process.exit(0);
    } catch (error) {
      app.log.error({ err: error }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error('WorkmateOS failed to start:', error);
  process.exit(1);
});
