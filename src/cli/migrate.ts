// Applies the committed migrations (npm run db:migrate) and exits. On the embedded database the
// server must be stopped first: only one process may open a PGlite data directory.
import 'dotenv/config';
import { loadConfig } from '../config.ts';
import { connectDatabase } from '../core/db/connect.ts';
import { appliedMigration, runMigrations } from '../core/db/migrate.ts';

const config = loadConfig();
const db = await connectDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.dataDir, poolMax: 2 });
try {
  await runMigrations(db);
  const applied = await appliedMigration(db);
  console.log(`migrations applied on ${db.kind}: ${applied.count}`);
} finally {
  await db.close();
}
