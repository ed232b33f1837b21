import { sql } from 'drizzle-orm';
import * as client from 'openid-client';
import type { AuditWriter } from '../../core/audit/audit.writer.ts';
import { BoundedCache } from '../../core/auth/oidc/bounded-cache.ts';
import type { IdpToken, OidcClient } from '../../core/auth/oidc/oidc-client.ts';
import { hasRoleClaim, roleKeysFrom } from '../../core/auth/oidc/role-claims.ts';
import type { Principal, RequestContext } from '../../core/auth/principal.ts';
import type { Database } from '../../core/db/database.ts';
import { AppError, badRequest, forbidden, unauthorized } from '../../core/http/errors.ts';
import type { EmployeesService, RolesService } from '../employees/index.ts';
import type { IdentityRepository } from './identity.repository.ts';

export interface SsoConfig {
  projectId?: string;
  /** Role name given when no role claim maps; '' = refuse (403). */
  defaultRole: string;
  redirectUri?: string;
  principalCacheSeconds: number;
}

interface SsoSession {
  principal: Principal;
  exp: number;
  checkedAt: number;
  roleKeys: string[];
  rolesVersion: number;
}

export interface SsoTokens {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  token_type: 'Bearer';
  expires_in: number;
  employeeId: string;
}

const SESSION_CACHE_MAX = 10_000;
const LOGIN_STATE_TTL_MS = 10 * 60_000;

type RoleRow = Awaited<ReturnType<RolesService['findByZitadelKeys']>>[number];

/**
 * Single sign-on (SPEC 2.3, 2.4): IdP access tokens become principals. The first request with a
 * new token validates it, maps its role claims, onboards the employee, updates last_login and
 * writes the login audit row; later requests with the same token hit an in-memory session (the
 * employee's status is re-read every PRINCIPAL_CACHE_SECONDS).
 */
export class SsoService {
  private readonly sessions = new BoundedCache<SsoSession>(SESSION_CACHE_MAX);
  private readonly pending = new Map<string, Promise<SsoSession>>();
  private rolesVersion = 0;

  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly repo: IdentityRepository,
    private readonly employees: EmployeesService,
    private readonly roles: RolesService,
    readonly oidc: OidcClient,
    private readonly config: SsoConfig,
  ) {
    employees.onAccessRevoked(async (employeeId) => {
      this.sessions.deleteWhere((s) => s.principal.id === employeeId);
    });
  }

  /** A role changed: cached sessions recompute their permissions on their next request. */
  forgetSessions(): void {
    this.rolesVersion += 1;
  }

  /** Whether this token already has a session here (routes requests without peeking into the token). */
  hasSession(token: string): boolean {
    return this.sessions.get(token) !== undefined;
  }

  async authenticate(token: string, ctx?: RequestContext): Promise<Principal> {
    // Keyed by the token itself (as the local verified-token map): a string lookup costs less than a hash.
    const key = token;
    const session = this.sessions.get(key);
    if (session) {
      if (Date.now() - session.checkedAt >= this.config.principalCacheSeconds * 1000) {
        const access = await this.employees.findAccess(session.principal.id);
        if (!access || access.status === 'inactive') {
          this.sessions.delete(key);
          throw unauthorized('The account is not active', 'account_inactive');
        }
        session.checkedAt = Date.now();
      }
      if (session.rolesVersion !== this.rolesVersion) {
        session.rolesVersion = this.rolesVersion;
        const roles = await this.mappedRoles({ roles: session.roleKeys });
        if (roles.length === 0) {
          this.sessions.delete(key);
          throw forbidden('None of your roles maps to a WorkmateOS role any more', 'no_mapped_role');
        }
        session.principal = { ...session.principal, ...permissionsOf(roles) };
      }
      return session.principal;
    }
    // Concurrent first requests with one token share one validation and onboarding.
    let pending = this.pending.get(key);
    if (!pending) {
      pending = this.establish(token, ctx ?? anonymousContext(), {}, true).finally(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    return (await pending).principal;
  }

  /** Validates a new token, maps roles, onboards, audits, and remembers the session. */
  private async establish(
    token: string,
    ctx: RequestContext,
    idTokenClaims: Record<string, unknown>,
    auditLogin: boolean,
  ): Promise<SsoSession> {
    const verified = await this.oidc.verifyAccessToken(token);
    let claims: Record<string, unknown> = { ...idTokenClaims, ...verified.claims };
    const projectId = this.config.projectId;
    if (!hasRoleClaim(claims, projectId) || typeof claims.email !== 'string') {
      const info = await this.oidc.userinfo(token, verified.sub);
      if (info) claims = { ...info, ...claims, ...roleClaimsOnly(info, projectId, claims) };
    }
    const session = await this.onboard(ctx, verified, claims, auditLogin);
    this.sessions.set(token, session, session.exp * 1000);
    return session;
  }

  private async mappedRoles(claims: Record<string, unknown>): Promise<RoleRow[]> {
    const keys = roleKeysFrom(claims, this.config.projectId);
    const mapped = await this.roles.findByZitadelKeys(keys);
    if (mapped.length > 0) return mapped.sort((a, b) => b.priority - a.priority);
    if (!this.config.defaultRole) return [];
    const fallback = await this.roles.findByName(this.config.defaultRole);
    return fallback ? [fallback] : [];
  }

  private async onboard(
    ctx: RequestContext,
    token: IdpToken,
    claims: Record<string, unknown>,
    auditLogin: boolean,
  ): Promise<SsoSession> {
    const email = typeof claims.email === 'string' ? claims.email.toLowerCase() : null;
    const roles = await this.mappedRoles(claims);
    const top = roles[0];
    if (!top) {
      await this.recordFailure(ctx, email ?? token.sub, null);
      throw forbidden(
        'None of your identity provider roles maps to a WorkmateOS role, and no default role is configured',
        'no_mapped_role',
      );
    }
    try {
      const employee = await this.db.transaction(async () => {
        // One onboarding per subject at a time, across instances (PGlite runs one transaction at a time).
        if (this.db.kind === 'postgres') {
          await this.db.q.execute(sql`select pg_advisory_xact_lock(hashtext(${`oidc-sub:${token.sub}`}))`);
        }
        let row = await this.employees.findRowBySsoSubject(token.sub);
        if (!row && email) {
          const existing = await this.employees.findRowByEmail(email);
          if (existing) {
            if (existing.ssoSubject && existing.ssoSubject !== token.sub) {
              throw forbidden(
                `The e-mail ${email} belongs to an employee linked to another single sign-on account`,
                'email_linked_elsewhere',
              );
            }
            if (claims.email_verified !== true) {
              throw forbidden(
                `The e-mail ${email} belongs to an existing employee, but the identity provider does not say it is verified; verify it there, or ask an administrator to link the account`,
                'email_not_verified',
              );
            }
            row = await this.employees.applySsoLogin(existing.id, { ssoSubject: token.sub });
          }
        }
        if (!row) {
          if (!email) throw forbidden('The identity provider sent no e-mail address for this account', 'email_missing');
          const created = await this.employees.create(
            ctx,
            { ...namesFrom(claims, email), email, role_id: top.id },
            { ssoSubject: token.sub },
          );
          row = (await this.employees.findRowBySsoSubject(token.sub)) ?? null;
          if (!row) throw new Error(`onboarded employee ${created.id} not found`);
        }
        if (row.status === 'inactive') throw forbidden('This account is deactivated', 'account_inactive');
        if (row.roleId !== top.id) row = await this.employees.applySsoLogin(row.id, { roleId: top.id });
        await this.employees.setLastLogin(row.id);
        const principal = this.principalFor(row, roles, token);
        if (auditLogin) {
          await this.audit.record(
            { ...ctx, principal },
            {
              action: 'login',
              resourceType: 'employee',
              resourceId: row.id,
              resourceName: `${row.firstName} ${row.lastName}`,
            },
          );
        }
        return { row, principal };
      });
      return {
        principal: employee.principal,
        exp: token.exp,
        checkedAt: Date.now(),
        roleKeys: roleKeysFrom(claims, this.config.projectId),
        rolesVersion: this.rolesVersion,
      };
    } catch (error) {
      if (error instanceof AppError && error.status === 403) await this.recordFailure(ctx, email ?? token.sub, null);
      throw error;
    }
  }

  private principalFor(
    row: { id: string; email: string; employeeCode: string },
    roles: RoleRow[],
    token: IdpToken,
  ): Principal {
    return {
      id: row.id,
      type: 'employee',
      email: row.email,
      employeeCode: row.employeeCode,
      ...permissionsOf(roles),
      authMethod: 'oidc',
      tokenId: token.id,
    };
  }

  private async recordFailure(ctx: RequestContext, who: string, employeeId: string | null): Promise<void> {
    await this.db.transaction(async () => {
      await this.audit.record(ctx, {
        action: 'login_failed',
        resourceType: 'employee',
        resourceId: employeeId,
        resourceName: who,
        actor: { id: employeeId, email: who.includes('@') ? who : null },
      });
    });
  }

  /** GET /api/auth/login/oidc: a state and PKCE verifier kept server-side for a few minutes. */
  async startLogin(): Promise<{ authorization_url: string; state: string }> {
    const redirectUri = this.config.redirectUri;
    if (!redirectUri) throw new AppError(409, 'oidc_redirect_uri_missing', 'OIDC_REDIRECT_URI is not configured');
    const state = client.randomState();
    const codeVerifier = client.randomPKCECodeVerifier();
    const authorizationUrl = await this.oidc.authorizationUrl(state, codeVerifier, redirectUri);
    await this.repo.insertLoginState({
      state,
      codeVerifier,
      redirectUri,
      expiresAt: new Date(Date.now() + LOGIN_STATE_TTL_MS),
    });
    return { authorization_url: authorizationUrl, state };
  }

  /** POST /api/auth/callback: code exchange (PKCE), validation, onboarding. */
  async callback(
    ctx: RequestContext,
    input: { code: string; code_verifier?: string; redirect_uri?: string; state?: string },
  ): Promise<SsoTokens> {
    let codeVerifier = input.code_verifier;
    let redirectUri = input.redirect_uri ?? this.config.redirectUri;
    if (input.state) {
      const stored = await this.repo.takeLoginState(input.state);
      if (stored) {
        codeVerifier ??= stored.codeVerifier;
        redirectUri = input.redirect_uri ?? stored.redirectUri;
      } else if (!input.code_verifier) {
        throw badRequest('The login state is unknown, already used or expired; start the login again', 'invalid_state');
      }
    }
    if (!codeVerifier)
      throw badRequest('code_verifier is required (PKCE S256) unless state names a server-side login start');
    if (!redirectUri) throw badRequest('redirect_uri is required (OIDC_REDIRECT_URI is not configured)');
    let tokens: Awaited<ReturnType<OidcClient['exchangeCode']>>;
    try {
      tokens = await this.oidc.exchangeCode({ code: input.code, codeVerifier, redirectUri });
    } catch (error) {
      if (error instanceof AppError && error.status === 400) await this.recordFailure(ctx, 'oidc', null);
      throw error;
    }
    const session = await this.establish(tokens.access_token, ctx, tokens.idTokenClaims ?? {}, true);
    return {
      access_token: tokens.access_token,
      refresh_token: tokens.refresh_token,
      id_token: tokens.id_token,
      token_type: 'Bearer',
      expires_in: tokens.expires_in ?? Math.max(0, session.exp - Math.floor(Date.now() / 1000)),
      employeeId: session.principal.id,
    };
  }

  /** An IdP refresh token: refreshed at the IdP's token endpoint; the new access token is validated. */
  async refresh(ctx: RequestContext, refreshToken: string): Promise<SsoTokens & { refresh_token: string }> {
    const tokens = await this.oidc.refresh(refreshToken);
    const session = await this.establish(tokens.access_token, ctx, tokens.idTokenClaims ?? {}, false);
    return {
      access_token: tokens.access_token,
      refresh_token: tokens.refresh_token ?? refreshToken,
      id_token: tokens.id_token,
      token_type: 'Bearer',
      expires_in: tokens.expires_in ?? Math.max(0, session.exp - Math.floor(Date.now() / 1000)),
      employeeId: session.principal.id,
    };
  }

  async revokeRefreshToken(refreshToken: string): Promise<void> {
    await this.oidc.revoke(refreshToken, 'refresh_token');
  }

  endSessionUrl(idTokenHint?: string): Promise<string | null> {
    return this.oidc.endSessionUrl(idTokenHint);
  }
}

function anonymousContext(): RequestContext {
  return { principal: null, ipAddress: null, userAgent: null, requestId: null };
}

/** Role claims from userinfo fill in only when the token itself carries none. */
function roleClaimsOnly(
  info: Record<string, unknown>,
  projectId: string | undefined,
  tokenClaims: Record<string, unknown>,
): Record<string, unknown> {
  if (hasRoleClaim(tokenClaims, projectId)) return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(info))
    if (k === 'roles' || k.startsWith('urn:zitadel:iam:org:project:')) out[k] = v;
  return out;
}

function namesFrom(claims: Record<string, unknown>, email: string): { first_name: string; last_name: string } {
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim().slice(0, 100) : undefined);
  let first = str(claims.given_name);
  let last = str(claims.family_name);
  const full = str(claims.name);
  if ((!first || !last) && full) {
    const parts = full.split(/\s+/);
    first ??= parts[0];
    last ??= parts.length > 1 ? parts.slice(1).join(' ') : undefined;
  }
  return { first_name: first ?? email.split('@')[0] ?? email, last_name: last ?? '-' };
}

/** Effective permissions = union over the mapped roles; the first (highest priority) is the role. */
function permissionsOf(roles: RoleRow[]): Pick<Principal, 'permissions' | 'roleId' | 'roles'> {
  return {
    permissions: [...new Set(roles.flatMap((r) => (r.permissions as string[] | null) ?? []))].sort(),
    roleId: roles[0]?.id ?? null,
    roles: roles.map((r) => ({ id: r.id, name: r.name })),
  };
}
