import { desc, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../../core/db/database.ts';
import { countAll, type ListQueryInput, type Page, planList } from '../../core/db/list.ts';
import { employees, roles } from './employees.table.ts';

export type RoleRow = typeof roles.$inferSelect;
export type RoleInsert = typeof roles.$inferInsert;
export type RoleWithCount = RoleRow & { employee_count: number };

// Qualified by hand: in a query on roles alone Drizzle renders columns unqualified, and a bare "id"
// inside the subquery would mean employees.id.
const employeeCount = sql<number>`(select count(*) from ${employees} where ${employees}.role_id = ${roles}.id)`
  .mapWith(Number)
  .as('employee_count');

const listSpec = {
  sortable: {
    name: roles.name,
    priority: roles.priority,
    created_at: roles.createdAt,
    updated_at: roles.updatedAt,
  },
  searchable: [roles.name, roles.description, roles.zitadelRoleKey],
  equals: { is_system: roles.isSystem },
  defaultOrder: [desc(roles.createdAt), desc(roles.id)],
  tieBreaker: roles.id,
};

export class RolesRepository {
  constructor(private readonly db: Database) {}

  private selectWithCount() {
    return this.db.q.select({ role: roles, employee_count: employeeCount }).from(roles);
  }

  async list(query: ListQueryInput): Promise<Page<RoleWithCount>> {
    const plan = planList(query, listSpec);
    const [rows, [count]] = await Promise.all([
      this.selectWithCount()
        .where(plan.where)
        .orderBy(...plan.orderBy)
        .offset(plan.skip)
        .limit(plan.limit),
      this.db.q.select({ n: countAll }).from(roles).where(plan.where),
    ]);
    return {
      items: rows.map((r) => ({ ...r.role, employee_count: r.employee_count })),
      total: count?.n ?? 0,
      skip: plan.skip,
      limit: plan.limit,
    };
  }

  async findById(id: string): Promise<RoleWithCount | null> {
    const [row] = await this.selectWithCount().where(eq(roles.id, id)).limit(1);
    return row ? { ...row.role, employee_count: row.employee_count } : null;
  }

  async findByName(name: string): Promise<RoleRow | null> {
    const [row] = await this.db.q.select().from(roles).where(eq(roles.name, name)).limit(1);
    return row ?? null;
  }

  async findByZitadelKeys(keys: string[]): Promise<RoleRow[]> {
    if (keys.length === 0) return [];
    return this.db.q.select().from(roles).where(inArray(roles.zitadelRoleKey, keys));
  }

  async lockById(id: string): Promise<RoleRow | null> {
    const [row] = await this.db.q.select().from(roles).where(eq(roles.id, id)).for('update');
    return row ?? null;
  }

  async insert(values: RoleInsert): Promise<RoleRow> {
    const [row] = await this.db.q.insert(roles).values(values).returning();
    if (!row) throw new Error('insert returned nothing');
    return row;
  }

  /** Inserts the roles that do not exist yet (first start); existing ones stay as they are. */
  async insertMissing(values: RoleInsert[]): Promise<void> {
    await this.db.q.insert(roles).values(values).onConflictDoNothing();
  }

  async update(id: string, values: Partial<RoleInsert>): Promise<RoleRow> {
    const [row] = await this.db.q
      .update(roles)
      .set({ ...values, updatedAt: new Date(), version: sql`${roles.version} + 1` })
      .where(eq(roles.id, id))
      .returning();
    if (!row) throw new Error('update matched nothing');
    return row;
  }

  async delete(id: string): Promise<void> {
    await this.db.q.delete(roles).where(eq(roles.id, id));
  }

  async holderCount(id: string): Promise<number> {
    const [row] = await this.db.q.select({ n: countAll }).from(employees).where(eq(employees.roleId, id));
    return row?.n ?? 0;
  }
}
