// Writes openapi.json from the route schemas (npm run openapi). A test fails when it is stale.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config.ts';
import { connectDatabase, openPglite } from '../core/db/connect.ts';
import { openApiText } from '../core/http/openapi-document.ts';
import { PROJECT_ROOT } from '../core/paths.ts';
import { createServer } from '../server.ts';

const db = await connectDatabase({ dataDir: tmpdir(), pglite: await openPglite() });
const server = await createServer(loadConfig({ LOG_LEVEL: 'silent', ADMIN_PASSWORD: 'openapi-generator-only' }), {
  db,
  logger: false,
});
writeFileSync(join(PROJECT_ROOT, 'openapi.json'), openApiText(server.app));
await server.close();
console.log('openapi.json written');
