import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiRateLimiter } from '../src/core/http/api-rate-limit.ts';
import { expectProblem, startTestApp, type TestApp } from './helpers.ts';

describe('API rate limit per principal (RATE_LIMIT_PER_MINUTE)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '5' });
  });
  afterAll(() => t.close());

  it('answers 429 with Retry-After once a principal exceeds the limit, per principal', async () => {
    const user = await t.userWith(['employees.read']);
    for (let i = 0; i < 5; i++) {
      expect((await t.request('GET', '/api/auth/me', { token: user.token })).statusCode).toBe(200);
    }
    const limited = await t.request('GET', '/api/auth/me', { token: user.token });
    expectProblem(limited, 429);
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const other = await t.userWith(['employees.read']);
    expect((await t.request('GET', '/api/auth/me', { token: other.token })).statusCode).toBe(200);
  });

  it('shares counts between instances through the database', async () => {
    const now = Date.UTC(2030, 0, 1, 12, 0, 10);
    const a = new ApiRateLimiter(t.db, 3);
    const b = new ApiRateLimiter(t.db, 3);
    await a.hit('principal:shared', now);
    await a.hit('principal:shared', now);
    await a.flush(now);
    await b.hit('principal:shared', now);
    await expect(b.hit('principal:shared', now)).rejects.toMatchObject({ status: 429 });
    // The next minute starts afresh.
    await expect(b.hit('principal:shared', now + 60_000)).resolves.toBeUndefined();
  });
});
