import { createHash, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { decodeJwt, decodeProtectedHeader, importPKCS8, errors as joseErrors, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { AppError, badRequest, serviceUnavailable, unauthorized } from '../../http/errors.ts';
import { BoundedCache } from './bounded-cache.ts';
import { JwksCache } from './jwks.ts';

/** Signature algorithms accepted on IdP tokens: asymmetric only, never `none` or HS*. */
export const ALLOWED_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'];
const CLOCK_TOLERANCE_SECONDS = 30;
const INTROSPECTION_CACHE_MAX = 10_000;
const INTROSPECTION_CACHE_MAX_MS = 5 * 60_000;
const DISCOVERY_RETRY_MIN_MS = 1_000;
const DISCOVERY_RETRY_MAX_MS = 30_000;
const HTTP_TIMEOUT_SECONDS = 10;

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  /** Path of a Zitadel API-app JSON key (`{type, keyId, key, clientId}`), for private_key_jwt. */
  keyFile?: string;
  redirectUri?: string;
  postLogoutRedirectUri?: string;
  projectId?: string;
  scopes: string[];
}

/** A validated IdP access token. */
export interface IdpToken {
  kind: 'jwt' | 'opaque';
  sub: string;
  /** Seconds since the epoch. */
  exp: number;
  /** The token's id (jti), or a hash prefix for tokens without one. */
  id: string;
  claims: Record<string, unknown>;
}

export interface IdpTokenSet {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  expires_in?: number;
  idTokenClaims?: Record<string, unknown>;
}

type HealthState =
  | { status: 'pending'; attempts: number; last_error?: string }
  | { status: 'ready'; discovered_at: string }
  | { status: 'error'; attempts: number; last_error: string };

interface ZitadelKeyFile {
  type?: string;
  keyId: string;
  key: string;
  clientId?: string;
  appId?: string;
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Whether a bearer token has the shape of a JWS (three base64url parts). */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}

/**
 * The OpenID provider as the server sees it: discovery (retried in the background, so the server
 * starts while the IdP is down), JWT access-token verification through the IdP's JWKS, opaque
 * token introspection with a bounded cache, and the code / refresh / end-session calls of the
 * login flow (openid-client).
 */
export class OidcClient {
  private web: client.Configuration | null = null;
  private introspector: client.Configuration | null = null;
  private discovering: Promise<void> | null = null;
  private state: HealthState = { status: 'pending', attempts: 0 };
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelay = DISCOVERY_RETRY_MIN_MS;
  private stopped = false;
  private readonly jwks: JwksCache;
  private readonly introspected = new BoundedCache<IdpToken | { inactive: true }>(INTROSPECTION_CACHE_MAX);
  private readonly audiences: string[];
  private keyFile: ZitadelKeyFile | null = null;

  constructor(
    readonly settings: OidcSettings,
    private readonly log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void } = {
      warn() {},
      info() {},
    },
  ) {
    this.jwks = new JwksCache(() => {
      const uri = this.web?.serverMetadata().jwks_uri;
      if (!uri) throw new Error('the identity provider publishes no jwks_uri');
      return uri;
    });
    this.audiences = [settings.projectId, settings.clientId].filter((a): a is string => Boolean(a));
    if (settings.keyFile) this.keyFile = JSON.parse(readFileSync(settings.keyFile, 'utf8')) as ZitadelKeyFile;
  }

  /** Starts discovery in the background; failures are retried with backoff until it works. */
  start(): void {
    void this.discover();
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  /** For /health/ready: never fails readiness, only reports. */
  health(): Record<string, unknown> {
    return { issuer: this.settings.issuer, ...this.state, jwks_fetches: this.jwks.fetchCount };
  }

  get jwksFetchCount(): number {
    return this.jwks.fetchCount;
  }

  private discover(): Promise<void> {
    if (this.web) return Promise.resolve();
    if (!this.discovering) {
      this.discovering = this.runDiscovery().finally(() => {
        this.discovering = null;
      });
    }
    return this.discovering;
  }

  private async runDiscovery(): Promise<void> {
    const attempts = this.state.status === 'ready' ? 0 : this.state.attempts + 1;
    try {
      const issuer = new URL(this.settings.issuer);
      const insecure = issuer.protocol === 'http:';
      const webAuth = this.settings.clientSecret ? client.ClientSecretBasic(this.settings.clientSecret) : client.None();
      const web = await client.discovery(issuer, this.settings.clientId, undefined, webAuth, {
        execute: insecure ? [client.allowInsecureRequests] : [],
        timeout: HTTP_TIMEOUT_SECONDS,
      });
      let introspector: client.Configuration | null = null;
      if (this.keyFile) {
        const pem = createPrivateKey(this.keyFile.key).export({ format: 'pem', type: 'pkcs8' }).toString();
        const key = await importPKCS8(pem, 'RS256');
        introspector = new client.Configuration(
          web.serverMetadata(),
          this.keyFile.clientId ?? this.settings.clientId,
          undefined,
          client.PrivateKeyJwt({ key, kid: this.keyFile.keyId }),
        );
      } else if (this.settings.clientSecret) {
        introspector = new client.Configuration(
          web.serverMetadata(),
          this.settings.clientId,
          undefined,
          client.ClientSecretBasic(this.settings.clientSecret),
        );
      }
      if (introspector) {
        if (insecure) client.allowInsecureRequests(introspector);
        introspector.timeout = HTTP_TIMEOUT_SECONDS;
      }
      this.web = web;
      this.introspector = introspector;
      this.state = { status: 'ready', discovered_at: new Date().toISOString() };
      this.log.info({ issuer: this.settings.issuer }, 'identity provider discovered');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.state = { status: attempts > 3 ? 'error' : 'pending', attempts, last_error: message } as HealthState;
      this.log.warn({ issuer: this.settings.issuer, err: message, attempts }, 'identity provider discovery failed');
      if (!this.stopped && !this.retryTimer) {
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          void this.discover();
        }, this.retryDelay);
        this.retryTimer.unref();
        this.retryDelay = Math.min(this.retryDelay * 2, DISCOVERY_RETRY_MAX_MS);
      }
    }
  }

  /** The discovered configuration, trying discovery once more when it has not worked yet. */
  private async configuration(): Promise<client.Configuration> {
    if (!this.web) await this.discover();
    if (!this.web) throw serviceUnavailable('The identity provider is not reachable; try again shortly', 5);
    return this.web;
  }

  async metadata(): Promise<client.ServerMetadata | null> {
    if (!this.web) await this.discover().catch(() => undefined);
    return this.web?.serverMetadata() ?? null;
  }

  /** Validates an IdP access token: a JWT through the JWKS, anything else by introspection. */
  async verifyAccessToken(token: string): Promise<IdpToken> {
    return looksLikeJwt(token) ? this.verifyJwt(token) : this.introspect(token);
  }

  private async verifyJwt(token: string): Promise<IdpToken> {
    const web = await this.configuration();
    try {
      const header = decodeProtectedHeader(token);
      if (!header.alg || !ALLOWED_ALGORITHMS.includes(header.alg)) throw new Error('algorithm not allowed');
      const { payload } = await jwtVerify(token, this.jwks.resolve, {
        issuer: web.serverMetadata().issuer,
        algorithms: ALLOWED_ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['sub', 'exp'],
      });
      const aud = payload.aud === undefined ? [] : [payload.aud].flat();
      if (!aud.some((a) => this.audiences.includes(a))) throw new joseErrors.JWTClaimValidationFailed('aud', payload);
      return {
        kind: 'jwt',
        sub: payload.sub as string,
        exp: payload.exp as number,
        id: typeof payload.jti === 'string' ? payload.jti : sha256(token).slice(0, 32),
        claims: payload as Record<string, unknown>,
      };
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw unauthorized(`The access token is not valid: ${jwtProblem(error)}`, 'invalid_token');
    }
  }

  /** Introspection, cached by SHA-256 of the token until its exp or 5 minutes, whichever is sooner. */
  private async introspect(token: string): Promise<IdpToken> {
    const key = sha256(token);
    const cached = this.introspected.get(key);
    if (cached) {
      if ('inactive' in cached) throw unauthorized('The access token is not active', 'invalid_token');
      return cached;
    }
    await this.configuration();
    const introspector = this.introspector;
    if (!introspector) {
      throw unauthorized(
        'Opaque access tokens need OIDC_CLIENT_SECRET or OIDC_KEY_FILE to be checked',
        'invalid_token',
      );
    }
    let response: client.IntrospectionResponse;
    try {
      response = await client.tokenIntrospection(introspector, token);
    } catch (error) {
      throw serviceUnavailable(`Token introspection failed: ${(error as Error).message}`, 5);
    }
    const now = Date.now();
    if (!response.active || typeof response.sub !== 'string') {
      // Inactive answers are cached briefly too: a revoked token replayed in a loop costs nothing.
      this.introspected.set(key, { inactive: true }, now + 30_000);
      throw unauthorized('The access token is not active', 'invalid_token');
    }
    // A token the IdP issued for another project or application is active, but not for us.
    const aud = response.aud === undefined ? [] : [response.aud].flat();
    if (aud.length > 0 && !aud.some((a) => this.audiences.includes(a))) {
      this.introspected.set(key, { inactive: true }, now + INTROSPECTION_CACHE_MAX_MS);
      throw unauthorized('The access token was issued for another audience', 'invalid_token');
    }
    const exp = typeof response.exp === 'number' ? response.exp : Math.floor(now / 1000) + 300;
    if (exp * 1000 <= now) throw unauthorized('The access token has expired', 'invalid_token');
    const result: IdpToken = {
      kind: 'opaque',
      sub: response.sub,
      exp,
      id: typeof response.jti === 'string' ? response.jti : key.slice(0, 32),
      claims: response as Record<string, unknown>,
    };
    this.introspected.set(key, result, Math.min(exp * 1000, now + INTROSPECTION_CACHE_MAX_MS));
    return result;
  }

  async userinfo(accessToken: string, sub: string): Promise<Record<string, unknown> | null> {
    const web = await this.configuration();
    if (!web.serverMetadata().userinfo_endpoint) return null;
    try {
      return (await client.fetchUserInfo(web, accessToken, sub)) as Record<string, unknown>;
    } catch {
      return null;
    }
  }

  async authorizationUrl(state: string, codeVerifier: string, redirectUri: string): Promise<string> {
    const web = await this.configuration();
    const url = client.buildAuthorizationUrl(web, {
      redirect_uri: redirectUri,
      scope: this.settings.scopes.join(' '),
      response_type: 'code',
      state,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    });
    return url.href;
  }

  /** Exchanges an authorization code (PKCE S256). A used, expired or wrong code or verifier is 400. */
  async exchangeCode(input: { code: string; codeVerifier?: string; redirectUri: string }): Promise<IdpTokenSet> {
    const web = await this.configuration();
    let current: URL;
    try {
      current = new URL(input.redirectUri);
    } catch {
      throw badRequest('redirect_uri is not a valid URL');
    }
    current.search = '';
    current.hash = '';
    current.searchParams.set('code', input.code);
    // The front end forwards only the code; the issuer identification (RFC 9207) is ours to add.
    if (web.serverMetadata().authorization_response_iss_parameter_supported) {
      current.searchParams.set('iss', web.serverMetadata().issuer);
    }
    try {
      const tokens = await client.authorizationCodeGrant(web, current, {
        pkceCodeVerifier: input.codeVerifier,
        expectedState: client.skipStateCheck,
        idTokenExpected: true,
      });
      return toTokenSet(tokens);
    } catch (error) {
      throw idpError(error, 'authorization code');
    }
  }

  async refresh(refreshToken: string): Promise<IdpTokenSet> {
    const web = await this.configuration();
    try {
      return toTokenSet(await client.refreshTokenGrant(web, refreshToken));
    } catch (error) {
      const problem = idpError(error, 'refresh token');
      throw problem.status === 400 ? unauthorized(problem.message, 'refresh_token_invalid') : problem;
    }
  }

  /** Revokes a token at the IdP (RFC 7009); best effort: failures are logged, not thrown. */
  async revoke(token: string, hint: 'refresh_token' | 'access_token'): Promise<void> {
    try {
      const web = await this.configuration();
      if (!web.serverMetadata().revocation_endpoint) return;
      await client.tokenRevocation(web, token, { token_type_hint: hint });
    } catch (error) {
      this.log.warn({ err: (error as Error).message }, 'token revocation at the identity provider failed');
    }
  }

  async endSessionUrl(idTokenHint?: string): Promise<string | null> {
    const metadata = await this.metadata();
    if (!this.web || !metadata?.end_session_endpoint) return null;
    const params: Record<string, string> = { client_id: this.settings.clientId };
    if (idTokenHint) params.id_token_hint = idTokenHint;
    if (this.settings.postLogoutRedirectUri) params.post_logout_redirect_uri = this.settings.postLogoutRedirectUri;
    return client.buildEndSessionUrl(this.web, params).href;
  }
}

function toTokenSet(tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers): IdpTokenSet {
  return {
    access_token: tokens.access_token,
    refresh_token: tokens.refresh_token,
    id_token: tokens.id_token,
    expires_in: tokens.expires_in,
    idTokenClaims: tokens.claims() as Record<string, unknown> | undefined,
  };
}

/** The IdP's OAuth error as a 400 with its description; anything else (IdP down) as 503. */
function idpError(error: unknown, what: string): AppError {
  if (error instanceof client.ResponseBodyError) {
    const description = error.error_description ? `: ${error.error_description}` : '';
    if (what === 'authorization code' && error.error === 'invalid_grant') {
      return badRequest(
        `The authorization code is invalid, expired or already used, or the PKCE code_verifier does not match it (${error.error}${description})`,
        error.error,
      );
    }
    return badRequest(`The identity provider rejected the ${what} (${error.error}${description})`, error.error);
  }
  if (error instanceof AppError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof client.ClientError) return badRequest(`The ${what} response was not valid: ${message}`);
  return serviceUnavailable(`The identity provider could not be reached: ${message}`, 5);
}

function jwtProblem(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `claim ${error.claim} is wrong`;
  if (error instanceof joseErrors.JOSEAlgNotAllowed || (error as Error)?.message === 'algorithm not allowed') {
    return 'signature algorithm not allowed';
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'signature does not verify';
  if (error instanceof joseErrors.JOSEError) return error.code;
  return 'malformed or unverifiable token';
}

/** The unverified payload of a JWT, or null (routing local vs IdP tokens; never trusted). */
export function peekJwt(token: string): { iss?: string; kid?: string } | null {
  if (!looksLikeJwt(token)) return null;
  try {
    return { iss: decodeJwt(token).iss, kid: decodeProtectedHeader(token).kid };
  } catch {
    return null;
  }
}
