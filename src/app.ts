import { randomUUID } from 'node:crypto';
import type { ValidatorFactory } from '@fastify/ajv-compiler';
import cors from '@fastify/cors';
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import type { AppContext } from './context.ts';
import { auditRoutes } from './core/audit/audit.routes.ts';
import { registerAuthHooks } from './core/auth/auth-hook.ts';
import { registerApiRateLimit } from './core/http/api-rate-limit.ts';
import { registerErrorHandler } from './core/http/error-handler.ts';
import { healthRoutes } from './core/http/health-routes.ts';
import { registerIdempotency } from './core/http/idempotency.ts';
import { registerMaintenanceMode } from './core/http/maintenance.ts';
import { registerOpenApi } from './core/http/openapi.ts';
import { registerSecurityHeaders } from './core/http/security-headers.ts';
import { createValidatorFactory, registerValidation } from './core/http/validation.ts';
import { recordRequest } from './core/observability/metrics.ts';
import { VERSION } from './version.ts';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const REQUEST_LOG_LEVELS = new Set(['info', 'debug', 'trace']);

export function loggerOptions(level: string, pretty: boolean): FastifyServerOptions['logger'] {
  return {
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.access_token', '*.refresh_token'],
      censor: '[redacted]',
    },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } } } : {}),
  };
}

/**
 * Builds the HTTP application on a wired context: core plugins first (validation, errors, auth,
 * idempotency, headers, CORS, docs, metrics), then every module's routes.
 */
export async function buildApp(
  ctx: AppContext,
  options: { logger?: FastifyServerOptions['logger'] } = {},
): Promise<FastifyInstance> {
  const config = ctx.core.config;
  const app = Fastify({
    logger: options.logger ?? loggerOptions(config.LOG_LEVEL, config.LOG_PRETTY),
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.BODY_LIMIT_BYTES,
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    forceCloseConnections: 'idle',
    trustProxy: config.TRUST_PROXY,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    // Fastify's type names the factory after its own Ajv compiler; ours has the same call shape.
    schemaController: {
      compilersFactory: { buildValidator: createValidatorFactory() as unknown as ValidatorFactory },
    },
  });

  // First, so every answer carries it, including a 401 from the auth hook.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  registerValidation(app);
  registerErrorHandler(app);
  registerAuthHooks(app, ctx.identity.identity);
  // After authentication (it needs the principal), before the rate limit (a 503 costs nothing).
  registerMaintenanceMode(app, async () => (await ctx.settings.get()).maintenanceMode);
  registerApiRateLimit(app, ctx.core.db, config.RATE_LIMIT_PER_MINUTE);
  registerIdempotency(app, ctx.core.db, config.REQUEST_TIMEOUT_MS + 30_000);

  // One log line and one metric sample per request (Fastify's own two lines are off).
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    recordRequest(route, request.method, reply.statusCode, reply.elapsedTime / 1000);
    // Building the log object costs more than pino's own level check; skip it when it is not written.
    if (!REQUEST_LOG_LEVELS.has(request.log.level)) return done();
    request.log.info(
      {
        method: request.method,
        route,
        url: request.url.split('?')[0],
        status: reply.statusCode,
        duration_ms: Math.round(reply.elapsedTime * 10) / 10,
        employee_id: request.principal?.id,
      },
      'request',
    );
    done();
  });

  registerSecurityHeaders(app);
  await app.register(cors, {
    origin: config.corsOrigins.length > 0 ? config.corsOrigins : false,
    credentials: true,
    allowedHeaders: ['Authorization', 'Content-Type', 'If-Match', 'Idempotency-Key', 'X-Request-Id'],
    exposedHeaders: ['ETag', 'Location', 'Retry-After', 'X-Request-Id', 'Idempotent-Replayed'],
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    maxAge: 600,
  });
  await registerOpenApi(app, VERSION);

  await app.register(async (scope) => {
    await healthRoutes(scope, ctx.core);
    await auditRoutes(scope, ctx.core);
    await ctx.settingsModule.routes(scope);
    await ctx.system.routes(scope);
    await ctx.identity.routes(scope);
    await ctx.employees.routes(scope);
    await ctx.crm.routes(scope);
    await ctx.projects.routes(scope);
    await ctx.timeTracking.routes(scope);
    await ctx.reminders.routes(scope);
    await ctx.dashboards.routes(scope);
    await ctx.documents.routes(scope);
  });

  app.addHook('onClose', async () => {
    ctx.core.oidc?.stop();
    ctx.core.storage.close?.();
  });
  app.get('/openapi.json', { config: { permission: 'public' }, schema: { hide: true } }, async () => app.swagger());
  return app;
}
