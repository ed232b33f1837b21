import { resolve } from 'node:path';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/** Every environment variable the server reads, with its default. Validated once at start. */
const ConfigSchema = Type.Object({
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('production'), Type.Literal('test')], {
    default: 'development',
  }),
  HOST: Type.String({ default: '0.0.0.0', minLength: 1 }),
  PORT: Type.Integer({ default: 8000, minimum: 0, maximum: 65535 }),
  DATA_DIR: Type.String({ default: './data', minLength: 1 }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  DATABASE_POOL_MAX: Type.Integer({ default: 10, minimum: 1, maximum: 200 }),
  PUBLIC_URL: Type.String({ default: 'http://localhost:8000', pattern: '^https?://' }),
  ADMIN_EMAIL: Type.String({ default: 'admin@workmate.local', pattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$' }),
  ADMIN_PASSWORD: Type.Optional(Type.String({ minLength: 12 })),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  LOG_PRETTY: Type.Boolean({ default: false }),
  CORS_ORIGINS: Type.String({ default: '' }),
  ACCESS_TOKEN_TTL_SECONDS: Type.Integer({ default: 900, minimum: 30, maximum: 86400 }),
  REFRESH_TOKEN_TTL_DAYS: Type.Integer({ default: 30, minimum: 1, maximum: 365 }),
  RATE_LIMIT_PER_MINUTE: Type.Integer({ default: 3000, minimum: 0 }),
  LOGIN_MAX_FAILURES: Type.Integer({ default: 10, minimum: 1 }),
  LOGIN_FAILURE_WINDOW_MINUTES: Type.Integer({ default: 15, minimum: 1 }),
  BODY_LIMIT_BYTES: Type.Integer({ default: 1048576, minimum: 1024 }),
  REQUEST_TIMEOUT_MS: Type.Integer({ default: 30000, minimum: 1000 }),
  SHUTDOWN_GRACE_MS: Type.Integer({ default: 10000, minimum: 0 }),
  METRICS_TOKEN: Type.Optional(Type.String({ minLength: 1 })),
  TRUST_PROXY: Type.Boolean({ default: false, description: 'trust X-Forwarded-For (behind a reverse proxy)' }),
  PRINCIPAL_CACHE_SECONDS: Type.Integer({ default: 10, minimum: 0, maximum: 30 }),
});

export type Config = Static<typeof ConfigSchema> & { dataDir: string; corsOrigins: string[] };

const INTEGER_KEYS = new Set(
  Object.entries(ConfigSchema.properties)
    .filter(([, s]) => (s as { type?: string }).type === 'integer')
    .map(([k]) => k),
);
const BOOLEAN_KEYS = new Set(
  Object.entries(ConfigSchema.properties)
    .filter(([, s]) => (s as { type?: string }).type === 'boolean')
    .map(([k]) => k),
);

export class ConfigError extends Error {}

/**
 * Reads the configuration from an environment map. Empty strings count as unset, so
 * `DATABASE_URL=` in a .env file selects the embedded database. Throws one message naming
 * every wrong value.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const raw: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const key of Object.keys(ConfigSchema.properties)) {
    const value = env[key];
    if (value === undefined || value.trim() === '') continue;
    if (INTEGER_KEYS.has(key)) {
      if (!/^-?\d+$/.test(value.trim())) problems.push(`${key}: expected an integer, got "${value}"`);
      raw[key] = Number(value);
    } else if (BOOLEAN_KEYS.has(key)) {
      if (!['true', 'false', '1', '0'].includes(value)) problems.push(`${key}: expected true or false`);
      raw[key] = value === 'true' || value === '1';
    } else raw[key] = value.trim();
  }
  const withDefaults = Value.Default(ConfigSchema, raw);
  for (const error of Value.Errors(ConfigSchema, withDefaults)) {
    problems.push(`${error.path.slice(1) || 'config'}: ${error.message}`);
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  const config = withDefaults as Static<typeof ConfigSchema>;
  return {
    ...config,
    dataDir: resolve(config.DATA_DIR),
    corsOrigins: config.CORS_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter(Boolean),
  };
}
