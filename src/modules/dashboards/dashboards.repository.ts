import { and, desc, eq, ne, sql } from 'drizzle-orm';
import type { Database } from '../../core/db/database.ts';
import { type ListQueryInput, type Page, planList, selectPage } from '../../core/db/list.ts';
import { dashboards } from './dashboards.table.ts';

export type DashboardRow = typeof dashboards.$inferSelect;
export type DashboardInsert = typeof dashboards.$inferInsert;

const listSpec = {
  sortable: {
    name: dashboards.name,
    created_at: dashboards.createdAt,
    updated_at: dashboards.updatedAt,
    last_accessed: dashboards.lastAccessed,
  },
  searchable: [dashboards.name],
  equals: { is_default: dashboards.isDefault },
  defaultOrder: [desc(dashboards.createdAt), desc(dashboards.id)],
  tieBreaker: dashboards.id,
};

const mine = (id: string, ownerId: string) => and(eq(dashboards.id, id), eq(dashboards.ownerId, ownerId));

export class DashboardsRepository {
  constructor(private readonly db: Database) {}

  async list(query: ListQueryInput, ownerId: string): Promise<Page<DashboardRow>> {
    const plan = planList(query, listSpec, [eq(dashboards.ownerId, ownerId)]);
    return selectPage(this.db, dashboards, plan);
  }

  /** Reads one of the owner's dashboards and records the access (no version bump: not a change). */
  async touch(id: string, ownerId: string): Promise<DashboardRow | null> {
    const [row] = await this.db.q
      .update(dashboards)
      .set({ lastAccessed: new Date() })
      .where(mine(id, ownerId))
      .returning();
    return row ?? null;
  }

  /**
   * Serializes the writes of one owner's dashboards until commit (the default switch and "first
   * becomes default" read, then write). An advisory lock, because the first dashboard has no row
   * to lock yet.
   */
  async lockOwner(ownerId: string): Promise<void> {
    await this.db.q.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`dashboards:${ownerId}`}, 0))`);
  }

  async lockById(id: string, ownerId: string): Promise<DashboardRow | null> {
    const [row] = await this.db.q.select().from(dashboards).where(mine(id, ownerId)).for('update');
    return row ?? null;
  }

  async findDefault(ownerId: string): Promise<DashboardRow | null> {
    const [row] = await this.db.q
      .select()
      .from(dashboards)
      .where(and(eq(dashboards.ownerId, ownerId), eq(dashboards.isDefault, true)));
    return row ?? null;
  }

  /** The owner's most recently used dashboard other than `exceptId`: last accessed, else newest. */
  async mostRecentlyUsed(ownerId: string, exceptId: string): Promise<DashboardRow | null> {
    const [row] = await this.db.q
      .select()
      .from(dashboards)
      .where(and(eq(dashboards.ownerId, ownerId), ne(dashboards.id, exceptId)))
      .orderBy(sql`${dashboards.lastAccessed} desc nulls last`, desc(dashboards.createdAt), desc(dashboards.id))
      .limit(1);
    return row ?? null;
  }

  async insert(values: DashboardInsert): Promise<DashboardRow> {
    const [row] = await this.db.q.insert(dashboards).values(values).returning();
    if (!row) throw new Error('insert returned nothing');
    return row;
  }

  async update(id: string, values: Partial<DashboardInsert>): Promise<DashboardRow> {
    const [row] = await this.db.q
      .update(dashboards)
      .set({ ...values, updatedAt: new Date(), version: sql`${dashboards.version} + 1` })
      .where(eq(dashboards.id, id))
      .returning();
    if (!row) throw new Error('update matched nothing');
    return row;
  }

  async delete(id: string): Promise<void> {
    await this.db.q.delete(dashboards).where(eq(dashboards.id, id));
  }
}
