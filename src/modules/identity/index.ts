import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../core/deps.ts';
import type { EmployeesService } from '../employees/index.ts';
import { IdentityRepository } from './identity.repository.ts';
import { identityRoutes } from './identity.routes.ts';
import { AuthConfigResponse, AuthUser, Jwks, MeResponse, TokenResponse } from './identity.schemas.ts';
import { IdentityService } from './identity.service.ts';

export { bootstrap } from './bootstrap.ts';
export type { IdentityService } from './identity.service.ts';

export interface IdentityModule {
  identity: IdentityService;
  routes(app: FastifyInstance): Promise<void>;
}

/** Sign-in, sessions and the bearer-token authenticator (SPEC 2). */
export function createIdentityModule(deps: CoreDeps, employees: EmployeesService): IdentityModule {
  const c = deps.config;
  const identity = new IdentityService(
    deps.db,
    deps.audit,
    new IdentityRepository(deps.db),
    employees,
    deps.localTokens,
    {
      accessTokenTtlSeconds: c.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlDays: c.REFRESH_TOKEN_TTL_DAYS,
      loginMaxFailures: c.LOGIN_MAX_FAILURES,
      loginFailureWindowMinutes: c.LOGIN_FAILURE_WINDOW_MINUTES,
      principalCacheSeconds: c.PRINCIPAL_CACHE_SECONDS,
    },
  );
  return {
    identity,
    async routes(app) {
      for (const schema of [AuthUser, TokenResponse, AuthConfigResponse, Jwks, MeResponse]) app.addSchema(schema);
      await identityRoutes(app, { identity, employees, localTokens: deps.localTokens });
    },
  };
}
