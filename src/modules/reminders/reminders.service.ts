import type { Static } from '@sinclair/typebox';
import { v7 as uuidv7 } from 'uuid';
import type { AuditWriter } from '../../core/audit/audit.writer.ts';
import { hasPermission } from '../../core/auth/permissions.ts';
import type { Principal, RequestContext } from '../../core/auth/principal.ts';
import type { Database } from '../../core/db/database.ts';
import type { ListQueryInput, Page } from '../../core/db/list.ts';
import { forbidden, notFound, validationError } from '../../core/http/errors.ts';
import type { PreconditionCheck } from '../../core/http/etag.ts';
import type { LinkedEntityRegistry } from '../../core/links/linked-entities.ts';
import { addDays, todayIn, weekStart } from '../../core/time.ts';
import type { EmployeeContact } from '../employees/index.ts';
import type { ReminderInsert, ReminderRow, RemindersRepository } from './reminders.repository.ts';
import type { ReminderCreate, ReminderUpdate } from './reminders.schemas.ts';

export type ReminderCreateInput = Static<typeof ReminderCreate>;
export type ReminderUpdateInput = Static<typeof ReminderUpdate>;

/** What the caller may do with reminders (SPEC 2.5): their own, and everyone's with reminders.manage. */
export function reminderAccess(principal: Principal | null) {
  return {
    id: principal?.id ?? null,
    manage: hasPermission(principal?.permissions ?? [], 'reminders.manage'),
  };
}

/** An employee who can own reminders: exists and is not deactivated (on leave counts as active). */
export function canOwnReminders(employee: EmployeeContact | undefined): employee is EmployeeContact {
  return employee !== undefined && employee.status !== 'inactive';
}

/**
 * The status a reminder that is not done takes from its due date: overdue before today, else
 * open. Writes apply it at once, so a reminder never reads "open" with a past due date after a
 * write, and moving an overdue reminder into the future opens it again.
 */
export function statusFor(requested: 'open' | 'done', dueDate: string, today: string): ReminderRow['status'] {
  if (requested === 'done') return 'done';
  return dueDate < today ? 'overdue' : 'open';
}

export interface RemindersServiceDeps {
  db: Database;
  audit: AuditWriter;
  reminders: RemindersRepository;
  links: LinkedEntityRegistry;
  companyTimezone(): Promise<string>;
  employeeContacts(ids: string[]): Promise<EmployeeContact[]>;
}

export class RemindersService {
  constructor(private readonly deps: RemindersServiceDeps) {}

  private async today(): Promise<string> {
    return todayIn(await this.deps.companyTimezone());
  }

  /** The caller's reminders, or (with reminders.manage) another owner's given by `owner_id`. */
  async listOwned(query: ListQueryInput & { owner_id?: string }, ctx: RequestContext): Promise<Page<ReminderRow>> {
    const access = reminderAccess(ctx.principal);
    if (!access.id) throw forbidden();
    const { owner_id: ownerId = access.id, ...rest } = query;
    if (ownerId !== access.id && !access.manage) {
      throw forbidden("Listing other employees' reminders needs reminders.manage");
    }
    return this.deps.reminders.list(rest as ListQueryInput, ownerId);
  }

  /** Others' reminders do not exist for a caller without reminders.manage (404). */
  async get(id: string, ctx: RequestContext): Promise<ReminderRow> {
    const row = await this.deps.reminders.findById(id);
    if (!row || !this.canSee(ctx.principal, row)) throw notFound('Reminder');
    return row;
  }

  private canSee(principal: Principal | null, row: ReminderRow): boolean {
    const access = reminderAccess(principal);
    return access.manage || row.ownerId === access.id;
  }

  private async lockVisible(ctx: RequestContext, id: string, precondition: PreconditionCheck): Promise<ReminderRow> {
    const row = await this.deps.reminders.lockById(id);
    if (!row || !this.canSee(ctx.principal, row)) throw notFound('Reminder');
    precondition?.(row);
    return row;
  }

  /** 403 for another owner without reminders.manage; 422 for an unknown or deactivated one. */
  private async checkOwner(ctx: RequestContext, ownerId: string): Promise<void> {
    const access = reminderAccess(ctx.principal);
    if (ownerId === access.id) return;
    if (!access.manage) throw forbidden('Reminders for other employees need reminders.manage');
    const [owner] = await this.deps.employeeContacts([ownerId]);
    if (!owner) throw validationError('owner_id', 'no such employee', 'unknown_reference');
    if (!canOwnReminders(owner)) throw validationError('owner_id', 'the employee is deactivated', 'owner_inactive');
  }

  async create(ctx: RequestContext, input: ReminderCreateInput): Promise<ReminderRow> {
    const access = reminderAccess(ctx.principal);
    if (!access.id) throw forbidden();
    const ownerId = input.owner_id ?? access.id;
    await this.checkOwner(ctx, ownerId);
    await this.deps.links.assertLink(input.linked_entity_type, input.linked_entity_id);
    const status = statusFor(input.status ?? 'open', input.due_date, await this.today());
    return this.deps.db.transaction(async () => {
      const row = await this.deps.reminders.insert({
        id: uuidv7(),
        title: input.title,
        description: input.description ?? null,
        dueDate: input.due_date,
        priority: input.priority ?? 'medium',
        linkedEntityType: input.linked_entity_type ?? null,
        linkedEntityId: input.linked_entity_id ?? null,
        ownerId,
        status,
        completedAt: status === 'done' ? new Date() : null,
      });
      await this.deps.audit.recordChange(ctx, 'reminder', row.title, null, row);
      return row;
    });
  }

  /**
   * Partial update. `status: done` sets completed_at, `status: open` (reopening) clears it; a
   * reminder that is not done is open or overdue by its due date; a new due date resets
   * `notified`, so the owner is reminded again when it comes due.
   */
  async update(
    ctx: RequestContext,
    id: string,
    input: ReminderUpdateInput,
    precondition: PreconditionCheck,
  ): Promise<ReminderRow> {
    const today = await this.today();
    return this.deps.db.transaction(async () => {
      const before = await this.lockVisible(ctx, id, precondition);
      const values: Partial<ReminderInsert> = {};
      if (input.title !== undefined) values.title = input.title;
      if (input.description !== undefined) values.description = input.description;
      if (input.priority !== undefined) values.priority = input.priority;
      if (input.owner_id !== undefined && input.owner_id !== before.ownerId) {
        await this.checkOwner(ctx, input.owner_id);
        values.ownerId = input.owner_id;
      }
      if (input.linked_entity_type !== undefined || input.linked_entity_id !== undefined) {
        const type = input.linked_entity_type !== undefined ? input.linked_entity_type : before.linkedEntityType;
        const linkId = input.linked_entity_id !== undefined ? input.linked_entity_id : before.linkedEntityId;
        if (type !== before.linkedEntityType || linkId !== before.linkedEntityId) {
          await this.deps.links.assertLink(type, linkId);
          values.linkedEntityType = type;
          values.linkedEntityId = linkId;
        }
      }
      const dueDate = input.due_date ?? before.dueDate;
      if (dueDate !== before.dueDate) {
        values.dueDate = dueDate;
        values.notified = false;
      }
      const status = statusFor(input.status ?? (before.status === 'done' ? 'done' : 'open'), dueDate, today);
      if (status !== before.status) {
        values.status = status;
        values.completedAt = status === 'done' ? new Date() : null;
      }
      if (Object.keys(values).length === 0) return before;
      const after = await this.deps.reminders.update(id, values);
      await this.deps.audit.recordChange(ctx, 'reminder', after.title, before, after);
      return after;
    });
  }

  /** Marks the reminder done (completed_at now); completing a done reminder changes nothing. */
  async complete(ctx: RequestContext, id: string, precondition: PreconditionCheck): Promise<ReminderRow> {
    return this.deps.db.transaction(async () => {
      const before = await this.lockVisible(ctx, id, precondition);
      if (before.status === 'done') return before;
      const after = await this.deps.reminders.update(id, { status: 'done', completedAt: new Date() });
      await this.deps.audit.recordChange(ctx, 'reminder', after.title, before, after);
      return after;
    });
  }

  async delete(ctx: RequestContext, id: string, precondition: PreconditionCheck): Promise<void> {
    await this.deps.db.transaction(async () => {
      const before = await this.lockVisible(ctx, id, precondition);
      await this.deps.reminders.delete(id);
      await this.deps.audit.recordChange(ctx, 'reminder', before.title, before, null);
    });
  }

  /** The dashboard's reminder counts for one owner (days and the Monday-first week in the company zone). */
  async figures(ownerId: string) {
    const today = await this.today();
    const monday = weekStart(today);
    return this.deps.reminders.figures(ownerId, today, monday, addDays(monday, 6));
  }
}
