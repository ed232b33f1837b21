import { createHash, randomBytes } from 'node:crypto';
import { asc, isNull, sql } from 'drizzle-orm';
import { exportJWK, generateKeyPair, importJWK, type JWK, jwtVerify, type KeyObject, SignJWT } from 'jose';
import { v7 as uuidv7 } from 'uuid';
import { signingKeys } from '../db/core.table.ts';
import type { Database } from '../db/database.ts';

const ALGORITHM = 'EdDSA';
export const LOCAL_AUDIENCE = 'workmate-os';
/** Another instance may have rotated keys; re-read them at most this often on an unknown kid. */
const KEY_RELOAD_INTERVAL_MS = 6_000;

export interface LocalAccessClaims {
  sub: string;
  jti: string;
  exp: number;
}

type VerifyKey = CryptoKey | KeyObject | Uint8Array;

/**
 * The server's own access tokens (local mode): EdDSA JWTs signed with a key pair that lives in the
 * database, so every instance signs and verifies with the same keys. Public keys are served at
 * /.well-known/jwks.json.
 */
export class LocalTokenService {
  private signingKey: { kid: string; key: VerifyKey } | null = null;
  private verifyKeys = new Map<string, VerifyKey>();
  private publicJwks: JWK[] = [];
  private lastReload = 0;

  constructor(
    private readonly db: Database,
    private readonly issuer: string,
    private readonly ttlSeconds: number,
  ) {}

  /**
   * Creates the first key pair when there is none. Check and insert run in one transaction under
   * an advisory lock, so instances starting together on an empty database create exactly one key.
   */
  async init(): Promise<void> {
    await this.db.transaction(async () => {
      if (this.db.kind === 'postgres') await this.db.q.execute(sql`select pg_advisory_xact_lock(727004)`);
      const existing = await this.db.q.select().from(signingKeys).where(isNull(signingKeys.retiredAt)).limit(1);
      if (existing.length > 0) return;
      const { privateKey, publicKey } = await generateKeyPair(ALGORITHM, { extractable: true, crv: 'Ed25519' });
      const kid = uuidv7();
      await this.db.q
        .insert(signingKeys)
        .values({
          kid,
          algorithm: ALGORITHM,
          privateJwk: { ...(await exportJWK(privateKey)), kid },
          publicJwk: { ...(await exportJWK(publicKey)), kid, alg: ALGORITHM, use: 'sig' },
        })
        .onConflictDoNothing();
    });
    await this.reload();
  }

  private async reload(): Promise<void> {
    this.lastReload = Date.now();
    const rows = await this.db.root
      .select()
      .from(signingKeys)
      .where(isNull(signingKeys.retiredAt))
      .orderBy(asc(signingKeys.createdAt), asc(signingKeys.kid));
    const first = rows[0];
    if (!first) throw new Error('no signing key');
    const verifyKeys = new Map<string, VerifyKey>();
    for (const row of rows) verifyKeys.set(row.kid, await importJWK(row.publicJwk as JWK, ALGORITHM));
    this.verifyKeys = verifyKeys;
    this.publicJwks = rows.map((r) => r.publicJwk as JWK);
    this.signingKey = { kid: first.kid, key: await importJWK(first.privateJwk as JWK, ALGORITHM) };
  }

  get jwks(): { keys: JWK[] } {
    return { keys: this.publicJwks };
  }

  async issue(employeeId: string): Promise<{ token: string; jti: string; expiresIn: number }> {
    if (!this.signingKey) throw new Error('LocalTokenService.init() was not called');
    const jti = uuidv7();
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: ALGORITHM, kid: this.signingKey.kid, typ: 'JWT' })
      .setIssuer(this.issuer)
      .setAudience(LOCAL_AUDIENCE)
      .setSubject(employeeId)
      .setJti(jti)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.signingKey.key);
    return { token, jti, expiresIn: this.ttlSeconds };
  }

  /** Whether a token claims to be ours (cheap header/payload peek, no verification). */
  isLocalToken(kid: string | undefined, iss: string | undefined): boolean {
    return iss === this.issuer || (kid !== undefined && this.verifyKeys.has(kid));
  }

  /** Verifies signature, issuer, audience and expiry; throws on any failure. */
  async verify(token: string, kid: string | undefined): Promise<LocalAccessClaims> {
    let key = kid ? this.verifyKeys.get(kid) : undefined;
    if (!key && kid && Date.now() - this.lastReload > KEY_RELOAD_INTERVAL_MS) {
      await this.reload();
      key = this.verifyKeys.get(kid);
    }
    if (!key) throw new Error('unknown signing key');
    const { payload } = await jwtVerify(token, key, {
      issuer: this.issuer,
      audience: LOCAL_AUDIENCE,
      algorithms: [ALGORITHM],
      clockTolerance: 30,
    });
    if (typeof payload.sub !== 'string' || typeof payload.jti !== 'string' || typeof payload.exp !== 'number') {
      throw new Error('token lacks sub, jti or exp');
    }
    return { sub: payload.sub, jti: payload.jti, exp: payload.exp };
  }
}

/** Opaque refresh tokens: 256 random bits; only the SHA-256 is stored. */
export function newOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
