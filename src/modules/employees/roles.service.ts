import type { Static } from '@sinclair/typebox';
import { v7 as uuidv7 } from 'uuid';
import type { AuditWriter } from '../../core/audit/audit.writer.ts';
import { coversAll, isValidPermission } from '../../core/auth/permissions.ts';
import type { RequestContext } from '../../core/auth/principal.ts';
import type { Database } from '../../core/db/database.ts';
import type { ListQueryInput, Page } from '../../core/db/list.ts';
import { AppError, conflict, forbidden, notFound, validationError } from '../../core/http/errors.ts';
import type { PreconditionCheck } from '../../core/http/etag.ts';
import type { RoleCreate, RoleUpdate } from './employees.schemas.ts';
import type { RoleInsert, RoleRow, RolesRepository, RoleWithCount } from './roles.repository.ts';

/** SPEC 2.4: created at first start; cannot be deleted or renamed. */
export const SYSTEM_ROLES: ReadonlyArray<Pick<RoleInsert, 'name' | 'zitadelRoleKey' | 'permissions' | 'priority'>> = [
  { name: 'Admin', zitadelRoleKey: 'admin', permissions: ['*'], priority: 100 },
  { name: 'CEO', zitadelRoleKey: 'ceo', permissions: ['*'], priority: 90 },
  {
    name: 'Manager',
    zitadelRoleKey: 'manager',
    permissions: ['employees.read', 'documents.*', 'reminders.*', 'dashboards.*', 'backoffice.*', 'admin.audit.read'],
    priority: 50,
  },
  {
    name: 'Employee',
    zitadelRoleKey: 'employee',
    permissions: [
      'employees.read',
      'documents.read',
      'documents.write',
      'reminders.*',
      'dashboards.*',
      'backoffice.projects.read',
      'backoffice.crm.read',
      'backoffice.time_tracking.write',
      'backoffice.chat.read',
      'backoffice.chat.write',
    ],
    priority: 10,
  },
];

function checkPermissions(ctx: RequestContext, permissions: string[] | undefined): string[] | undefined {
  if (permissions === undefined) return undefined;
  const errors = permissions
    .map((key, index) => ({ key, index }))
    .filter(({ key }) => !isValidPermission(key))
    .map(({ key, index }) => ({
      field: `permissions.${index}`,
      message: `"${key}" is neither "*", a catalog key, nor a pattern covering one (see GET /api/permissions)`,
    }));
  if (errors.length > 0) {
    throw new AppError(422, 'unknown_permission', errors.map((e) => e.message).join('; '), errors);
  }
  if (ctx.principal && !coversAll(ctx.principal.permissions, permissions)) {
    throw forbidden('A role cannot hold permissions you do not have', 'role_exceeds_own_permissions');
  }
  return [...new Set(permissions)].sort();
}

function toColumns(input: Static<typeof RoleUpdate>, permissions: string[] | undefined): Partial<RoleInsert> {
  const values: Partial<RoleInsert> = {};
  if (input.name !== undefined) values.name = input.name;
  if (input.description !== undefined) values.description = input.description;
  if (permissions !== undefined) values.permissions = permissions;
  if (input.zitadel_role_key !== undefined) values.zitadelRoleKey = input.zitadel_role_key;
  if (input.priority !== undefined) values.priority = input.priority;
  return values;
}

export class RolesService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly roles: RolesRepository,
    private readonly onRoleChanged: () => void,
  ) {}

  ensureSystemRoles(): Promise<void> {
    return this.roles.insertMissing(SYSTEM_ROLES.map((r) => ({ ...r, id: uuidv7(), isSystem: true })));
  }

  list(query: ListQueryInput): Promise<Page<RoleWithCount>> {
    return this.roles.list(query);
  }

  async get(id: string): Promise<RoleWithCount> {
    const role = await this.roles.findById(id);
    if (!role) throw notFound('Role');
    return role;
  }

  findByZitadelKeys(keys: string[]): Promise<RoleRow[]> {
    return this.roles.findByZitadelKeys(keys);
  }

  findByName(name: string): Promise<RoleRow | null> {
    return this.roles.findByName(name);
  }

  async create(ctx: RequestContext, input: Static<typeof RoleCreate>): Promise<RoleWithCount> {
    const permissions = checkPermissions(ctx, input.permissions ?? []) ?? [];
    const id = await this.db.transaction(async () => {
      const row = await this.roles.insert({ ...toColumns(input, permissions), id: uuidv7(), name: input.name });
      await this.audit.recordChange(ctx, 'role', row.name, null, row);
      return row.id;
    });
    return this.get(id);
  }

  async update(
    ctx: RequestContext,
    id: string,
    input: Static<typeof RoleUpdate>,
    precondition: PreconditionCheck,
  ): Promise<RoleWithCount> {
    const permissions = checkPermissions(ctx, input.permissions);
    await this.db.transaction(async () => {
      const before = await this.roles.lockById(id);
      if (!before) throw notFound('Role');
      precondition?.(before);
      if (ctx.principal && !coversAll(ctx.principal.permissions, before.permissions)) {
        throw forbidden('This role holds permissions you do not have', 'role_exceeds_own_permissions');
      }
      if (before.isSystem && input.name !== undefined && input.name !== before.name) {
        throw validationError('name', 'the name of a system role cannot change', 'system_role');
      }
      const values = toColumns(input, permissions);
      if (Object.keys(values).length === 0) return;
      const after = await this.roles.update(id, values);
      await this.audit.recordChange(ctx, 'role', after.name, before, after);
    });
    this.onRoleChanged();
    return this.get(id);
  }

  /** 409 for system roles and while employees hold the role. */
  async delete(ctx: RequestContext, id: string, precondition: PreconditionCheck): Promise<void> {
    await this.db.transaction(async () => {
      const before = await this.roles.lockById(id);
      if (!before) throw notFound('Role');
      precondition?.(before);
      if (before.isSystem) throw conflict('System roles cannot be deleted', 'system_role');
      const holders = await this.roles.holderCount(id);
      if (holders > 0) {
        throw conflict(`${holders} employee(s) still hold this role`, 'role_in_use', { employee_count: holders });
      }
      await this.roles.delete(id);
      await this.audit.recordChange(ctx, 'role', before.name, before, null);
    });
    this.onRoleChanged();
  }
}
