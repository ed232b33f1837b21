import type { FastifyReply, FastifyRequest } from 'fastify';
import { badRequest, preconditionFailed } from './errors.ts';

/** The ETag of a record with a version counter (computed fields never enter it). */
export const etagFor = (id: string, version: number) => `"${id.slice(-12)}-${version}"`;

export function setEtag(reply: FastifyReply, record: { id: string; version: number }): void {
  reply.header('etag', etagFor(record.id, record.version));
}

/**
 * The If-Match header as a check to run against the stored record inside the write's
 * transaction; undefined when the client sent none (writes without it stay allowed).
 */
export function ifMatch(request: FastifyRequest): ((record: { id: string; version: number }) => void) | undefined {
  const header = request.headers['if-match'];
  if (header === undefined) return undefined;
  if (Array.isArray(header)) throw badRequest('Only one If-Match header is allowed');
  const tags = header.split(',').map((t) => t.trim().replace(/^W\//, ''));
  return (record) => {
    if (tags.includes('*')) return;
    if (!tags.includes(etagFor(record.id, record.version))) throw preconditionFailed();
  };
}

export type PreconditionCheck = ReturnType<typeof ifMatch>;
