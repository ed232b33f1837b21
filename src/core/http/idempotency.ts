import { createHash } from 'node:crypto';
import { and, eq, lt, or } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { idempotencyKeys } from '../db/core.table.ts';
import type { Database } from '../db/database.ts';
import { conflict, validationError } from './errors.ts';
import { addRouteHook, hasMethod } from './route-hooks.ts';

const TTL_MS = 24 * 60 * 60 * 1000;
const REPLAYED_HEADERS = ['location', 'etag', 'content-type'];

interface Claim {
  principalId: string;
  route: string;
  key: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyClaim: Claim | null;
  }
}

function requestHash(request: FastifyRequest): string {
  return createHash('sha256')
    .update(request.url)
    .update('\u0000')
    .update(JSON.stringify(request.body ?? null))
    .digest('hex');
}

/**
 * Idempotency-Key on POST (SPEC 1): the first request claims (principal, route, key) by inserting a
 * row; a replay gets the stored status and body; the same key with another body is 422; a replay
 * while the first still runs is 409. Runs after authentication and validation, so a rejected
 * request claims nothing. Server errors release the claim so the client can retry; a claim whose
 * request died without answering is released once it is older than `runningTimeoutMs`.
 * Only signed-in callers: the public POSTs (login, refresh) answer with tokens, which must never
 * be stored or replayed.
 */
export function registerIdempotency(app: FastifyInstance, db: Database, runningTimeoutMs: number): void {
  app.decorateRequest('idempotencyClaim', null);

  const isPost = (route: RouteOptions) => hasMethod(route, 'POST');
  addRouteHook(app, 'preHandler', isPost, async (request: FastifyRequest, reply: FastifyReply) => {
    const key = request.headers['idempotency-key'];
    if (key === undefined || !request.principal) return;
    if (typeof key !== 'string' || key.length < 1 || key.length > 255) {
      throw validationError('Idempotency-Key', 'must be 1–255 characters');
    }
    const principalId = request.principal.id;
    const route = `${request.method} ${request.url.split('?')[0]}`;
    const hash = requestHash(request);
    const where = and(
      eq(idempotencyKeys.principalId, principalId),
      eq(idempotencyKeys.route, route),
      eq(idempotencyKeys.key, key),
    );
    await db.root
      .delete(idempotencyKeys)
      .where(
        and(
          where,
          or(
            lt(idempotencyKeys.createdAt, new Date(Date.now() - TTL_MS)),
            and(
              eq(idempotencyKeys.state, 'running'),
              lt(idempotencyKeys.createdAt, new Date(Date.now() - runningTimeoutMs)),
            ),
          ),
        ),
      );
    const inserted = await db.root
      .insert(idempotencyKeys)
      .values({ principalId, route, key, requestHash: hash })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    if (inserted.length > 0) {
      request.idempotencyClaim = { principalId, route, key };
      return;
    }
    const [stored] = await db.root.select().from(idempotencyKeys).where(where);
    if (!stored) throw conflict('The Idempotency-Key is being released; retry', 'idempotency_in_progress');
    if (stored.requestHash !== hash) {
      throw validationError(
        'Idempotency-Key',
        'was already used with a different request body',
        'idempotency_mismatch',
      );
    }
    if (stored.state !== 'done' || stored.responseStatus === null) {
      throw conflict('A request with this Idempotency-Key is still running', 'idempotency_in_progress');
    }
    reply.headers({ ...(stored.responseHeaders ?? {}), 'idempotent-replayed': 'true' });
    return reply.code(stored.responseStatus).send(stored.responseBody ?? '');
  });

  addRouteHook(app, 'onSend', isPost, async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const claim = request.idempotencyClaim;
    if (!claim) return payload;
    request.idempotencyClaim = null;
    const where = and(
      eq(idempotencyKeys.principalId, claim.principalId),
      eq(idempotencyKeys.route, claim.route),
      eq(idempotencyKeys.key, claim.key),
    );
    if (reply.statusCode >= 500 || typeof payload !== 'string') {
      await db.root.delete(idempotencyKeys).where(where);
      return payload;
    }
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = reply.getHeader(name);
      if (typeof value === 'string') headers[name] = value;
    }
    await db.root
      .update(idempotencyKeys)
      .set({ state: 'done', responseStatus: reply.statusCode, responseBody: payload, responseHeaders: headers })
      .where(where);
    return payload;
  });
}
