import type { Static } from '@sinclair/typebox';
import { and, desc, eq, gte, lt } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { auditLogs } from '../db/core.table.ts';
import { countAll, filterBound, planList } from '../db/list.ts';
import type { CoreDeps } from '../deps.ts';
import { notFound } from '../http/errors.ts';
import { IdParams } from '../http/schemas.ts';
import { AuditLogList, AuditLogListQuery, AuditLogResponse } from './audit.schemas.ts';

type AuditRow = typeof auditLogs.$inferSelect;

function toResponse(row: AuditRow) {
  return {
    id: row.id,
    occurred_at: row.occurredAt,
    actor_id: row.actorId,
    actor_email: row.actorEmail,
    actor_type: row.actorType,
    action: row.action,
    resource_type: row.resourceType,
    resource_id: row.resourceId,
    resource_name: row.resourceName,
    changes: row.changes,
    ip_address: row.ipAddress,
    user_agent: row.userAgent,
    request_id: row.requestId,
  };
}

const listSpec = {
  sortable: {
    occurred_at: auditLogs.occurredAt,
    action: auditLogs.action,
    resource_type: auditLogs.resourceType,
    actor_email: auditLogs.actorEmail,
  },
  searchable: [auditLogs.resourceName, auditLogs.actorEmail, auditLogs.resourceType],
  equals: {
    actor_id: auditLogs.actorId,
    action: auditLogs.action,
    resource_type: auditLogs.resourceType,
    resource_id: auditLogs.resourceId,
  },
  defaultOrder: [desc(auditLogs.occurredAt), desc(auditLogs.id)],
  tieBreaker: auditLogs.id,
};

/** Read-only audit log API; there is deliberately no route that changes or deletes rows. */
export async function auditRoutes(app: FastifyInstance, deps: CoreDeps): Promise<void> {
  app.addSchema(AuditLogResponse);
  app.addSchema(AuditLogList);

  app.get(
    '/api/audit-logs',
    {
      config: { permission: 'admin.audit.read' },
      schema: {
        tags: ['audit'],
        operationId: 'listAuditLogs',
        summary: 'List audit log entries',
        querystring: AuditLogListQuery,
        response: { 200: { $ref: 'AuditLogList#' } },
      },
    },
    async (request) => {
      const query = request.query as Static<typeof AuditLogListQuery>;
      const tz = await deps.companyTimezone();
      const plan = planList(query, listSpec, [
        query.occurred_at_from
          ? gte(auditLogs.occurredAt, filterBound('occurred_at_from', query.occurred_at_from, tz))
          : undefined,
        query.occurred_at_to
          ? lt(auditLogs.occurredAt, filterBound('occurred_at_to', query.occurred_at_to, tz))
          : undefined,
      ]);
      const db = deps.db.q;
      const [rows, [count]] = await Promise.all([
        db
          .select()
          .from(auditLogs)
          .where(plan.where)
          .orderBy(...plan.orderBy)
          .offset(plan.skip)
          .limit(plan.limit),
        db.select({ n: countAll }).from(auditLogs).where(plan.where),
      ]);
      return { items: rows.map(toResponse), total: count?.n ?? 0, skip: plan.skip, limit: plan.limit };
    },
  );

  app.get(
    '/api/audit-logs/:id',
    {
      config: { permission: 'admin.audit.read' },
      schema: {
        tags: ['audit'],
        operationId: 'getAuditLog',
        summary: 'Get one audit log entry',
        params: IdParams,
        response: { 200: { $ref: 'AuditLog#' } },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const [row] = await deps.db.q
        .select()
        .from(auditLogs)
        .where(and(eq(auditLogs.id, id)));
      if (!row) throw notFound('Audit log entry');
      return toResponse(row);
    },
  );
}
