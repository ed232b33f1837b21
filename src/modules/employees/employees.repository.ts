import { and, desc, eq, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../../core/db/database.ts';
import { countAll, type ListQueryInput, type Page, planList } from '../../core/db/list.ts';
import { departments, employees, roles } from './employees.table.ts';

export type EmployeeRow = typeof employees.$inferSelect;
export type EmployeeInsert = typeof employees.$inferInsert;
export type EmployeeWithRefs = EmployeeRow & {
  department: { id: string; name: string; code: string | null } | null;
  role: { id: string; name: string } | null;
};

export interface EmployeeAccess {
  id: string;
  email: string;
  employeeCode: string;
  status: string;
  roleId: string | null;
  roleName: string | null;
  permissions: string[] | null;
}

const fullName = sql`(${employees.firstName} || ' ' || ${employees.lastName})`;

const listSpec = {
  sortable: {
    employee_code: employees.employeeCode,
    first_name: employees.firstName,
    last_name: employees.lastName,
    email: employees.email,
    status: employees.status,
    employment_type: employees.employmentType,
    hire_date: employees.hireDate,
    last_login: employees.lastLogin,
    created_at: employees.createdAt,
    updated_at: employees.updatedAt,
  },
  searchable: [fullName, employees.email, employees.employeeCode],
  equals: {
    status: employees.status,
    department_id: employees.departmentId,
    role_id: employees.roleId,
    reports_to: employees.reportsTo,
    employment_type: employees.employmentType,
  },
  ranges: { hire_date: { column: employees.hireDate, kind: 'date' as const } },
  defaultOrder: [desc(employees.createdAt), desc(employees.id)],
  tieBreaker: employees.id,
};

/** The only place that builds SQL for employees. */
export class EmployeesRepository {
  constructor(private readonly db: Database) {}

  private selectWithRefs() {
    return this.db.q
      .select({
        employee: employees,
        department: { id: departments.id, name: departments.name, code: departments.code },
        role: { id: roles.id, name: roles.name },
      })
      .from(employees)
      .leftJoin(departments, eq(departments.id, employees.departmentId))
      .leftJoin(roles, eq(roles.id, employees.roleId));
  }

  private static flatten(row: {
    employee: EmployeeRow;
    department: EmployeeWithRefs['department'];
    role: EmployeeWithRefs['role'];
  }): EmployeeWithRefs {
    return { ...row.employee, department: row.department, role: row.role };
  }

  async list(query: ListQueryInput): Promise<Page<EmployeeWithRefs>> {
    const plan = planList(query, listSpec);
    const [rows, [count]] = await Promise.all([
      this.selectWithRefs()
        .where(plan.where)
        .orderBy(...plan.orderBy)
        .offset(plan.skip)
        .limit(plan.limit),
      this.db.q.select({ n: countAll }).from(employees).where(plan.where),
    ]);
    return { items: rows.map(EmployeesRepository.flatten), total: count?.n ?? 0, skip: plan.skip, limit: plan.limit };
  }

  async findWithRefs(where: SQL): Promise<EmployeeWithRefs | null> {
    const [row] = await this.selectWithRefs().where(where).limit(1);
    return row ? EmployeesRepository.flatten(row) : null;
  }

  findById(id: string) {
    return this.findWithRefs(eq(employees.id, id));
  }

  findByCode(code: string) {
    return this.findWithRefs(eq(employees.employeeCode, code));
  }

  /** The row locked for the rest of the transaction (updates read-check-write under it). */
  async lockById(id: string): Promise<EmployeeRow | null> {
    const [row] = await this.db.q.select().from(employees).where(eq(employees.id, id)).for('update');
    return row ?? null;
  }

  async findByEmail(email: string): Promise<EmployeeRow | null> {
    const [row] = await this.db.q
      .select()
      .from(employees)
      .where(sql`lower(${employees.email}) = ${email.toLowerCase()}`)
      .limit(1);
    return row ?? null;
  }

  async codeExists(code: string): Promise<boolean> {
    const [row] = await this.db.q
      .select({ id: employees.id })
      .from(employees)
      .where(eq(employees.employeeCode, code))
      .limit(1);
    return row !== undefined;
  }

  async insert(values: EmployeeInsert): Promise<EmployeeRow> {
    const [row] = await this.db.q.insert(employees).values(values).returning();
    if (!row) throw new Error('insert returned nothing');
    return row;
  }

  async update(id: string, values: Partial<EmployeeInsert>): Promise<EmployeeRow> {
    const [row] = await this.db.q
      .update(employees)
      .set({ ...values, updatedAt: new Date(), version: sql`${employees.version} + 1` })
      .where(eq(employees.id, id))
      .returning();
    if (!row) throw new Error('update matched nothing');
    return row;
  }

  /** Whether `managerId`'s chain of managers reaches `employeeId` (which would close a cycle). */
  async managerChainContains(managerId: string, employeeId: string): Promise<boolean> {
    const result = await this.db.q.execute(sql`
      with recursive chain(id, reports_to, depth) as (
        select id, reports_to, 0 from employees where id = ${managerId}
        union all
        select e.id, e.reports_to, c.depth + 1 from employees e join chain c on e.id = c.reports_to
        where c.depth < 1000
      )
      select 1 as hit from chain where id = ${employeeId} limit 1`);
    return (result as unknown as { rows: unknown[] }).rows.length > 0;
  }

  /** Serializes changes to reporting lines so two concurrent updates cannot close a cycle together. */
  async lockReportingLines(): Promise<void> {
    await this.db.q.execute(sql`select pg_advisory_xact_lock(727002)`);
  }

  /** What authorization needs about an employee, in one indexed query. */
  async findAccess(id: string): Promise<EmployeeAccess | null> {
    const [row] = await this.db.q
      .select({
        id: employees.id,
        email: employees.email,
        employeeCode: employees.employeeCode,
        status: employees.status,
        roleId: employees.roleId,
        roleName: roles.name,
        permissions: roles.permissions,
      })
      .from(employees)
      .leftJoin(roles, eq(roles.id, employees.roleId))
      .where(eq(employees.id, id));
    return row ?? null;
  }

  async setLastLogin(id: string, at: Date): Promise<void> {
    await this.db.q.update(employees).set({ lastLogin: at }).where(eq(employees.id, id));
  }

  async setPasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.db.q
      .update(employees)
      .set({ passwordHash, updatedAt: new Date(), version: sql`${employees.version} + 1` })
      .where(eq(employees.id, id));
  }

  async countActive(where?: SQL): Promise<number> {
    const [row] = await this.db.q
      .select({ n: countAll })
      .from(employees)
      .where(and(eq(employees.status, 'active'), where));
    return row?.n ?? 0;
  }
}
