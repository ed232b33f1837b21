import { Type } from '@sinclair/typebox';
import { Email, Nullable, Uuid } from '../../core/http/schemas.ts';
import { EmployeeResponse } from '../employees/index.ts';

const Password = (description: string) => Type.String({ minLength: 12, maxLength: 1024, description });

export const LoginBody = Type.Object(
  { email: Email(), password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);
export const RefreshBody = Type.Object(
  { refresh_token: Type.String({ minLength: 1, maxLength: 4096 }) },
  {
    additionalProperties: false,
  },
);
export const LogoutBody = Type.Object(
  {
    refresh_token: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
    id_token_hint: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 16384,
        description: 'SSO: the ID token, passed on to the end-session URL',
      }),
    ),
  },
  { additionalProperties: false },
);
export const PasswordChangeBody = Type.Object(
  {
    current_password: Type.String({ minLength: 1, maxLength: 1024 }),
    new_password: Password('at least 12 characters'),
  },
  { additionalProperties: false },
);
export const PasswordSetBody = Type.Object(
  { password: Password('at least 12 characters') },
  {
    additionalProperties: false,
  },
);

const RoleRef = Type.Object({ id: Uuid(), name: Type.String() });

export const AuthUser = Type.Object(
  {
    id: Uuid(),
    employee_code: Type.String(),
    email: Type.String(),
    first_name: Type.String(),
    last_name: Type.String(),
    role: Nullable(RoleRef),
    roles: Type.Array(RoleRef),
    permissions: Type.Array(Type.String(), { description: 'granted keys and patterns as stored, sorted' }),
  },
  { $id: 'AuthUser' },
);

export const TokenResponse = Type.Object(
  {
    access_token: Type.String(),
    refresh_token: Type.String(),
    id_token: Type.Optional(Type.String({ description: 'SSO refresh: the new ID token, when the IdP sends one' })),
    token_type: Type.Literal('Bearer'),
    expires_in: Type.Integer({ description: 'seconds until the access token expires' }),
    user: Type.Ref('AuthUser'),
  },
  { $id: 'TokenResponse' },
);

export const AuthConfigResponse = Type.Object(
  {
    modes: Type.Array(Type.Union([Type.Literal('local'), Type.Literal('oidc')])),
    issuer: Nullable(Type.String()),
    client_id: Nullable(Type.String()),
    authorization_endpoint: Nullable(Type.String()),
    end_session_endpoint: Nullable(Type.String()),
    scopes: Type.Array(Type.String()),
  },
  { $id: 'AuthConfig' },
);

export const LogoutResponse = Type.Object({ end_session_url: Nullable(Type.String()) });

export const Jwks = Type.Object({ keys: Type.Array(Type.Object({}, { additionalProperties: true })) }, { $id: 'Jwks' });

export const MeResponse = Type.Object(
  { ...EmployeeResponse.properties, roles: Type.Array(RoleRef), permissions: AuthUser.properties.permissions },
  { $id: 'Me' },
);

export const CallbackBody = Type.Object(
  {
    code: Type.String({ minLength: 1, maxLength: 4096, description: 'the authorization code from the redirect' }),
    code_verifier: Type.Optional(
      Type.String({
        minLength: 43,
        maxLength: 128,
        description: 'PKCE verifier (S256); omit when state names a server-side start',
      }),
    ),
    redirect_uri: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, pattern: '^https?://' })),
    state: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  },
  { additionalProperties: false },
);

export const CallbackResponse = Type.Object(
  {
    access_token: Type.String({ description: "the IdP's access token; use it as Bearer" }),
    refresh_token: Type.Optional(Type.String()),
    id_token: Type.Optional(Type.String()),
    token_type: Type.Literal('Bearer'),
    expires_in: Type.Integer(),
    user: Type.Ref('AuthUser'),
  },
  { $id: 'CallbackResponse' },
);

export const OidcLoginStart = Type.Object({
  authorization_url: Type.String({ description: 'send the browser here' }),
  state: Type.String({ description: 'pass it back with the code to POST /api/auth/callback' }),
});
