import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../core/deps.ts';
import type { EmployeesService, RolesService } from '../employees/index.ts';
import { IdentityRepository } from './identity.repository.ts';
import { identityRoutes } from './identity.routes.ts';
import { AuthConfigResponse, AuthUser, CallbackResponse, Jwks, MeResponse, TokenResponse } from './identity.schemas.ts';
import { IdentityService } from './identity.service.ts';
import { SsoService } from './sso.service.ts';

export { bootstrap } from './bootstrap.ts';
export type { IdentityService } from './identity.service.ts';

export interface IdentityModule {
  identity: IdentityService;
  routes(app: FastifyInstance): Promise<void>;
}

/** Sign-in, sessions and the bearer-token authenticator (SPEC 2). */
export function createIdentityModule(deps: CoreDeps, employees: EmployeesService, roles: RolesService): IdentityModule {
  const c = deps.config;
  const repo = new IdentityRepository(deps.db);
  const sso = deps.oidc
    ? new SsoService(deps.db, deps.audit, repo, employees, roles, deps.oidc, {
        projectId: c.OIDC_PROJECT_ID,
        defaultRole: c.OIDC_DEFAULT_ROLE,
        redirectUri: c.OIDC_REDIRECT_URI,
        principalCacheSeconds: c.PRINCIPAL_CACHE_SECONDS,
      })
    : null;
  const identity = new IdentityService(
    deps.db,
    deps.audit,
    repo,
    employees,
    deps.localTokens,
    {
      accessTokenTtlSeconds: c.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlDays: c.REFRESH_TOKEN_TTL_DAYS,
      loginMaxFailures: c.LOGIN_MAX_FAILURES,
      loginFailureWindowMinutes: c.LOGIN_FAILURE_WINDOW_MINUTES,
      principalCacheSeconds: c.PRINCIPAL_CACHE_SECONDS,
    },
    sso,
  );
  return {
    identity,
    async routes(app) {
      for (const schema of [AuthUser, TokenResponse, CallbackResponse, AuthConfigResponse, Jwks, MeResponse])
        app.addSchema(schema);
      await identityRoutes(app, { identity, employees, localTokens: deps.localTokens, sso, config: c });
    },
  };
}
