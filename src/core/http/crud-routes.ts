import { type TObject, type TSchema, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PermissionDeclaration } from '../auth/auth-hook.ts';
import { requestContext } from '../auth/auth-hook.ts';
import type { RequestContext } from '../auth/principal.ts';
import type { Page } from '../db/list.ts';
import { typed } from './app-type.ts';
import { ifMatch, type PreconditionCheck, setEtag } from './etag.ts';
import { IdParams } from './schemas.ts';

/** What a resource service offers for the standard routes of SPEC 1 ("Resource shape"). */
export interface CrudService<R extends { id: string; version: number }, C, U, L = R> {
  /** Optional when the routes get `listFor` (lists scoped to the caller). */
  list?(query: never): Promise<Page<L>>;
  get(id: string, ctx: RequestContext): Promise<R>;
  create(ctx: RequestContext, input: C): Promise<R>;
  update(ctx: RequestContext, id: string, input: U, precondition: PreconditionCheck): Promise<R>;
  delete(ctx: RequestContext, id: string, precondition: PreconditionCheck): Promise<void>;
  /** For resources whose DELETE archives them (SPEC 1 "Deletion"). */
  restore?(ctx: RequestContext, id: string, precondition: PreconditionCheck): Promise<R>;
}

export interface CrudOptions<R extends { id: string; version: number }, C, U, L = R> {
  /** `/api/departments` */
  path: string;
  tag: string;
  /** Singular and plural names for operation ids and summaries: ['Department', 'Departments']. */
  names: [string, string];
  permissions: { read: PermissionDeclaration; write: PermissionDeclaration; delete: PermissionDeclaration };
  schemas: { response: TSchema; list: TSchema; listQuery: TObject; create: TSchema; update: TSchema };
  service: CrudService<R, C, U, L>;
  toResponse(record: R, request: FastifyRequest): unknown;
  /** For lists scoped to the caller (owner-only resources): used instead of `service.list`. */
  listFor?(query: never, ctx: RequestContext): Promise<Page<L>>;
  /** For lists whose items are not the record type (e.g. rows already shaped by SQL). */
  toListItem?(item: L, request: FastifyRequest): unknown;
  descriptions?: { list?: string; create?: string; update?: string; delete?: string };
  /** Adds POST {path}/{id}/restore (needs `service.restore`), for resources that DELETE archives. */
  restore?: { permission: PermissionDeclaration };
}

/**
 * Registers list, create, get, PUT/PATCH (both partial) and DELETE for one resource, the same way
 * everywhere: 201 + Location on create, ETag on reads and writes, If-Match on changes, 204 on delete.
 */
export function registerCrudRoutes<R extends { id: string; version: number }, C, U, L = R>(
  fastify: FastifyInstance,
  o: CrudOptions<R, C, U, L>,
): void {
  const app = typed(fastify);
  const [one, many] = o.names;
  const tags = [o.tag];
  const single = { 200: Type.Ref(o.schemas.response) };
  const d = o.descriptions ?? {};
  const serviceList = o.service.list?.bind(o.service);
  // service.list gets the query only: some take a second, different argument (a parent id).
  const list = o.listFor ?? (serviceList && ((query: never) => serviceList(query)));
  if (!list) throw new Error(`${o.path}: give service.list or listFor`);

  app.get(
    o.path,
    {
      config: { permission: o.permissions.read },
      schema: {
        tags,
        operationId: `list${many}`,
        summary: `List ${many.toLowerCase()}`,
        ...(d.list ? { description: d.list } : {}),
        querystring: o.schemas.listQuery,
        response: { 200: Type.Ref(o.schemas.list) },
      },
    },
    async (request) => {
      const page = await list(request.query as never, requestContext(request));
      const toItem = o.toListItem ?? (o.toResponse as unknown as (item: L, request: FastifyRequest) => unknown);
      return { ...page, items: page.items.map((item) => toItem(item, request)) };
    },
  );

  app.post(
    o.path,
    {
      config: { permission: o.permissions.write },
      schema: {
        tags,
        operationId: `create${one}`,
        summary: `Create a ${one.toLowerCase()}`,
        ...(d.create ? { description: d.create } : {}),
        body: Type.Ref(o.schemas.create),
        response: { 201: Type.Ref(o.schemas.response) },
      },
    },
    async (request, reply) => {
      const record = await o.service.create(requestContext(request), request.body as C);
      setEtag(reply, record);
      reply.code(201).header('location', `${o.path}/${record.id}`);
      return o.toResponse(record, request);
    },
  );

  app.get(
    `${o.path}/:id`,
    {
      config: { permission: o.permissions.read },
      schema: {
        tags,
        operationId: `get${one}`,
        summary: `Get a ${one.toLowerCase()}`,
        params: IdParams,
        response: single,
      },
    },
    async (request, reply) => {
      const record = await o.service.get(request.params.id, requestContext(request));
      setEtag(reply, record);
      return o.toResponse(record, request);
    },
  );

  for (const method of ['PUT', 'PATCH'] as const) {
    app.route({
      method,
      url: `${o.path}/:id`,
      config: { permission: o.permissions.write },
      schema: {
        tags,
        operationId: `${method === 'PUT' ? 'replace' : 'update'}${one}`,
        summary: `Update a ${one.toLowerCase()} (${method}; partial: only given fields change)`,
        description: `Honours If-Match (412 when stale).${d.update ? ` ${d.update}` : ''}`,
        params: IdParams,
        body: Type.Ref(o.schemas.update),
        response: single,
      },
      handler: async (request, reply) => {
        const record = await o.service.update(
          requestContext(request),
          request.params.id,
          request.body as U,
          ifMatch(request),
        );
        setEtag(reply, record);
        return o.toResponse(record, request);
      },
    });
  }

  app.delete(
    `${o.path}/:id`,
    {
      config: { permission: o.permissions.delete },
      schema: {
        tags,
        operationId: `delete${one}`,
        summary: `Delete a ${one.toLowerCase()}`,
        ...(d.delete ? { description: d.delete } : {}),
        params: IdParams,
        response: { 204: Type.Null({ description: 'Done' }) },
      },
    },
    async (request, reply) => {
      await o.service.delete(requestContext(request), request.params.id, ifMatch(request));
      return reply.code(204).send(null);
    },
  );

  const restore = o.service.restore?.bind(o.service);
  if (o.restore && restore) {
    app.post(
      `${o.path}/:id/restore`,
      {
        config: { permission: o.restore.permission },
        schema: {
          tags,
          operationId: `restore${one}`,
          summary: `Restore an archived ${one.toLowerCase()}`,
          description: `Clears archived_at; a ${one.toLowerCase()} that is not archived is returned unchanged. Honours If-Match.`,
          params: IdParams,
          response: single,
        },
      },
      async (request, reply) => {
        const record = await restore(requestContext(request), request.params.id, ifMatch(request));
        setEtag(reply, record);
        return o.toResponse(record, request);
      },
    );
  }
}
