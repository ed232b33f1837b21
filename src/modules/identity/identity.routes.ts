import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { principalOf, requestContext } from '../../core/auth/auth-hook.ts';
import type { LocalTokenService } from '../../core/auth/local-tokens.ts';
import { PERMISSION_CATALOG } from '../../core/auth/permissions.ts';
import { typed } from '../../core/http/app-type.ts';
import { ifMatch, setEtag } from '../../core/http/etag.ts';
import { IdParams } from '../../core/http/schemas.ts';
import { type EmployeesService, toEmployeeResponse } from '../employees/index.ts';
import * as s from './identity.schemas.ts';
import type { IdentityService } from './identity.service.ts';

const tags = ['auth'];

export async function identityRoutes(
  fastify: FastifyInstance,
  deps: { identity: IdentityService; employees: EmployeesService; localTokens: LocalTokenService },
): Promise<void> {
  const app = typed(fastify);
  const { identity, employees } = deps;

  /** The `user` object of token responses and the permission part of /me (one query when signed in). */
  async function authUser(employeeId: string, request: FastifyRequest) {
    const employee = await employees.get(employeeId);
    const permissions = request.principal?.permissions ?? (await employees.findAccess(employeeId))?.permissions ?? [];
    const role = employee.role;
    return {
      employee,
      user: {
        id: employee.id,
        employee_code: employee.employeeCode,
        email: employee.email,
        first_name: employee.firstName,
        last_name: employee.lastName,
        role,
        roles: role ? [role] : [],
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
    async () => ({
      modes: ['local' as const],
      issuer: null,
      client_id: null,
      authorization_endpoint: null,
      end_session_endpoint: null,
      scopes: [],
    }),
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
      const pair = await identity.refresh(request.body.refresh_token);
      const { user } = await authUser(pair.employeeId, request);
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
      await identity.logout(requestContext(request), request.body?.refresh_token);
      return { end_session_url: null };
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
