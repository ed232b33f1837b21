import { and, desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Database, Drizzle } from '../../core/db/database.ts';
import { countAll, type ListQueryInput, type Page, planList } from '../../core/db/list.ts';
import { isoColumn } from '../../core/db/sql-shapes.ts';
import { departments, employees, roles } from './employees.table.ts';

export type EmployeeRow = typeof employees.$inferSelect;
export type EmployeeInsert = typeof employees.$inferInsert;
/** What other modules need to address an employee (notifications, owner checks). */
export interface EmployeeContact {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  language: string;
  notificationsEnabled: boolean;
  status: string;
}
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

/** ISO 8601 in UTC with milliseconds, the same text from both drivers (they parse timestamps differently). */
/** The employee response's columns in SQL; dates and timestamps as text so no driver shifts them. */
const LIST_COLUMNS = sql.raw(`
  employees.id, employees.employee_code, employees.sso_subject, employees.first_name, employees.last_name,
  employees.gender, employees.birth_date::text as birth_date, employees.nationality, employees.photo_url,
  employees.bio, employees.email, employees.phone, employees.address_street, employees.address_zip,
  employees.address_city, employees.address_country, employees.department_id, employees.role_id,
  employees.reports_to, employees.employment_type, employees.hire_date::text as hire_date,
  employees.termination_date::text as termination_date, employees.status, employees.timezone,
  employees.language, employees.theme, employees.notifications_enabled, employees.matrix_username,
  ${isoColumn('employees.last_login')}, ${isoColumn('employees.created_at')}, ${isoColumn('employees.updated_at')},
  case when departments.id is null then null
    else json_build_object('id', departments.id, 'name', departments.name, 'code', departments.code) end as department,
  case when roles.id is null then null else json_build_object('id', roles.id, 'name', roles.name) end as role`);

/** One item of GET /api/employees as SQL returns it (personal fields not yet masked). */
export type EmployeeListRow = Record<string, unknown> & { id: string };

function selectAccess(db: Drizzle) {
  return db
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
    .leftJoin(roles, eq(roles.id, employees.roleId));
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
  // Built once: the hot paths (every /me, every read by id, every principal load) skip query
  // building and, on PostgreSQL, parsing. They run on the root handle, so never inside a transaction.
  private readonly byIdPrepared;
  private readonly accessPrepared;

  constructor(private readonly db: Database) {
    this.byIdPrepared = this.selectWithRefs(db.root)
      .where(eq(employees.id, sql.placeholder('id')))
      .limit(1)
      .prepare('employee_by_id');
    this.accessPrepared = selectAccess(db.root)
      .where(eq(employees.id, sql.placeholder('id')))
      .prepare('employee_access');
  }

  private selectWithRefs(db = this.db.q) {
    return db
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

  /**
   * A page of employees already in the API's shape (snake_case, embedded department and role
   * built by PostgreSQL): the list is the hottest read, and skipping the ORM's row mapping more
   * than doubles its throughput. Single reads keep the typed Drizzle path.
   */
  async listResponses(query: ListQueryInput): Promise<Page<EmployeeListRow>> {
    const plan = planList(query, listSpec);
    const where = plan.where ? sql`where ${plan.where}` : sql``;
    const [rows, [count]] = await Promise.all([
      this.db.q.execute(sql`
        select ${LIST_COLUMNS}
        from ${employees}
        left join ${departments} on ${departments.id} = ${employees.departmentId}
        left join ${roles} on ${roles.id} = ${employees.roleId}
        ${where}
        order by ${sql.join(plan.orderBy, sql`, `)}
        offset ${plan.skip} limit ${plan.limit}`),
      this.db.q.select({ n: countAll }).from(employees).where(plan.where),
    ]);
    const items = (rows as unknown as { rows: EmployeeListRow[] }).rows;
    return { items, total: count?.n ?? 0, skip: plan.skip, limit: plan.limit };
  }

  async findWithRefs(where: SQL): Promise<EmployeeWithRefs | null> {
    const [row] = await this.selectWithRefs().where(where).limit(1);
    return row ? EmployeesRepository.flatten(row) : null;
  }

  async findById(id: string): Promise<EmployeeWithRefs | null> {
    if (this.db.inTransaction) return this.findWithRefs(eq(employees.id, id));
    const [row] = await this.byIdPrepared.execute({ id });
    return row ? EmployeesRepository.flatten(row) : null;
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

  async findBySsoSubject(subject: string): Promise<EmployeeRow | null> {
    const [row] = await this.db.q.select().from(employees).where(eq(employees.ssoSubject, subject)).limit(1);
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

  async findContacts(ids: string[]): Promise<EmployeeContact[]> {
    if (ids.length === 0) return [];
    return this.db.q
      .select({
        id: employees.id,
        email: employees.email,
        firstName: employees.firstName,
        lastName: employees.lastName,
        language: employees.language,
        notificationsEnabled: employees.notificationsEnabled,
        status: employees.status,
      })
      .from(employees)
      .where(inArray(employees.id, ids));
  }

  /** What authorization needs about an employee, in one indexed query. */
  async findAccess(id: string): Promise<EmployeeAccess | null> {
    const [row] = await (this.db.inTransaction
      ? selectAccess(this.db.q).where(eq(employees.id, id))
      : this.accessPrepared.execute({ id }));
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
