import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../../core/db/database.ts';
import { countAll, type ListQueryInput, type Page, planList, selectPage } from '../../core/db/list.ts';
import { infraServices } from './system.table.ts';

export type InfraServiceRow = typeof infraServices.$inferSelect;
export type InfraServiceInsert = typeof infraServices.$inferInsert;

const listSpec = {
  sortable: {
    name: infraServices.name,
    type: infraServices.type,
    status: infraServices.status,
    last_sync: infraServices.lastSync,
    created_at: infraServices.createdAt,
    updated_at: infraServices.updatedAt,
  },
  searchable: [infraServices.name, infraServices.managedBy],
  equals: { type: infraServices.type, status: infraServices.status },
  defaultOrder: [desc(infraServices.createdAt), desc(infraServices.id)],
  tieBreaker: infraServices.id,
};

export class InfraServicesRepository {
  constructor(private readonly db: Database) {}

  async list(query: ListQueryInput): Promise<Page<InfraServiceRow>> {
    const plan = planList(query, listSpec);
    return selectPage(this.db, infraServices, plan);
  }

  async findById(id: string): Promise<InfraServiceRow | null> {
    const [row] = await this.db.q.select().from(infraServices).where(eq(infraServices.id, id));
    return row ?? null;
  }

  async lockById(id: string): Promise<InfraServiceRow | null> {
    const [row] = await this.db.q.select().from(infraServices).where(eq(infraServices.id, id)).for('update');
    return row ?? null;
  }

  /** The services the periodic probe looks at: active ones and those in error (to see them recover). */
  probeable(): Promise<InfraServiceRow[]> {
    return this.db.q
      .select()
      .from(infraServices)
      .where(inArray(infraServices.status, ['active', 'error']))
      .orderBy(infraServices.name);
  }

  async insert(values: InfraServiceInsert): Promise<InfraServiceRow> {
    const [row] = await this.db.q.insert(infraServices).values(values).returning();
    if (!row) throw new Error('insert returned nothing');
    return row;
  }

  async update(id: string, values: Partial<InfraServiceInsert>): Promise<InfraServiceRow> {
    const [row] = await this.db.q
      .update(infraServices)
      .set({ ...values, updatedAt: new Date(), version: sql`${infraServices.version} + 1` })
      .where(eq(infraServices.id, id))
      .returning();
    if (!row) throw new Error('update matched nothing');
    return row;
  }

  async delete(id: string): Promise<void> {
    await this.db.q.delete(infraServices).where(eq(infraServices.id, id));
  }

  /**
   * Stores a probe's verdict — unless the URL changed meanwhile (that result is about the old
   * URL). An inactive service keeps its status. The version (ETag) moves only when status or
   * last_error changes, so a routine successful probe does not invalidate a client's If-Match.
   */
  async recordProbe(
    id: string,
    probedUrl: string,
    result: { status: 'active' | 'error'; lastError: string | null; at: Date },
  ): Promise<InfraServiceRow | null> {
    const status = sql`case when ${infraServices.status} = 'inactive' then 'inactive' else ${result.status} end`;
    const [row] = await this.db.q
      .update(infraServices)
      .set({
        status,
        lastError: result.lastError,
        lastSync: result.at,
        version: sql`case when ${infraServices.status} is distinct from (${status})
          or ${infraServices.lastError} is distinct from ${result.lastError}::text
          then ${infraServices.version} + 1 else ${infraServices.version} end`,
      })
      .where(and(eq(infraServices.id, id), eq(infraServices.connectionUrl, probedUrl)))
      .returning();
    return row ?? null;
  }

  async countByStatus(): Promise<Array<{ status: string; n: number }>> {
    return this.db.q
      .select({ status: infraServices.status, n: countAll })
      .from(infraServices)
      .groupBy(infraServices.status);
  }
}
