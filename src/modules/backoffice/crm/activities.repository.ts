import { desc, eq, sql } from 'drizzle-orm';
import type { Database } from '../../../core/db/database.ts';
import { type ListQueryInput, type Page, planList, selectPage } from '../../../core/db/list.ts';
import { activities } from './crm.table.ts';

export type ActivityRow = typeof activities.$inferSelect;
export type ActivityInsert = typeof activities.$inferInsert;

const listSpec = {
  sortable: {
    occurred_at: activities.occurredAt,
    type: activities.type,
    subject: activities.subject,
    created_at: activities.createdAt,
    updated_at: activities.updatedAt,
  },
  searchable: [activities.subject, activities.description],
  equals: { customer_id: activities.customerId, contact_id: activities.contactId, type: activities.type },
  ranges: { occurred_at: { column: activities.occurredAt, kind: 'timestamp' as const } },
  defaultOrder: [desc(activities.createdAt), desc(activities.id)],
  tieBreaker: activities.id,
};

export class ActivitiesRepository {
  constructor(private readonly db: Database) {}

  async list(query: ListQueryInput, timeZone: string, customerId?: string): Promise<Page<ActivityRow>> {
    const plan = planList(query, listSpec, [customerId ? eq(activities.customerId, customerId) : undefined], {
      timeZone,
    });
    return selectPage(this.db, activities, plan);
  }

  async findById(id: string): Promise<ActivityRow | null> {
    const [row] = await this.db.q.select().from(activities).where(eq(activities.id, id)).limit(1);
    return row ?? null;
  }

  async lockById(id: string): Promise<ActivityRow | null> {
    const [row] = await this.db.q.select().from(activities).where(eq(activities.id, id)).for('update');
    return row ?? null;
  }

  async insert(values: ActivityInsert): Promise<ActivityRow> {
    const [row] = await this.db.q.insert(activities).values(values).returning();
    if (!row) throw new Error('insert returned nothing');
    return row;
  }

  async update(id: string, values: Partial<ActivityInsert>): Promise<ActivityRow> {
    const [row] = await this.db.q
      .update(activities)
      .set({ ...values, updatedAt: new Date(), version: sql`${activities.version} + 1` })
      .where(eq(activities.id, id))
      .returning();
    if (!row) throw new Error('update matched nothing');
    return row;
  }

  async delete(id: string): Promise<void> {
    await this.db.q.delete(activities).where(eq(activities.id, id));
  }
}
