import { and, asc, desc, eq, inArray, lt, lte, ne, sql } from 'drizzle-orm';
import type { Database } from '../../core/db/database.ts';
import { type ListQueryInput, type Page, planList, selectPage } from '../../core/db/list.ts';
import { reminders } from './reminders.table.ts';

export type ReminderRow = typeof reminders.$inferSelect;
export type ReminderInsert = typeof reminders.$inferInsert;

/** Priorities in their natural order, so `sort=-priority` puts critical first. */
const priorityRank = sql`case ${reminders.priority} when 'low' then 0 when 'medium' then 1 when 'high' then 2 else 3 end`;

const listSpec = {
  sortable: {
    title: reminders.title,
    due_date: reminders.dueDate,
    priority: priorityRank,
    status: reminders.status,
    created_at: reminders.createdAt,
    updated_at: reminders.updatedAt,
    completed_at: reminders.completedAt,
  },
  searchable: [reminders.title, reminders.description],
  equals: {
    status: reminders.status,
    priority: reminders.priority,
    linked_entity_type: reminders.linkedEntityType,
    linked_entity_id: reminders.linkedEntityId,
  },
  ranges: { due_date: { column: reminders.dueDate, kind: 'date' as const } },
  defaultOrder: [desc(reminders.createdAt), desc(reminders.id)],
  tieBreaker: reminders.id,
};

const notDone = ne(reminders.status, 'done');

export class RemindersRepository {
  constructor(private readonly db: Database) {}

  /** One owner's reminders (the service decides whose). */
  async list(query: ListQueryInput, ownerId: string): Promise<Page<ReminderRow>> {
    const plan = planList(query, listSpec, [eq(reminders.ownerId, ownerId)]);
    return selectPage(this.db, reminders, plan);
  }

  async findById(id: string): Promise<ReminderRow | null> {
    const [row] = await this.db.q.select().from(reminders).where(eq(reminders.id, id)).limit(1);
    return row ?? null;
  }

  async lockById(id: string): Promise<ReminderRow | null> {
    const [row] = await this.db.q.select().from(reminders).where(eq(reminders.id, id)).for('update');
    return row ?? null;
  }

  async insert(values: ReminderInsert): Promise<ReminderRow> {
    const [row] = await this.db.q.insert(reminders).values(values).returning();
    if (!row) throw new Error('insert returned nothing');
    return row;
  }

  async update(id: string, values: Partial<ReminderInsert>): Promise<ReminderRow> {
    const [row] = await this.db.q
      .update(reminders)
      .set({ ...values, updatedAt: new Date(), version: sql`${reminders.version} + 1` })
      .where(eq(reminders.id, id))
      .returning();
    if (!row) throw new Error('update matched nothing');
    return row;
  }

  async delete(id: string): Promise<void> {
    await this.db.q.delete(reminders).where(eq(reminders.id, id));
  }

  /** Open reminders due before `today` become overdue; returns them (for the audit rows). */
  async markOverdue(today: string): Promise<ReminderRow[]> {
    return this.db.q
      .update(reminders)
      .set({ status: 'overdue', updatedAt: new Date(), version: sql`${reminders.version} + 1` })
      .where(and(eq(reminders.status, 'open'), lt(reminders.dueDate, today)))
      .returning();
  }

  /** Reminders due on or before `today`, not done and not yet notified, oldest due first. */
  async dueUnnotified(today: string): Promise<Array<Pick<ReminderRow, 'id' | 'ownerId'>>> {
    return this.db.q
      .select({ id: reminders.id, ownerId: reminders.ownerId })
      .from(reminders)
      .where(
        and(
          inArray(reminders.status, ['open', 'overdue']),
          lte(reminders.dueDate, today),
          eq(reminders.notified, false),
        ),
      )
      .orderBy(asc(reminders.dueDate), asc(reminders.id));
  }

  /**
   * Claims one reminder for its notification: only one caller (instance) gets the row back, and
   * only while it is still due, not done and not notified.
   */
  async claimNotification(id: string, today: string): Promise<ReminderRow | null> {
    const [row] = await this.db.q
      .update(reminders)
      .set({ notified: true, updatedAt: new Date(), version: sql`${reminders.version} + 1` })
      .where(and(eq(reminders.id, id), eq(reminders.notified, false), notDone, lte(reminders.dueDate, today)))
      .returning();
    return row ?? null;
  }

  /** Gives a claim back after a failed send, so the next run tries again. */
  async releaseNotification(id: string): Promise<void> {
    await this.db.q
      .update(reminders)
      .set({ notified: false, updatedAt: new Date(), version: sql`${reminders.version} + 1` })
      .where(eq(reminders.id, id));
  }

  /** Counts for the dashboard: not done and due from today on, before today, and within [weekStart, weekEnd]. */
  async figures(ownerId: string, today: string, weekStart: string, weekEnd: string) {
    const [row] = await this.db.q
      .select({
        open: sql<number>`count(*) filter (where ${reminders.dueDate} >= ${today})`.mapWith(Number),
        overdue: sql<number>`count(*) filter (where ${reminders.dueDate} < ${today})`.mapWith(Number),
        dueThisWeek:
          sql<number>`count(*) filter (where ${reminders.dueDate} between ${weekStart} and ${weekEnd})`.mapWith(Number),
      })
      .from(reminders)
      .where(and(eq(reminders.ownerId, ownerId), notDone));
    return { open: row?.open ?? 0, overdue: row?.overdue ?? 0, due_this_week: row?.dueThisWeek ?? 0 };
  }
}
