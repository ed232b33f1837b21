import type { FastifyInstance } from 'fastify';
import { AppError } from './errors.ts';

/** What a client is told to wait before trying again (seconds). */
export const MAINTENANCE_RETRY_AFTER_SECONDS = 300;

/** Routes that keep working in maintenance: operators' probes, docs, and signing in (so an admin can). */
const EXEMPT_PREFIXES = ['/health/', '/docs', '/api/auth/'];
const EXEMPT_ROUTES = new Set(['/metrics', '/openapi.json', '/.well-known/jwks.json']);

export function isExemptFromMaintenance(routeUrl: string): boolean {
  return EXEMPT_ROUTES.has(routeUrl) || EXEMPT_PREFIXES.some((prefix) => routeUrl.startsWith(prefix));
}

export const maintenanceError = () =>
  new AppError(503, 'maintenance_mode', 'The system is in maintenance mode; please try again later', undefined, {
    'retry-after': String(MAINTENANCE_RETRY_AFTER_SECONDS),
  });

/**
 * While `isOn()` says so, every request of a principal without `*` is 503 with Retry-After. Runs
 * after the authentication hook (register it after registerAuthHooks): public routes have no
 * principal and pass, unauthenticated calls have had their 401, and holders of `*` pass without
 * the setting being read. `isOn` is the cached settings read — no query per request.
 */
export function registerMaintenanceMode(app: FastifyInstance, isOn: () => Promise<boolean>): void {
  // A callback hook, not an async one: most requests pass at the first check, without a promise.
  app.addHook('onRequest', (request, _reply, done) => {
    const principal = request.principal;
    const route = request.routeOptions.url;
    if (!principal || principal.permissions.includes('*') || route === undefined || isExemptFromMaintenance(route)) {
      return done();
    }
    isOn().then(
      (on) => done(on ? maintenanceError() : undefined),
      (error: unknown) => done(error as Error),
    );
  });
}
