import { readFileSync } from 'node:fs';

/** The package version, shown in /openapi.json and /api/system/status. */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
