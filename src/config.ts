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
  OIDC_ISSUER: Type.Optional(Type.String({ pattern: '^https?://', description: 'turns the oidc mode on' })),
  OIDC_CLIENT_ID: Type.Optional(Type.String({ minLength: 1 })),
  OIDC_CLIENT_SECRET: Type.Optional(Type.String({ minLength: 1 })),
  OIDC_KEY_FILE: Type.Optional(
    Type.String({ minLength: 1, description: 'Zitadel API-app JSON key (private_key_jwt)' }),
  ),
  OIDC_REDIRECT_URI: Type.Optional(Type.String({ pattern: '^https?://' })),
  OIDC_POST_LOGOUT_REDIRECT_URI: Type.Optional(Type.String({ pattern: '^https?://' })),
  OIDC_PROJECT_ID: Type.Optional(Type.String({ minLength: 1 })),
  OIDC_DEFAULT_ROLE: Type.String({ default: 'Employee' }),
  OIDC_SCOPES: Type.String({ default: 'openid profile email offline_access', minLength: 1 }),
  SETTINGS_CACHE_SECONDS: Type.Integer({
    default: 5,
    minimum: 0,
    maximum: 300,
    description: 'how long an instance may use its cached settings if a change notification is lost',
  }),
  JOBS_ENABLED: Type.Boolean({ default: true, description: 'run the scheduled jobs in this instance' }),
  JOBS_TICK_SECONDS: Type.Integer({ default: 30, minimum: 1, maximum: 3600 }),
  SYSTEM_PROBE_INTERVAL_MINUTES: Type.Integer({ default: 5, minimum: 1, maximum: 1440 }),
  SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://', description: 'unset → mails go to $DATA_DIR/outbox' })),
  MAIL_FROM: Type.String({ default: 'WorkmateOS <no-reply@workmate.local>', minLength: 3 }),
  STORAGE: Type.Union([Type.Literal('local'), Type.Literal('s3')], { default: 'local' }),
  UPLOAD_DIR: Type.Optional(Type.String({ minLength: 1, description: 'default $DATA_DIR/uploads' })),
  UPLOAD_MAX_BYTES: Type.Integer({ default: 52428800, minimum: 1024 }),
  S3_ENDPOINT: Type.Optional(Type.String({ pattern: '^https?://' })),
  S3_REGION: Type.String({ default: 'us-east-1', minLength: 1 }),
  S3_BUCKET: Type.Optional(Type.String({ minLength: 1 })),
  S3_ACCESS_KEY_ID: Type.Optional(Type.String({ minLength: 1 })),
  S3_SECRET_ACCESS_KEY: Type.Optional(Type.String({ minLength: 1 })),
  S3_FORCE_PATH_STYLE: Type.Boolean({ default: true, description: 'path-style URLs (MinIO, Ceph, s3rver)' }),
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
    // OIDC_DEFAULT_ROLE= (empty) is meaningful: no default role, 403 when no role maps.
    if (key === 'OIDC_DEFAULT_ROLE' && value !== undefined && value.trim() === '') {
      raw[key] = '';
      continue;
    }
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
  const oidc = withDefaults as Partial<Static<typeof ConfigSchema>>;
  if (oidc.OIDC_ISSUER) {
    if (!oidc.OIDC_CLIENT_ID) problems.push('OIDC_CLIENT_ID: required when OIDC_ISSUER is set');
    if (oidc.OIDC_CLIENT_SECRET && oidc.OIDC_KEY_FILE) {
      problems.push('OIDC_KEY_FILE: give either OIDC_CLIENT_SECRET or OIDC_KEY_FILE, not both');
    }
  }
  if (oidc.STORAGE === 's3' && !oidc.S3_BUCKET) problems.push('S3_BUCKET: required when STORAGE=s3');
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
