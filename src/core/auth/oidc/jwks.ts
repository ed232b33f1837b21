import { type CryptoKey, importJWK, type JWK, type JWSHeaderParameters, type KeyObject } from 'jose';

const REFETCH_WINDOW_MS = 60_000;

type Key = CryptoKey | KeyObject | Uint8Array;

/**
 * The IdP's signing keys, fetched from its `jwks_uri` and kept in memory. A token with an unknown
 * `kid` triggers one refetch shared by every request waiting for it; at most `maxRefetchesPerMinute`
 * refetches happen in any minute (the first fetch included), so garbage kids cannot make us hammer
 * the IdP.
 */
export class JwksCache {
  private keys: JWK[] = [];
  private readonly imported = new Map<string, Key>();
  private inflight: Promise<void> | null = null;
  private fetches: number[] = [];
  /** How many times the key set was fetched (health and tests). */
  fetchCount = 0;

  constructor(
    private readonly jwksUri: () => string,
    private readonly fetchFn: typeof fetch = fetch,
    private readonly maxRefetchesPerMinute = 10,
  ) {}

  /** The key for a JWS header; a `jose` key-resolver function. */
  readonly resolve = async (header: JWSHeaderParameters): Promise<Key> => {
    let jwk = this.find(header);
    if (!jwk && this.mayFetch()) {
      await this.refetch();
      jwk = this.find(header);
    }
    if (!jwk) throw new Error('no matching key in the identity provider JWKS');
    const cacheKey = `${jwk.kid ?? ''}|${header.alg}`;
    let key = this.imported.get(cacheKey);
    if (!key) {
      key = await importJWK(jwk, header.alg);
      this.imported.set(cacheKey, key);
    }
    return key;
  };

  private find(header: JWSHeaderParameters): JWK | undefined {
    const candidates = this.keys.filter(
      (k) =>
        (header.kid === undefined || k.kid === header.kid) &&
        (k.use === undefined || k.use === 'sig') &&
        (k.alg === undefined || k.alg === header.alg),
    );
    return candidates.length === 1 || header.kid !== undefined ? candidates[0] : undefined;
  }

  private mayFetch(): boolean {
    if (this.inflight) return true;
    const now = Date.now();
    this.fetches = this.fetches.filter((t) => now - t < REFETCH_WINDOW_MS);
    return this.fetches.length < this.maxRefetchesPerMinute;
  }

  private refetch(): Promise<void> {
    if (!this.inflight) {
      this.fetches.push(Date.now());
      this.fetchCount += 1;
      this.inflight = (async () => {
        const res = await this.fetchFn(this.jwksUri(), { headers: { accept: 'application/json' } });
        if (!res.ok) throw new Error(`JWKS fetch failed with HTTP ${res.status}`);
        const body = (await res.json()) as { keys?: unknown };
        if (!Array.isArray(body.keys)) throw new Error('JWKS response has no keys array');
        this.keys = body.keys as JWK[];
        this.imported.clear();
      })().finally(() => {
        this.inflight = null;
      });
    }
    return this.inflight;
  }
}
