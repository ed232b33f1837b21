import { v7 as uuidv7 } from 'uuid';
import type { AuditWriter } from '../../core/audit/audit.writer.ts';
import type { Authenticator } from '../../core/auth/auth-hook.ts';
import { hashToken, type LocalTokenService, newOpaqueToken } from '../../core/auth/local-tokens.ts';
import { peekJwt } from '../../core/auth/oidc/oidc-client.ts';
import { hashPassword, verifyPassword } from '../../core/auth/passwords.ts';
import type { Principal, RequestContext } from '../../core/auth/principal.ts';
import type { Database } from '../../core/db/database.ts';
import { AppError, forbidden, tooManyRequests, unauthorized, validationError } from '../../core/http/errors.ts';
import type { PreconditionCheck } from '../../core/http/etag.ts';
import type { EmployeesService } from '../employees/index.ts';
import type { IdentityRepository } from './identity.repository.ts';
import type { SsoService } from './sso.service.ts';

export interface IdentityConfig {
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
  loginMaxFailures: number;
  loginFailureWindowMinutes: number;
  principalCacheSeconds: number;
}

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
  employeeId: string;
}

const PRINCIPAL_CACHE_MAX = 10_000;
const VERIFIED_TOKEN_CACHE_MAX = 10_000;

/**
 * Local identity: password login, refresh-token rotation with reuse detection, logout, password
 * changes, and turning a verified access token into a Principal.
 */
export class IdentityService implements Authenticator {
  private readonly verified = new Map<string, { sub: string; jti: string; exp: number }>();
  private readonly principals = new Map<string, { principal: Omit<Principal, 'tokenId'>; at: number }>();

  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly repo: IdentityRepository,
    private readonly employees: EmployeesService,
    private readonly tokens: LocalTokenService,
    private readonly config: IdentityConfig,
    private readonly sso: SsoService | null = null,
  ) {
    employees.onAccessRevoked(async (employeeId) => {
      await this.repo.revokeAllOf(employeeId);
      this.principals.delete(employeeId);
    });
    employees.onAccessChanged((employeeId) => this.principals.delete(employeeId));
  }

  /** Drops every cached principal (a role's permissions changed). */
  forgetPrincipals(): void {
    this.principals.clear();
    this.sso?.forgetSessions();
  }

  /**
   * Local tokens and, in oidc mode, IdP tokens: a token whose issuer or key id is ours is local;
   * anything else (another issuer's JWT, an opaque token) goes to the SSO service.
   */
  async authenticate(token: string, ctx?: RequestContext): Promise<Principal> {
    if (this.sso && !this.verified.has(token) && (this.sso.hasSession(token) || !this.isLocalToken(token))) {
      return this.sso.authenticate(token, ctx);
    }
    const claims = await this.verifiedClaims(token);
    const principal = await this.principalFor(claims.sub);
    return { ...principal, tokenId: claims.jti };
  }

  private isLocalToken(token: string): boolean {
    const peek = peekJwt(token);
    return peek !== null && this.tokens.isLocalToken(peek.kid, peek.iss);
  }

  /**
   * Verified tokens are remembered until they expire, so a client's requests after the first cost
   * a map lookup instead of a signature check. The map holds only tokens that verified.
   */
  private async verifiedClaims(token: string): Promise<{ sub: string; jti: string }> {
    const cached = this.verified.get(token);
    if (cached && cached.exp * 1000 > Date.now()) return cached;
    let claims: { sub: string; jti: string; exp: number };
    try {
      claims = await this.tokens.verify(token, peekKid(token));
    } catch {
      throw unauthorized('The access token is invalid or expired', 'invalid_token');
    }
    if (this.verified.size >= VERIFIED_TOKEN_CACHE_MAX) this.verified.clear();
    this.verified.set(token, claims);
    return claims;
  }

  /** Cached for PRINCIPAL_CACHE_SECONDS (≤ 30 s), so a deactivation reaches every instance in time. */
  private async principalFor(employeeId: string): Promise<Omit<Principal, 'tokenId'>> {
    const cached = this.principals.get(employeeId);
    if (cached && Date.now() - cached.at < this.config.principalCacheSeconds * 1000) return cached.principal;
    const access = await this.employees.findAccess(employeeId);
    if (!access || access.status === 'inactive') {
      this.principals.delete(employeeId);
      throw unauthorized('The account is not active', 'account_inactive');
    }
    const principal: Omit<Principal, 'tokenId'> = {
      id: access.id,
      type: 'employee',
      email: access.email,
      employeeCode: access.employeeCode,
      permissions: access.permissions ?? [],
      roleId: access.roleId,
      authMethod: 'local',
    };
    if (this.principals.size >= PRINCIPAL_CACHE_MAX) this.principals.clear();
    this.principals.set(employeeId, { principal, at: Date.now() });
    return principal;
  }

  private windowStart(): Date {
    return new Date(Date.now() - this.config.loginFailureWindowMinutes * 60_000);
  }

  /** 429 with the seconds until the oldest failure leaves the window, once the limit is reached. */
  private async refuseWhenBlocked(key: string, detail: string): Promise<void> {
    const failures = await this.repo.recentFailures(key, this.windowStart());
    if (failures.count < this.config.loginMaxFailures) return;
    const retryAt = (failures.oldest?.getTime() ?? Date.now()) + this.config.loginFailureWindowMinutes * 60_000;
    throw tooManyRequests(Math.ceil((retryAt - Date.now()) / 1000), detail);
  }

  async login(ctx: RequestContext, email: string, password: string): Promise<TokenPair> {
    const normalized = email.toLowerCase();
    const key = `${ctx.ipAddress ?? '-'}|${normalized}`;
    // Checked before any hashing: a blocked client costs one indexed count, not an argon2 run.
    await this.refuseWhenBlocked(key, 'Too many failed logins; try again later');
    const employee = await this.employees.findRowByEmail(normalized);
    const valid = await verifyPassword(employee?.passwordHash ?? null, password);
    if (!employee || !valid) {
      await this.db.transaction(async () => {
        await this.repo.recordFailure(key, this.windowStart());
        await this.audit.record(ctx, {
          action: 'login_failed',
          resourceType: 'employee',
          resourceId: employee?.id ?? null,
          resourceName: normalized,
          actor: { id: employee?.id ?? null, email: normalized },
        });
      });
      throw unauthorized('Wrong e-mail or password', 'invalid_credentials');
    }
    if (employee.status === 'inactive') throw forbidden('This account is deactivated', 'account_inactive');
    const principalCtx = { ...ctx, principal: await this.principalWithoutToken(employee.id) };
    return this.db.transaction(async () => {
      const pair = await this.issuePair(employee.id, uuidv7());
      await this.employees.setLastLogin(employee.id);
      await this.audit.record(principalCtx, {
        action: 'login',
        resourceType: 'employee',
        resourceId: employee.id,
        resourceName: `${employee.firstName} ${employee.lastName}`,
      });
      return pair;
    });
  }

  private async principalWithoutToken(employeeId: string): Promise<Principal> {
    return { ...(await this.principalFor(employeeId)), tokenId: '' };
  }

  private async issuePair(employeeId: string, familyId: string): Promise<TokenPair & { refreshId: string }> {
    const refreshToken = newOpaqueToken();
    const refreshId = uuidv7();
    await this.repo.insertRefreshToken({
      id: refreshId,
      familyId,
      employeeId,
      tokenHash: hashToken(refreshToken),
      expiresAt: new Date(Date.now() + this.config.refreshTokenTtlDays * 86_400_000),
    });
    const access = await this.tokens.issue(employeeId);
    return {
      access_token: access.token,
      refresh_token: refreshToken,
      token_type: 'Bearer',
      expires_in: access.expiresIn,
      employeeId,
      refreshId,
    };
  }

  /**
   * Rotates a refresh token. Presenting one that was already rotated means it leaked (or a client
   * raced itself): the whole family is revoked and both parties must sign in again.
   */
  async refresh(refreshToken: string, ctx?: RequestContext): Promise<TokenPair & { id_token?: string }> {
    try {
      return await this.refreshLocal(refreshToken);
    } catch (error) {
      // Not one of ours: in oidc mode it may be the IdP's refresh token.
      if (this.sso && error instanceof AppError && error.code === 'refresh_token_unknown') {
        return this.sso.refresh(
          ctx ?? { principal: null, ipAddress: null, userAgent: null, requestId: null },
          refreshToken,
        );
      }
      throw error;
    }
  }

  private async refreshLocal(refreshToken: string): Promise<TokenPair> {
    type Outcome =
      | { pair: TokenPair; error?: undefined }
      | { pair?: undefined; error: 'unknown' | 'reused' | 'expired' | 'inactive' };
    const outcome = await this.db.transaction(async (): Promise<Outcome> => {
      const row = await this.repo.lockRefreshToken(hashToken(refreshToken));
      if (!row) return { error: 'unknown' };
      if (row.revokedAt) {
        await this.repo.revokeFamily(row.familyId);
        return { error: 'reused' };
      }
      if (row.expiresAt.getTime() <= Date.now()) return { error: 'expired' };
      const access = await this.employees.findAccess(row.employeeId);
      if (!access || access.status === 'inactive') return { error: 'inactive' };
      const pair = await this.issuePair(row.employeeId, row.familyId);
      await this.repo.markRotated(row.id, pair.refreshId);
      return { pair };
    });
    if (outcome.pair) return outcome.pair;
    const details = {
      unknown: 'The refresh token is unknown',
      reused: 'The refresh token was already used; every session of this sign-in is revoked',
      expired: 'The refresh token has expired',
      inactive: 'The account is not active',
    };
    throw unauthorized(details[outcome.error], `refresh_token_${outcome.error}`);
  }

  /** Logs out; for SSO principals returns the IdP's end-session URL. */
  async logout(ctx: RequestContext, refreshToken: string | undefined, idTokenHint?: string): Promise<string | null> {
    const local = await this.logoutLocal(ctx, refreshToken);
    if (this.sso && ctx.principal?.authMethod === 'oidc') {
      // Not one of ours: the IdP's refresh token, revoked there (best effort; the IdP may be down).
      if (refreshToken && !local) await this.sso.revokeRefreshToken(refreshToken);
      return this.sso.endSessionUrl(idTokenHint);
    }
    return null;
  }

  /** Whether the refresh token was a local one. */
  private async logoutLocal(ctx: RequestContext, refreshToken: string | undefined): Promise<boolean> {
    return this.db.transaction(async () => {
      let local = false;
      if (refreshToken) {
        const row = await this.repo.lockRefreshToken(hashToken(refreshToken));
        local = row !== null;
        if (row && row.employeeId === ctx.principal?.id) await this.repo.revokeFamily(row.familyId);
      }
      await this.audit.record(ctx, {
        action: 'logout',
        resourceType: 'employee',
        resourceId: ctx.principal?.id ?? null,
        resourceName: ctx.principal?.email ?? null,
      });
      return local;
    });
  }

  /** The caller's own password; every other session ends. */
  async changePassword(ctx: RequestContext, currentPassword: string, newPassword: string): Promise<void> {
    const principal = ctx.principal;
    if (!principal) throw unauthorized();
    const employee = await this.employees.findRowByEmail(principal.email);
    if (!employee || employee.id !== principal.id) throw unauthorized();
    if (!employee.passwordHash) {
      throw new AppError(409, 'no_local_password', 'This account signs in through single sign-on and has no password');
    }
    const key = `${ctx.ipAddress ?? '-'}|${employee.email}`;
    await this.refuseWhenBlocked(key, 'Too many failed attempts; try again later');
    if (!(await verifyPassword(employee.passwordHash, currentPassword))) {
      await this.repo.recordFailure(key, this.windowStart());
      throw validationError('current_password', 'is wrong', 'wrong_password');
    }
    if (currentPassword === newPassword) throw validationError('new_password', 'must differ from the current password');
    const hash = await hashPassword(newPassword);
    await this.db.transaction(async () => {
      await this.employees.setPasswordHash(employee.id, hash);
      await this.repo.revokeAllOf(employee.id);
      await this.audit.record(ctx, {
        action: 'password_change',
        resourceType: 'employee',
        resourceId: employee.id,
        resourceName: `${employee.firstName} ${employee.lastName}`,
      });
    });
  }

  /** An administrator sets someone's password; their sessions end. */
  async setPassword(ctx: RequestContext, employeeId: string, password: string, precondition: PreconditionCheck) {
    const hash = await hashPassword(password);
    await this.db.transaction(async () => {
      const employee = await this.employees.lockForChange(ctx, employeeId, precondition);
      await this.employees.setPasswordHash(employee.id, hash);
      await this.employees.revokeAccess(employee.id);
      await this.audit.record(ctx, {
        action: 'password_change',
        resourceType: 'employee',
        resourceId: employee.id,
        resourceName: `${employee.firstName} ${employee.lastName}`,
      });
    });
  }
}

/** The `kid` from a JWT header without verifying anything (selects the key to verify with). */
function peekKid(token: string): string | undefined {
  const header = token.split('.', 1)[0];
  if (!header) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { kid?: unknown };
    return typeof parsed.kid === 'string' ? parsed.kid : undefined;
  } catch {
    return undefined;
  }
}
