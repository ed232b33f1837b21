import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../config.ts';
import { principalOf, requestContext } from '../../core/auth/auth-hook.ts';
import type { LocalTokenService } from '../../core/auth/local-tokens.ts';
import { PERMISSION_CATALOG } from '../../core/auth/permissions.ts';
import type { Principal } from '../../core/auth/principal.ts';
import { typed } from '../../core/http/app-type.ts';
import { AppError } from '../../core/http/errors.ts';
import { ifMatch, setEtag } from '../../core/http/etag.ts';
import { IdParams } from '../../core/http/schemas.ts';
import { type EmployeesService, toEmployeeResponse } from '../employees/index.ts';
import * as s from './identity.schemas.ts';
import type { IdentityService } from './identity.service.ts';
import type { SsoService } from './sso.service.ts';

const tags = ['auth'];

export async function identityRoutes(
  fastify: FastifyInstance,
  deps: {
    identity: IdentityService;
    employees: EmployeesService;
    localTokens: LocalTokenService;
    sso: SsoService | null;
    config: Config;
  },
): Promise<void> {
  const app = typed(fastify);
  const { identity, employees, sso } = deps;

  function requireSso(): SsoService {
    if (!sso) throw new AppError(404, 'oidc_disabled', 'Single sign-on is not configured (OIDC_ISSUER is unset)');
    return sso;
  }

  /** The `user` object of token responses and the permission part of /me (one query when signed in). */
  async function authUser(employeeId: string, request: FastifyRequest, signedIn?: Principal) {
    const employee = await employees.get(employeeId);
    const principal = signedIn ?? request.principal;
    const permissions = principal?.permissions ?? (await employees.findAccess(employeeId))?.permissions ?? [];
    const role = employee.role;
    const roles = principal?.id === employeeId && principal.roles ? principal.roles : role ? [role] : [];
    return {
      employee,
      user: {
        id: employee.id,
        employee_code: employee.employeeCode,
        email: employee.email,
        first_name: employee.firstName,
        last_name: employee.lastName,
        role,
        roles,
        permissions: [...new Set(permissions)].sort(),
      },
    };
  }

  app.get(
    '/.well-known/jwks.json',
    {
      config: { permission: 'public' },
      schema: {
        tags,
        operationId: 'getJwks',
        summary: 'Public keys of the server-signed access tokens',
        response: { 200: Type.Ref(s.Jwks) },
      },
    },
    async () => deps.localTokens.jwks,
  );

  app.get(
    '/api/auth/config',
    {
      config: { permission: 'public' },
      schema: {
        tags,
        operationId: 'getAuthConfig',
        summary: 'How a front end signs in',
        response: { 200: Type.Ref(s.AuthConfigResponse) },
      },
    },
    async () => {
      if (!sso) {
        return {
          modes: ['local' as const],
          issuer: null,
          client_id: null,
          authorization_endpoint: null,
          end_session_endpoint: null,
          scopes: [],
        };
      }
      const metadata = await sso.oidc.metadata();
      return {
        modes: ['local' as const, 'oidc' as const],
        issuer: metadata?.issuer ?? sso.oidc.settings.issuer,
        client_id: sso.oidc.settings.clientId,
        authorization_endpoint: metadata?.authorization_endpoint ?? null,
        end_session_endpoint: metadata?.end_session_endpoint ?? null,
        scopes: sso.oidc.settings.scopes,
      };
    },
  );

  app.get(
    '/api/auth/login/oidc',
    {
      config: { permission: 'public' },
      schema: {
        tags,
        operationId: 'startOidcLogin',
        summary: 'Start single sign-on: the authorization URL, with state and PKCE verifier kept server-side',
        description: 'The state is valid for 10 minutes and works once. 404 when SSO is not configured.',
        response: { 200: s.OidcLoginStart },
      },
    },
    async () => requireSso().startLogin(),
  );

  app.post(
    '/api/auth/callback',
    {
      config: { permission: 'public' },
      schema: {
        tags,
        operationId: 'oidcCallback',
        summary: 'Finish single sign-on: exchange the authorization code (PKCE S256)',
        description:
          'Validates the tokens, onboards the employee and returns the IdP tokens; the access token is then used as Bearer. ' +
          'A used, expired or wrong code, or a wrong verifier, is 400.',
        body: s.CallbackBody,
        response: { 200: Type.Ref(s.CallbackResponse) },
      },
    },
    async (request) => {
      const ctx = requestContext(request);
      const result = await requireSso().callback(ctx, request.body);
      const { user } = await authUser(result.employeeId, request, await sso?.authenticate(result.access_token, ctx));
      const { employeeId: _, ...tokens } = result;
      return { ...tokens, user };
    },
  );

  app.post(
    '/api/auth/login',
    {
      config: { permission: 'public' },
      schema: {
        tags,
        operationId: 'login',
        summary: 'Sign in with e-mail and password',
        description:
          'Wrong e-mail and wrong password both give 401. Failed logins are limited per IP and e-mail (429).',
        body: s.LoginBody,
        response: { 200: Type.Ref(s.TokenResponse) },
      },
    },
    async (request) => {
      const pair = await identity.login(requestContext(request), request.body.email, request.body.password);
      const { user } = await authUser(pair.employeeId, request);
      return { ...pair, user };
    },
  );

  app.post(
    '/api/auth/refresh',
    {
      config: { permission: 'public' },
      schema: {
        tags,
        operationId: 'refreshToken',
        summary: 'Exchange a refresh token for a new pair (rotation)',
        description: 'A refresh token works once. Reusing one revokes the whole sign-in session.',
        body: s.RefreshBody,
        response: { 200: Type.Ref(s.TokenResponse) },
      },
    },
    async (request) => {
      const ctx = requestContext(request);
      const pair = await identity.refresh(request.body.refresh_token, ctx);
      const principal = sso && 'id_token' in pair ? await sso.authenticate(pair.access_token, ctx) : undefined;
      const { user } = await authUser(pair.employeeId, request, principal);
      return { ...pair, user };
    },
  );

  app.post(
    '/api/auth/logout',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags,
        operationId: 'logout',
        summary: 'Sign out: revokes the given refresh token',
        body: Type.Optional(s.LogoutBody),
        response: { 200: s.LogoutResponse },
      },
      // The body is optional (nothing to revoke, e.g. oidc); Ajv would reject a missing body as "must be object".
      preValidation: async (request) => {
        if (request.body === undefined) request.body = {};
      },
    },
    async (request) => {
      const endSessionUrl = await identity.logout(
        requestContext(request),
        request.body?.refresh_token,
        request.body?.id_token_hint,
      );
      return { end_session_url: endSessionUrl };
    },
  );

  app.get(
    '/api/auth/me',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags,
        operationId: 'getMe',
        summary: 'The caller: employee fields, role, roles and effective permissions',
        response: {
          200: Type.Ref(s.MeResponse),
        },
      },
    },
    async (request, reply) => {
      const { employee, user } = await authUser(principalOf(request).id, request);
      setEtag(reply, employee);
      return { ...toEmployeeResponse(employee, request.principal), roles: user.roles, permissions: user.permissions };
    },
  );

  app.put(
    '/api/auth/password',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags,
        operationId: 'changeOwnPassword',
        summary: 'Change your own password (local accounts)',
        description: 'Ends every session of the account.',
        body: s.PasswordChangeBody,
        response: { 204: Type.Null({ description: 'Changed' }) },
      },
    },
    async (request, reply) => {
      await identity.changePassword(requestContext(request), request.body.current_password, request.body.new_password);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/employees/:id/password',
    {
      config: { permission: 'employees.write' },
      schema: {
        tags: ['employees'],
        operationId: 'setEmployeePassword',
        summary: "Set an employee's local password",
        description: 'Ends the employee sessions. 403 when the employee holds permissions you lack.',
        params: IdParams,
        body: s.PasswordSetBody,
        response: { 204: Type.Null({ description: 'Set' }) },
      },
    },
    async (request, reply) => {
      await identity.setPassword(requestContext(request), request.params.id, request.body.password, ifMatch(request));
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/permissions',
    {
      config: { permission: 'admin.roles.read' },
      schema: {
        tags: ['roles'],
        operationId: 'listPermissions',
        summary: 'The permission catalog',
        response: { 200: Type.Array(Type.Object({ key: Type.String(), description: Type.String() })) },
      },
    },
    async () => [...PERMISSION_CATALOG],
  );
}
