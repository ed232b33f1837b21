import type { Static } from '@sinclair/typebox';
import { v7 as uuidv7 } from 'uuid';
import type { AuditWriter } from '../../core/audit/audit.writer.ts';
import type { RequestContext } from '../../core/auth/principal.ts';
import type { Database } from '../../core/db/database.ts';
import type { ListQueryInput, Page } from '../../core/db/list.ts';
import { conflict, notFound } from '../../core/http/errors.ts';
import type { PreconditionCheck } from '../../core/http/etag.ts';
import type { DepartmentInsert, DepartmentsRepository, DepartmentWithRefs } from './departments.repository.ts';
import type { DepartmentCreate, DepartmentUpdate } from './employees.schemas.ts';

function toColumns(input: Static<typeof DepartmentUpdate>): Partial<DepartmentInsert> {
  const values: Partial<DepartmentInsert> = {};
  if (input.name !== undefined) values.name = input.name;
  if (input.code !== undefined) values.code = input.code;
  if (input.description !== undefined) values.description = input.description;
  if (input.manager_id !== undefined) values.managerId = input.manager_id;
  return values;
}

export class DepartmentsService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly departments: DepartmentsRepository,
  ) {}

  list(query: ListQueryInput): Promise<Page<DepartmentWithRefs>> {
    return this.departments.list(query);
  }

  async get(id: string): Promise<DepartmentWithRefs> {
    const department = await this.departments.findById(id);
    if (!department) throw notFound('Department');
    return department;
  }

  async create(ctx: RequestContext, input: Static<typeof DepartmentCreate>): Promise<DepartmentWithRefs> {
    const id = await this.db.transaction(async () => {
      const row = await this.departments.insert({ ...toColumns(input), id: uuidv7(), name: input.name });
      await this.audit.recordChange(ctx, 'department', row.name, null, row);
      return row.id;
    });
    return this.get(id);
  }

  async update(
    ctx: RequestContext,
    id: string,
    input: Static<typeof DepartmentUpdate>,
    precondition: PreconditionCheck,
  ): Promise<DepartmentWithRefs> {
    await this.db.transaction(async () => {
      const before = await this.departments.lockById(id);
      if (!before) throw notFound('Department');
      precondition?.(before);
      const values = toColumns(input);
      if (Object.keys(values).length === 0) return;
      const after = await this.departments.update(id, values);
      await this.audit.recordChange(ctx, 'department', after.name, before, after);
    });
    return this.get(id);
  }

  /** Deleted for real, but only while nobody belongs to it (409 otherwise). */
  async delete(ctx: RequestContext, id: string, precondition: PreconditionCheck): Promise<void> {
    await this.db.transaction(async () => {
      const before = await this.departments.lockById(id);
      if (!before) throw notFound('Department');
      precondition?.(before);
      const members = await this.departments.memberCount(id);
      if (members > 0) {
        throw conflict(`${members} employee(s) still belong to this department`, 'department_not_empty', {
          employee_count: members,
        });
      }
      await this.departments.delete(id);
      await this.audit.recordChange(ctx, 'department', before.name, before, null);
    });
  }
}
