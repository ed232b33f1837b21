import type { Static } from '@sinclair/typebox';
import { v7 as uuidv7 } from 'uuid';
import type { AuditWriter } from '../../core/audit/audit.writer.ts';
import { auditView, diffChanges } from '../../core/audit/changes.ts';
import { coversPrivileged } from '../../core/auth/permissions.ts';
import type { Principal, RequestContext } from '../../core/auth/principal.ts';
import type { Database } from '../../core/db/database.ts';
import type { ListQueryInput, Page } from '../../core/db/list.ts';
import { nextSequenceValue } from '../../core/db/sequences.ts';
import { forbidden, notFound, validationError } from '../../core/http/errors.ts';
import type { PreconditionCheck } from '../../core/http/etag.ts';
import { canonicalTimeZone } from '../../core/time.ts';
import type {
  EmployeeContact,
  EmployeeInsert,
  EmployeeListRow,
  EmployeeRow,
  EmployeesRepository,
  EmployeeWithRefs,
} from './employees.repository.ts';
import type { EmployeeCreate, EmployeeUpdate } from './employees.schemas.ts';
import type { RoleRow, RolesRepository } from './roles.repository.ts';

export type EmployeeCreateInput = Static<typeof EmployeeCreate>;
export type EmployeeUpdateInput = Static<typeof EmployeeUpdate>;

/** Called in the transaction that deactivates an employee or changes their access (revoke sessions). */
export type AccessRevokedListener = (employeeId: string) => Promise<void>;

export const EMPLOYEE_CODE_SCOPE = 'employee_code';
const DEFAULT_ROLE_NAME = 'Employee';

const FIELD_COLUMNS: Record<string, keyof EmployeeInsert> = {
  employee_code: 'employeeCode',
  sso_subject: 'ssoSubject',
  first_name: 'firstName',
  last_name: 'lastName',
  gender: 'gender',
  birth_date: 'birthDate',
  nationality: 'nationality',
  photo_url: 'photoUrl',
  bio: 'bio',
  email: 'email',
  phone: 'phone',
  address_street: 'addressStreet',
  address_zip: 'addressZip',
  address_city: 'addressCity',
  address_country: 'addressCountry',
  department_id: 'departmentId',
  role_id: 'roleId',
  reports_to: 'reportsTo',
  employment_type: 'employmentType',
  hire_date: 'hireDate',
  termination_date: 'terminationDate',
  status: 'status',
  timezone: 'timezone',
  language: 'language',
  theme: 'theme',
  notifications_enabled: 'notificationsEnabled',
  matrix_username: 'matrixUsername',
};

function toColumns(input: Record<string, unknown>): Partial<EmployeeInsert> {
  const values: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(input)) {
    const column = FIELD_COLUMNS[field];
    if (column && value !== undefined) values[column] = value;
  }
  return values as Partial<EmployeeInsert>;
}

/** Nobody hands out, or takes over an account holding, administrative power they do not hold. */
function assertCanGrant(principal: Principal | null, role: Pick<RoleRow, 'name' | 'permissions'> | null): void {
  if (!principal || !role) return;
  if (!coversPrivileged(principal.permissions, role.permissions)) {
    throw forbidden(
      `The role ${role.name} holds administrative permissions you do not have`,
      'role_exceeds_own_permissions',
    );
  }
}

export interface EmployeesServiceDeps {
  db: Database;
  audit: AuditWriter;
  employees: EmployeesRepository;
  roles: RolesRepository;
  codePrefix(): Promise<string>;
}

export class EmployeesService {
  private readonly accessListeners: AccessRevokedListener[] = [];
  private readonly changeListeners: Array<(employeeId: string) => void> = [];

  constructor(private readonly deps: EmployeesServiceDeps) {}

  onAccessRevoked(listener: AccessRevokedListener): void {
    this.accessListeners.push(listener);
  }

  /** Called when an employee's permissions change (new role): cached principals must go. */
  onAccessChanged(listener: (employeeId: string) => void): void {
    this.changeListeners.push(listener);
  }

  list(query: ListQueryInput): Promise<Page<EmployeeListRow>> {
    return this.deps.employees.listResponses(query);
  }

  async get(id: string): Promise<EmployeeWithRefs> {
    const employee = await this.deps.employees.findById(id);
    if (!employee) throw notFound('Employee');
    return employee;
  }

  async getByCode(code: string): Promise<EmployeeWithRefs> {
    const employee = await this.deps.employees.findByCode(code);
    if (!employee) throw notFound('Employee');
    return employee;
  }

  /** The next free code `PREFIX-0001`; codes given by hand are skipped, so the sequence never collides. */
  async nextEmployeeCode(): Promise<string> {
    const prefix = await this.deps.codePrefix();
    for (;;) {
      const n = await nextSequenceValue(this.deps.db, EMPLOYEE_CODE_SCOPE);
      const code = `${prefix}-${String(n).padStart(4, '0')}`;
      if (!(await this.deps.employees.codeExists(code))) return code;
    }
  }

  private async resolveRole(roleId: string | null | undefined, useDefault: boolean): Promise<RoleRow | null> {
    if (roleId === undefined) {
      return useDefault ? this.deps.roles.findByName(DEFAULT_ROLE_NAME) : null;
    }
    if (roleId === null) return null;
    const role = await this.deps.roles.findById(roleId);
    if (!role) throw validationError('role_id', 'the referenced role does not exist', 'unknown_reference');
    return role;
  }

  private static checkRules(merged: { hireDate?: string | null; terminationDate?: string | null }) {
    if (merged.hireDate && merged.terminationDate && merged.terminationDate < merged.hireDate) {
      throw validationError('termination_date', 'must be on or after hire_date');
    }
  }

  /** Stores time zones in their standard spelling; rejects what is not an IANA name. */
  private static normalizeTimeZone(values: Partial<EmployeeInsert>): void {
    if (values.timezone === undefined) return;
    const canonical = canonicalTimeZone(values.timezone);
    if (!canonical) throw validationError('timezone', 'is not an IANA time zone (e.g. Europe/Berlin)');
    values.timezone = canonical;
  }

  async create(
    ctx: RequestContext,
    input: EmployeeCreateInput,
    extra: Partial<EmployeeInsert> = {},
  ): Promise<EmployeeWithRefs> {
    const id = await this.deps.db.transaction(async () => {
      const role = await this.resolveRole(input.role_id, true);
      assertCanGrant(ctx.principal, role);
      const values = { ...toColumns(input), ...extra, roleId: role?.id ?? null };
      EmployeesService.normalizeTimeZone(values);
      EmployeesService.checkRules(values);
      const row = await this.deps.employees.insert({
        ...values,
        id: uuidv7(),
        employeeCode: input.employee_code ?? (await this.nextEmployeeCode()),
        firstName: input.first_name,
        lastName: input.last_name,
        email: input.email.toLowerCase(),
      });
      await this.deps.audit.recordChange(ctx, 'employee', `${row.firstName} ${row.lastName}`, null, row);
      return row.id;
    });
    return this.get(id);
  }

  async update(
    ctx: RequestContext,
    id: string,
    input: EmployeeUpdateInput,
    precondition: PreconditionCheck,
  ): Promise<EmployeeWithRefs> {
    await this.deps.db.transaction(async () => {
      const before = await this.lockForChange(ctx, id, precondition);
      const values = toColumns(input);
      if (values.email) values.email = values.email.toLowerCase();
      if (values.roleId !== undefined && values.roleId !== before.roleId) {
        assertCanGrant(ctx.principal, await this.resolveRole(values.roleId, false));
      }
      if (ctx.principal?.id === id && values.status === 'inactive' && before.status !== 'inactive') {
        throw validationError('status', 'you cannot deactivate your own account', 'cannot_deactivate_self');
      }
      EmployeesService.normalizeTimeZone(values);
      EmployeesService.checkRules({ ...before, ...values });
      if (values.reportsTo && values.reportsTo !== before.reportsTo)
        await this.checkReportingLine(id, values.reportsTo);
      if (Object.keys(values).length === 0) return;
      const after = await this.deps.employees.update(id, values);
      await this.deps.audit.recordChange(ctx, 'employee', `${after.firstName} ${after.lastName}`, before, after);
      if (after.status === 'inactive' && before.status !== 'inactive') await this.revokeAccess(id);
      // A new role takes effect on the next request; the sessions stay.
      else if (after.roleId !== before.roleId) for (const listener of this.changeListeners) listener(id);
    });
    return this.get(id);
  }

  /** DELETE: deactivation, never removal; the employee's sessions end with it. */
  async deactivate(ctx: RequestContext, id: string, precondition: PreconditionCheck): Promise<void> {
    await this.deps.db.transaction(async () => {
      if (ctx.principal?.id === id) {
        throw validationError(null, 'You cannot deactivate your own account', 'cannot_deactivate_self');
      }
      const before = await this.lockForChange(ctx, id, precondition);
      if (before.status === 'inactive') return;
      const after = await this.deps.employees.update(id, { status: 'inactive' });
      await this.deps.audit.record(ctx, {
        action: 'delete',
        resourceType: 'employee',
        resourceId: id,
        resourceName: `${after.firstName} ${after.lastName}`,
        changes: diffChanges(auditView(before), auditView(after)),
      });
      await this.revokeAccess(id);
    });
  }

  /** The DELETE route of the standard resource shape. */
  delete(ctx: RequestContext, id: string, precondition: PreconditionCheck): Promise<void> {
    return this.deactivate(ctx, id, precondition);
  }

  /**
   * Locks the employee for a change by `ctx`: 404 when unknown, 412 on a stale If-Match, 403 when
   * the target holds permissions the caller lacks (no taking over a more powerful account).
   */
  async lockForChange(ctx: RequestContext, id: string, precondition: PreconditionCheck): Promise<EmployeeRow> {
    const row = await this.deps.employees.lockById(id);
    if (!row) throw notFound('Employee');
    precondition?.(row);
    if (row.roleId && ctx.principal?.id !== id) {
      assertCanGrant(ctx.principal, await this.deps.roles.findById(row.roleId));
    }
    return row;
  }

  private async checkReportingLine(id: string, managerId: string): Promise<void> {
    if (managerId === id)
      throw validationError('reports_to', 'an employee cannot report to themself', 'reports_to_cycle');
    await this.deps.employees.lockReportingLines();
    if (await this.deps.employees.managerChainContains(managerId, id)) {
      throw validationError('reports_to', 'this manager already reports to the employee (cycle)', 'reports_to_cycle');
    }
  }

  async revokeAccess(employeeId: string): Promise<void> {
    for (const listener of this.accessListeners) await listener(employeeId);
  }

  /** E-mail, names, language, notification choice and status of these employees (unknown ids are left out). */
  contacts(ids: string[]): Promise<EmployeeContact[]> {
    return this.deps.employees.findContacts([...new Set(ids)]);
  }

  findAccess(id: string) {
    return this.deps.employees.findAccess(id);
  }

  setLastLogin(id: string, at = new Date()): Promise<void> {
    return this.deps.employees.setLastLogin(id, at);
  }

  setPasswordHash(id: string, hash: string): Promise<void> {
    return this.deps.employees.setPasswordHash(id, hash);
  }

  findRowBySsoSubject(subject: string): Promise<EmployeeRow | null> {
    return this.deps.employees.findBySsoSubject(subject);
  }

  /**
   * Single sign-on bookkeeping (identity module, inside its login transaction): links the IdP
   * subject and sets the role the IdP's role claims map to. Not a user edit, so no ETag check.
   */
  async applySsoLogin(id: string, values: { ssoSubject?: string; roleId?: string | null }): Promise<EmployeeRow> {
    return this.deps.employees.update(id, values);
  }

  findRowByEmail(email: string): Promise<EmployeeRow | null> {
    return this.deps.employees.findByEmail(email);
  }
}
