import { and, asc, count, eq, gt, isNull, lt } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { loginFailures } from '../../core/db/core.table.ts';
import type { Database } from '../../core/db/database.ts';
import { oidcLoginStates, refreshTokens } from './identity.table.ts';

export type RefreshTokenRow = typeof refreshTokens.$inferSelect;

export class IdentityRepository {
  constructor(private readonly db: Database) {}

  async insertRefreshToken(values: {
    id: string;
    familyId: string;
    employeeId: string;
    tokenHash: string;
    expiresAt: Date;
  }): Promise<void> {
    await this.db.q.insert(refreshTokens).values(values);
  }

  /** The token row, locked: a concurrent refresh with the same token waits and then sees it rotated. */
  async lockRefreshToken(tokenHash: string): Promise<RefreshTokenRow | null> {
    const [row] = await this.db.q
      .select()
      .from(refreshTokens)
      .where(eq(refreshTokens.tokenHash, tokenHash))
      .for('update');
    return row ?? null;
  }

  async markRotated(id: string, replacedBy: string): Promise<void> {
    await this.db.q.update(refreshTokens).set({ revokedAt: new Date(), replacedBy }).where(eq(refreshTokens.id, id));
  }

  async revokeFamily(familyId: string): Promise<void> {
    await this.db.q
      .update(refreshTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)));
  }

  async revokeAllOf(employeeId: string): Promise<void> {
    await this.db.q
      .update(refreshTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(refreshTokens.employeeId, employeeId), isNull(refreshTokens.revokedAt)));
  }

  /** Failures for `key` inside the window: how many, and when the oldest one leaves it. */
  async recentFailures(key: string, since: Date): Promise<{ count: number; oldest: Date | null }> {
    const [row] = await this.db.q
      .select({ n: count() })
      .from(loginFailures)
      .where(and(eq(loginFailures.key, key), gt(loginFailures.occurredAt, since)));
    const n = Number(row?.n ?? 0);
    if (n === 0) return { count: 0, oldest: null };
    const [oldest] = await this.db.q
      .select({ at: loginFailures.occurredAt })
      .from(loginFailures)
      .where(and(eq(loginFailures.key, key), gt(loginFailures.occurredAt, since)))
      .orderBy(asc(loginFailures.occurredAt))
      .limit(1);
    return { count: n, oldest: oldest?.at ?? null };
  }

  async recordFailure(key: string, windowStart: Date): Promise<void> {
    await this.db.q
      .delete(loginFailures)
      .where(and(eq(loginFailures.key, key), lt(loginFailures.occurredAt, windowStart)));
    await this.db.q.insert(loginFailures).values({ id: uuidv7(), key });
  }

  async insertLoginState(values: { state: string; codeVerifier: string; redirectUri: string; expiresAt: Date }) {
    await this.db.q.delete(oidcLoginStates).where(lt(oidcLoginStates.expiresAt, new Date()));
    await this.db.q.insert(oidcLoginStates).values(values);
  }

  /** The login state, deleted as it is read (a state works once); null when unknown or expired. */
  async takeLoginState(state: string): Promise<{ codeVerifier: string; redirectUri: string } | null> {
    const [row] = await this.db.q
      .delete(oidcLoginStates)
      .where(and(eq(oidcLoginStates.state, state), gt(oidcLoginStates.expiresAt, new Date())))
      .returning({ codeVerifier: oidcLoginStates.codeVerifier, redirectUri: oidcLoginStates.redirectUri });
    return row ?? null;
  }
}
