import { desc, eq, type SQL, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Database } from '../../core/db/database.ts';
import { countAll, type ListQueryInput, type Page, planList } from '../../core/db/list.ts';
import { departments, employees } from './employees.table.ts';

export type DepartmentRow = typeof departments.$inferSelect;
export type DepartmentInsert = typeof departments.$inferInsert;
export type DepartmentWithRefs = DepartmentRow & {
  manager: { id: string; first_name: string; last_name: string } | null;
  employee_count: number;
};

const manager = alias(employees, 'manager');
const employeeCount =
  sql<number>`(select count(*) from ${employees} where ${employees.departmentId} = ${departments.id})`
    .mapWith(Number)
    .as('employee_count');

const listSpec = {
  sortable: {
    name: departments.name,
    code: departments.code,
    created_at: departments.createdAt,
    updated_at: departments.updatedAt,
  },
  searchable: [departments.name, departments.code, departments.description],
  equals: { manager_id: departments.managerId },
  defaultOrder: [desc(departments.createdAt), desc(departments.id)],
  tieBreaker: departments.id,
};

export class DepartmentsRepository {
  constructor(private readonly db: Database) {}

  private selectWithRefs() {
    return this.db.q
      .select({
        department: departments,
        manager: { id: manager.id, first_name: manager.firstName, last_name: manager.lastName },
        employee_count: employeeCount,
      })
      .from(departments)
      .leftJoin(manager, eq(manager.id, departments.managerId));
  }

  private static flatten(row: {
    department: DepartmentRow;
    manager: DepartmentWithRefs['manager'];
    employee_count: number;
  }): DepartmentWithRefs {
    return { ...row.department, manager: row.manager, employee_count: row.employee_count };
  }

  async list(query: ListQueryInput): Promise<Page<DepartmentWithRefs>> {
    const plan = planList(query, listSpec);
    const [rows, [count]] = await Promise.all([
      this.selectWithRefs()
        .where(plan.where)
        .orderBy(...plan.orderBy)
        .offset(plan.skip)
        .limit(plan.limit),
      this.db.q.select({ n: countAll }).from(departments).where(plan.where),
    ]);
    return {
      items: rows.map(DepartmentsRepository.flatten),
      total: count?.n ?? 0,
      skip: plan.skip,
      limit: plan.limit,
    };
  }

  async findById(id: string): Promise<DepartmentWithRefs | null> {
    const [row] = await this.selectWithRefs().where(eq(departments.id, id)).limit(1);
    return row ? DepartmentsRepository.flatten(row) : null;
  }

  async lockById(id: string): Promise<DepartmentRow | null> {
    const [row] = await this.db.q.select().from(departments).where(eq(departments.id, id)).for('update');
    return row ?? null;
  }

  async insert(values: DepartmentInsert): Promise<DepartmentRow> {
    const [row] = await this.db.q.insert(departments).values(values).returning();
    if (!row) throw new Error('insert returned nothing');
    return row;
  }

  async update(id: string, values: Partial<DepartmentInsert>): Promise<DepartmentRow> {
    const [row] = await this.db.q
      .update(departments)
      .set({ ...values, updatedAt: new Date(), version: sql`${departments.version} + 1` })
      .where(eq(departments.id, id))
      .returning();
    if (!row) throw new Error('update matched nothing');
    return row;
  }

  async delete(id: string): Promise<void> {
    await this.db.q.delete(departments).where(eq(departments.id, id));
  }

  async memberCount(id: string, extra?: SQL): Promise<number> {
    const [row] = await this.db.q
      .select({ n: countAll })
      .from(employees)
      .where(extra ? sql`${employees.departmentId} = ${id} and ${extra}` : eq(employees.departmentId, id));
    return row?.n ?? 0;
  }
}
