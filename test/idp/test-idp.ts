import { createPrivateKey, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';

/**
 * A real OpenID provider (panva's oidc-provider) on loopback, set up the way Zitadel behaves:
 * Zitadel's endpoint paths, the `urn:zitadel:iam:org:project:{id}:roles` claim, JWT access tokens
 * with header `typ: JWT` and an `aud` array holding the project id, opaque access tokens for a
 * second client, refresh tokens, introspection, revocation, end-session and key rotation.
 *
 * There is no login page: the authorization endpoint redirects to /interaction/{uid}, which signs
 * in the user named by `login_hint` and grants every requested scope (see `authorize`).
 */

export interface IdpUser {
  sub: string;
  email?: string;
  email_verified?: boolean;
  given_name?: string;
  family_name?: string;
  /** Zitadel role keys (admin, ceo, manager, employee, …). */
  roles?: string[];
  /** false: access tokens / introspection carry no profile or role claims (only userinfo has them). */
  claimsInToken?: boolean;
}

export const PROJECT_ID = '310000000000000001';
export const JWT_CLIENT = { id: 'workmate-web', secret: 'workmate-web-secret-0123456789abcdef' };
export const OPAQUE_CLIENT = { id: 'workmate-opaque', secret: 'workmate-opaque-secret-0123456789abcd' };
/** A client whose tokens are plain userinfo tokens (opaque, no resource, no audience). */
export const USERINFO_CLIENT = { id: 'workmate-userinfo', secret: 'workmate-userinfo-secret-0123456789ab' };
/** An application of another project: its opaque tokens carry another audience. */
export const OTHER_PROJECT_CLIENT = { id: 'other-app', secret: 'other-app-secret-0123456789abcdefghij' };
/** A Zitadel-style API application: introspection with private_key_jwt (see apiKeyFile). */
export const API_CLIENT_ID = 'workmate-api';
export const REDIRECT_URI = 'http://127.0.0.1:5173/auth/callback';
export const POST_LOGOUT_REDIRECT_URI = 'http://127.0.0.1:5173/';
const RESOURCE = 'https://api.workmate.test';

export interface TestIdp {
  issuer: string;
  users: Map<string, IdpUser>;
  /** Requests per path (e.g. '/oauth/v2/introspect', '/oauth/v2/keys'). */
  calls(path: string): number;
  /** Runs the authorization-code flow with PKCE for a user; returns the code. */
  authorize(
    sub: string,
    options?: { clientId?: string; codeChallenge?: string; redirectUri?: string; scope?: string },
  ): Promise<string>;
  /** Follows an authorization URL (e.g. from GET /api/auth/login/oidc) for a user; returns the code. */
  authorizeUrl(url: string, sub: string): Promise<string>;
  /** Exchanges a code directly (the way a front end would) — for token-only tests. */
  tokens(
    sub: string,
    options?: { clientId?: string },
  ): Promise<{ access_token: string; refresh_token?: string; id_token?: string }>;
  revoke(token: string, clientId?: string): Promise<void>;
  /** The API application's key in Zitadel's JSON key-file format (`OIDC_KEY_FILE`). */
  apiKeyFile(): string;
  /** Signs an arbitrary JWT with the provider's current signing key (negative tests). */
  sign(payload: Record<string, unknown>, header?: Record<string, unknown>): Promise<string>;
  currentPublicJwk(): JWK;
  /** Adds a new signing key in front of the old ones (new tokens use it; old ones still verify). */
  rotateKeys(): Promise<void>;
  close(): Promise<void>;
}

async function newSigningKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'RS256', use: 'sig' };
}

export async function pkcePair(): Promise<{ verifier: string; challenge: string }> {
  const { randomPKCECodeVerifier, calculatePKCECodeChallenge } = await import('openid-client');
  const verifier = randomPKCECodeVerifier();
  return { verifier, challenge: await calculatePKCECodeChallenge(verifier) };
}

function roleClaim(user: IdpUser): Record<string, Record<string, string>> {
  return Object.fromEntries((user.roles ?? []).map((r) => [r, { '300000000000000001': 'workmate.test' }]));
}

function configuration(users: Map<string, IdpUser>, keys: JWK[], apiKey: JWK): Configuration {
  return {
    clients: [
      {
        client_id: API_CLIENT_ID,
        redirect_uris: [],
        grant_types: [],
        response_types: [],
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [apiKey as never] },
      },
      {
        client_id: JWT_CLIENT.id,
        client_secret: JWT_CLIENT.secret,
        redirect_uris: [REDIRECT_URI],
        post_logout_redirect_uris: [POST_LOGOUT_REDIRECT_URI],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      {
        client_id: OPAQUE_CLIENT.id,
        client_secret: OPAQUE_CLIENT.secret,
        redirect_uris: [REDIRECT_URI],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      {
        client_id: USERINFO_CLIENT.id,
        client_secret: USERINFO_CLIENT.secret,
        redirect_uris: [REDIRECT_URI],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      {
        client_id: OTHER_PROJECT_CLIENT.id,
        client_secret: OTHER_PROJECT_CLIENT.secret,
        redirect_uris: [REDIRECT_URI],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: keys as never },
    routes: {
      authorization: '/oauth/v2/authorize',
      token: '/oauth/v2/token',
      introspection: '/oauth/v2/introspect',
      revocation: '/oauth/v2/revoke',
      jwks: '/oauth/v2/keys',
      userinfo: '/oidc/v1/userinfo',
      end_session: '/oidc/v1/end_session',
    },
    pkce: { required: () => true },
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    claims: {
      openid: ['sub', `urn:zitadel:iam:org:project:${PROJECT_ID}:roles`],
      email: ['email', 'email_verified'],
      profile: ['given_name', 'family_name', 'name'],
    },
    async findAccount(_ctx, sub) {
      const user = users.get(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        async claims() {
          return {
            sub,
            email: user.email,
            email_verified: user.email_verified,
            given_name: user.given_name,
            family_name: user.family_name,
            [`urn:zitadel:iam:org:project:${PROJECT_ID}:roles`]: roleClaim(user),
          };
        },
      };
    },
    // Zitadel with "assert roles on authentication": the roles (and, here, the profile) travel in
    // the access token — in a JWT's payload, or in the introspection answer for opaque tokens.
    extraTokenClaims(_ctx, token) {
      const user = users.get((token as { accountId?: string }).accountId ?? '');
      if (!user || user.claimsInToken === false) return undefined;
      return {
        [`urn:zitadel:iam:org:project:${PROJECT_ID}:roles`]: roleClaim(user),
        'urn:zitadel:iam:org:project:roles': roleClaim(user),
        email: user.email,
        email_verified: user.email_verified,
        given_name: user.given_name,
        family_name: user.family_name,
      };
    },
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const accountId = ctx.oidc.session?.accountId;
      const clientId = ctx.oidc.client?.clientId;
      if (!accountId || !clientId) return undefined;
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(clientId);
      if (grantId) {
        const existing = await ctx.oidc.provider.Grant.find(grantId);
        if (existing) return existing;
      }
      const grant = new ctx.oidc.provider.Grant({ accountId, clientId });
      grant.addOIDCScope('openid profile email offline_access');
      grant.addOIDCClaims(['email', 'email_verified', 'given_name', 'family_name']);
      grant.addResourceScope(RESOURCE, 'openid profile email offline_access');
      await grant.save();
      return grant;
    },
    features: {
      devInteractions: { enabled: false },
      introspection: { enabled: true },
      revocation: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, client) => (client?.clientId === USERINFO_CLIENT.id ? undefined : RESOURCE),
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, _resource, client) => ({
          scope: 'openid profile email offline_access',
          audience: client.clientId === OTHER_PROJECT_CLIENT.id ? 'other-project' : PROJECT_ID,
          accessTokenTTL: 3600,
          accessTokenFormat: client.clientId === JWT_CLIENT.id ? 'jwt' : 'opaque',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    formats: {
      customizers: {
        // Zitadel's JWT access tokens: typ "JWT" and an aud array with the project and client ids.
        jwt(_ctx, token, jwt) {
          jwt.header = { ...jwt.header, typ: 'JWT' };
          jwt.payload.aud = [PROJECT_ID, (token as { clientId: string }).clientId];
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: ['test-idp-cookie-key'] },
    ttl: { AccessToken: 3600, AuthorizationCode: 60, RefreshToken: 86400, IdToken: 3600, Interaction: 600 },
  };
}

function cookieHeader(jar: Map<string, string>): string {
  return [...jar.entries()].map(([k, v]) => `${k}=${v}`).join('; ');
}

function absorb(jar: Map<string, string>, res: Response): void {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = pair?.indexOf('=') ?? -1;
    if (!pair || eq < 0) continue;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
    else jar.set(name, value);
  }
}

export async function startTestIdp(
  options: { users?: IdpUser[]; port?: number; host?: string } = {},
): Promise<TestIdp> {
  const users = new Map((options.users ?? []).map((u) => [u.sub, u]));
  let keys: JWK[] = [await newSigningKey()];
  const api = await generateKeyPair('RS256', { extractable: true });
  const apiKid = randomUUID();
  const apiPublic = { ...(await exportJWK(api.publicKey)), kid: apiKid, alg: 'RS256', use: 'sig' };
  const apiPem = createPrivateKey({ key: (await exportJWK(api.privateKey)) as never, format: 'jwk' })
    .export({ format: 'pem', type: 'pkcs1' })
    .toString();
  const counts = new Map<string, number>();
  let provider: Provider | null = null;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const current = provider;
    if (!current) return;
    if (path.startsWith('/interaction/')) {
      try {
        const details = await current.interactionDetails(req, res);
        if (details.prompt.name === 'consent') {
          const accountId = details.session?.accountId ?? '';
          const clientId = String(details.params.client_id);
          const grant = details.grantId
            ? ((await current.Grant.find(details.grantId)) ?? new current.Grant({ accountId, clientId }))
            : new current.Grant({ accountId, clientId });
          grant.addOIDCScope('openid profile email offline_access');
          grant.addOIDCClaims(['email', 'email_verified', 'given_name', 'family_name']);
          grant.addResourceScope(RESOURCE, 'openid profile email offline_access');
          const grantId = await grant.save();
          await current.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
          return;
        }
        const accountId = String(details.params.login_hint ?? '');
        if (!users.has(accountId)) {
          await current.interactionFinished(req, res, { error: 'access_denied', error_description: 'unknown user' });
          return;
        }
        await current.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
      } catch (error) {
        res.statusCode = 500;
        res.end(String(error));
      }
      return;
    }
    current.callback()(req, res);
  };
  const server: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;

  const build = () => {
    const p = new Provider(issuer, configuration(users, keys, apiPublic));
    p.on('server_error', (_ctx, error) => console.error('test IdP server_error', error));
    return p;
  };
  provider = build();

  async function authorizeUrl(url: string, sub: string): Promise<string> {
    const target = new URL(url);
    target.searchParams.set('login_hint', sub);
    const jar = new Map<string, string>();
    let next = target.href;
    for (let hop = 0; hop < 10; hop++) {
      const res = await fetch(next, { redirect: 'manual', headers: { cookie: cookieHeader(jar) } });
      absorb(jar, res);
      const location = res.headers.get('location');
      if (!location) throw new Error(`authorization stopped at ${next} with ${res.status}: ${await res.text()}`);
      const resolved = new URL(location, next);
      if (resolved.href.startsWith(REDIRECT_URI)) {
        const code = resolved.searchParams.get('code');
        if (!code) throw new Error(`no code in ${resolved.href}`);
        return code;
      }
      next = resolved.href;
    }
    throw new Error('too many redirects');
  }

  const idp: TestIdp = {
    issuer,
    users,
    calls: (path) => counts.get(path) ?? 0,
    async authorize(sub, opts = {}) {
      const url = new URL(`${issuer}/oauth/v2/authorize`);
      url.searchParams.set('client_id', opts.clientId ?? JWT_CLIENT.id);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('redirect_uri', opts.redirectUri ?? REDIRECT_URI);
      url.searchParams.set('scope', opts.scope ?? 'openid profile email offline_access');
      url.searchParams.set('code_challenge', opts.codeChallenge ?? (await pkcePair()).challenge);
      url.searchParams.set('code_challenge_method', 'S256');
      url.searchParams.set('prompt', 'consent');
      return authorizeUrl(url.href, sub);
    },
    authorizeUrl,
    async tokens(sub, opts = {}) {
      const client =
        [OPAQUE_CLIENT, OTHER_PROJECT_CLIENT, USERINFO_CLIENT].find((c) => c.id === opts.clientId) ?? JWT_CLIENT;
      const { verifier, challenge } = await pkcePair();
      const code = await idp.authorize(sub, { clientId: client.id, codeChallenge: challenge });
      const res = await fetch(`${issuer}/oauth/v2/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: REDIRECT_URI,
          code_verifier: verifier,
        }),
      });
      if (!res.ok) throw new Error(`token exchange failed: ${res.status} ${await res.text()}`);
      return (await res.json()) as { access_token: string; refresh_token?: string; id_token?: string };
    },
    async revoke(token, clientId = OPAQUE_CLIENT.id) {
      const client = clientId === OPAQUE_CLIENT.id ? OPAQUE_CLIENT : JWT_CLIENT;
      const res = await fetch(`${issuer}/oauth/v2/revoke`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ token }),
      });
      if (!res.ok) throw new Error(`revocation failed: ${res.status}`);
    },
    async sign(payload, header = {}) {
      const jwk = keys[0] as JWK;
      const { importJWK } = await import('jose');
      const key = await importJWK(jwk, 'RS256');
      return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: jwk.kid, typ: 'JWT', ...header }).sign(key);
    },
    apiKeyFile: () =>
      JSON.stringify({ type: 'application', keyId: apiKid, key: apiPem, appId: '1', clientId: API_CLIENT_ID }),
    currentPublicJwk() {
      const { d, p, q, dp, dq, qi, ...pub } = keys[0] as JWK;
      return pub;
    },
    async rotateKeys() {
      keys = [await newSigningKey(), ...keys];
      provider = build();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return idp;
}
