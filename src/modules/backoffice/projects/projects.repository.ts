import { and, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Database } from '../../../core/db/database.ts';
import { countAll, type ListQueryInput, type Page, planList, selectPage } from '../../../core/db/list.ts';
import { projects } from './projects.table.ts';

export type ProjectRow = typeof projects.$inferSelect;
export type ProjectInsert = typeof projects.$inferInsert;

const listSpec = {
  sortable: {
    project_number: projects.projectNumber,
    title: projects.title,
    status: projects.status,
    priority: projects.priority,
    start_date: projects.startDate,
    end_date: projects.endDate,
    deadline: projects.deadline,
    created_at: projects.createdAt,
    updated_at: projects.updatedAt,
  },
  searchable: [projects.title, projects.projectNumber, projects.description],
  equals: {
    status: projects.status,
    priority: projects.priority,
    customer_id: projects.customerId,
    department_id: projects.departmentId,
    project_manager_id: projects.projectManagerId,
  },
  defaultOrder: [desc(projects.createdAt), desc(projects.id)],
  tieBreaker: projects.id,
};

export class ProjectsRepository {
  constructor(private readonly db: Database) {}

  async list(query: ListQueryInput & { include_archived?: boolean }, customerId?: string): Promise<Page<ProjectRow>> {
    const plan = planList(query, listSpec, [
      query.include_archived ? undefined : isNull(projects.archivedAt),
      customerId ? eq(projects.customerId, customerId) : undefined,
    ]);
    return selectPage(this.db, projects, plan);
  }

  async findById(id: string): Promise<ProjectRow | null> {
    const [row] = await this.db.q.select().from(projects).where(eq(projects.id, id)).limit(1);
    return row ?? null;
  }

  async lockById(id: string): Promise<ProjectRow | null> {
    const [row] = await this.db.q.select().from(projects).where(eq(projects.id, id)).for('update');
    return row ?? null;
  }

  async insert(values: ProjectInsert): Promise<ProjectRow> {
    const [row] = await this.db.q.insert(projects).values(values).returning();
    if (!row) throw new Error('insert returned nothing');
    return row;
  }

  async update(id: string, values: Partial<ProjectInsert>): Promise<ProjectRow> {
    const [row] = await this.db.q
      .update(projects)
      .set({ ...values, updatedAt: new Date(), version: sql`${projects.version} + 1` })
      .where(eq(projects.id, id))
      .returning();
    if (!row) throw new Error('update matched nothing');
    return row;
  }

  async activeCountForCustomer(customerId: string): Promise<number> {
    const [row] = await this.db.q
      .select({ n: countAll })
      .from(projects)
      .where(
        and(
          eq(projects.customerId, customerId),
          isNull(projects.archivedAt),
          inArray(projects.status, ['planning', 'active', 'on_hold']),
        ),
      );
    return row?.n ?? 0;
  }

  /** Projects not archived: status active, and past their deadline while neither completed nor cancelled. */
  async activeAndOverdueCounts(today: string) {
    const [row] = await this.db.q
      .select({
        active: sql<number>`count(*) filter (where ${projects.status} = 'active')`.mapWith(Number),
        overdue:
          sql<number>`count(*) filter (where ${projects.deadline} < ${today} and ${projects.status} not in ('completed', 'cancelled'))`.mapWith(
            Number,
          ),
      })
      .from(projects)
      .where(isNull(projects.archivedAt));
    return { active: row?.active ?? 0, overdue: row?.overdue ?? 0 };
  }

  /** (value / budget × 100) rounded to two decimals, in SQL. */
  async percentOf(value: string, budget: string): Promise<string> {
    const result = await this.db.q.execute(
      sql`select round(${value}::numeric * 100 / nullif(${budget}::numeric, 0), 2)::text as p`,
    );
    const row = (result as unknown as { rows: Array<{ p: string | null }> }).rows[0];
    return row?.p ?? '0';
  }
}
