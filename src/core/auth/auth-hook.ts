import type { FastifyInstance, FastifyRequest } from 'fastify';
import { forbidden, unauthorized } from '../http/errors.ts';
import { hasPermission } from './permissions.ts';
import type { Principal, RequestContext } from './principal.ts';

/** `public` (no token), `authenticated` (any signed-in user) or a permission key. */
export type PermissionDeclaration = 'public' | 'authenticated' | (string & {});

export interface Authenticator {
  /** Resolves a bearer token to its principal; throws a 401 AppError when it is not valid. */
  authenticate(token: string, ctx?: RequestContext): Promise<Principal>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    permission?: PermissionDeclaration;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyInstance {
    /** Every route with its declared permission (tests walk it; nothing else changes it). */
    routeTable: Array<{ method: string; url: string; permission: PermissionDeclaration }>;
  }
}

/** Routes registered by plugins we do not write (Swagger UI's assets); public by nature. */
const FRAMEWORK_PUBLIC_PREFIXES = ['/docs'];

function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

/** The signed-in principal; only call from routes that are not public. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized();
  return request.principal;
}

export function requestContext(request: FastifyRequest): RequestContext {
  return {
    principal: request.principal,
    ipAddress: request.ip ?? null,
    userAgent: request.headers['user-agent']?.slice(0, 500) ?? null,
    requestId: request.id,
  };
}

/**
 * One hook enforces every route's declared permission (Immich's @Authenticated): 401 without a
 * valid token, 403 without the permission. It runs on request, before the body is parsed, so an
 * unauthenticated caller learns nothing about validation. A route without a declaration makes the
 * app fail to build.
 */
export function registerAuthHooks(app: FastifyInstance, authenticator: Authenticator): void {
  app.decorateRequest('principal', null);
  const routeTable: FastifyInstance['routeTable'] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    let permission = route.config?.permission;
    if (!permission) {
      // CORS preflight (OPTIONS) carries no credentials by definition.
      if (route.method !== 'OPTIONS' && !FRAMEWORK_PUBLIC_PREFIXES.some((p) => route.url.startsWith(p))) {
        throw new Error(`Route ${route.method} ${route.url} declares no permission (config.permission)`);
      }
      permission = 'public';
      route.config = { ...route.config, permission };
    }
    for (const method of [route.method].flat()) routeTable.push({ method, url: route.url, permission });
  });
  app.addHook('onRequest', async (request) => {
    const permission = request.routeOptions.config.permission;
    if (permission === undefined || permission === 'public') return;
    const token = bearerToken(request);
    if (!token) throw unauthorized();
    request.principal = await authenticator.authenticate(token, requestContext(request));
    if (permission !== 'authenticated' && !hasPermission(request.principal.permissions, permission)) {
      throw forbidden(`This action needs the permission ${permission}`);
    }
  });
}
