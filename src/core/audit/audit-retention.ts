import { and, inArray, lt, notInArray } from 'drizzle-orm';
import { auditLogs } from '../db/core.table.ts';
import { affectedRows, type Database } from '../db/database.ts';
import type { JobDefinition } from '../jobs/scheduler.ts';

/** Rows about these records are bookkeeping documents: kept at least 8 years (§147 AO). */
export const FISCAL_RESOURCE_TYPES = ['invoice', 'payment', 'expense'];
const FISCAL_RETENTION_DAYS = 8 * 366;

/**
 * Deletes audit rows older than `audit_retention_days` (settings), except rows about invoices,
 * payments and expenses, which go only after the longer of that and eight years. Daily, once
 * across instances.
 */
export function auditRetentionJob(db: Database, retentionDays: () => Promise<number>): JobDefinition {
  return {
    name: 'audit_retention',
    schedule: { dailyAt: '03:15' },
    async run() {
      const days = await retentionDays();
      const cutoff = (d: number) => new Date(Date.now() - d * 86_400_000);
      const general = await db.q
        .delete(auditLogs)
        .where(and(lt(auditLogs.occurredAt, cutoff(days)), notInArray(auditLogs.resourceType, FISCAL_RESOURCE_TYPES)));
      const fiscal = await db.q
        .delete(auditLogs)
        .where(
          and(
            lt(auditLogs.occurredAt, cutoff(Math.max(days, FISCAL_RETENTION_DAYS))),
            inArray(auditLogs.resourceType, FISCAL_RESOURCE_TYPES),
          ),
        );
      return `${affectedRows(general) + affectedRows(fiscal)} audit rows older than ${days} days deleted (fiscal rows kept 8 years)`;
    },
  };
}
