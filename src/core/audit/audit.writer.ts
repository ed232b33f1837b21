import { v7 as uuidv7 } from 'uuid';
import type { RequestContext } from '../auth/principal.ts';
import { auditLogs } from '../db/core.table.ts';
import type { Database } from '../db/database.ts';
import { auditView, type Changes, diffChanges, snapshotChanges } from './changes.ts';

export const AUDIT_ACTIONS = [
  'create',
  'update',
  'delete',
  'restore',
  'login',
  'login_failed',
  'logout',
  'password_change',
  'approve',
  'finalize',
  'send',
  'cancel',
  'convert',
  'reimburse',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  action: AuditAction;
  /** Singular snake_case: `employee`, `time_entry`. */
  resourceType: string;
  resourceId?: string | null;
  resourceName?: string | null;
  changes?: Changes | null;
  /** For events without a signed-in principal (failed login): who it was about. */
  actor?: { id: string | null; email: string | null };
}

/**
 * Writes audit rows. Call it inside the write's transaction (db.transaction): the row commits or
 * rolls back with the change it describes.
 */
export class AuditWriter {
  constructor(private readonly db: Database) {}

  /**
   * The row for a create (`before` null), update or delete (`after` null) of a record, with the
   * changed fields taken from the two snapshots. `resourceName` is what a reader recognises.
   */
  recordChange(
    ctx: RequestContext,
    resourceType: string,
    resourceName: string | null,
    before: { id: string } | null,
    after: { id: string } | null,
  ): Promise<void> {
    const record = after ?? before;
    if (!record) throw new Error('recordChange needs a before or an after snapshot');
    const action = before === null ? 'create' : after === null ? 'delete' : 'update';
    const changes =
      before === null
        ? snapshotChanges(auditView(record), 'create')
        : after === null
          ? snapshotChanges(auditView(before), 'delete')
          : diffChanges(auditView(before), auditView(after));
    return this.record(ctx, { action, resourceType, resourceId: record.id, resourceName, changes });
  }

  async record(ctx: RequestContext, entry: AuditEntry): Promise<void> {
    const principal = ctx.principal;
    await this.db.q.insert(auditLogs).values({
      id: uuidv7(),
      actorId: entry.actor?.id ?? principal?.id ?? null,
      actorEmail: entry.actor?.email ?? principal?.email ?? null,
      actorType: principal ? principal.type : entry.actor ? 'employee' : 'system',
      action: entry.action,
      resourceType: entry.resourceType,
      resourceId: entry.resourceId ?? null,
      resourceName: entry.resourceName ?? null,
      changes: entry.changes && Object.keys(entry.changes).length > 0 ? entry.changes : null,
      ipAddress: ctx.ipAddress,
      userAgent: ctx.userAgent,
      requestId: ctx.requestId,
    });
  }
}
