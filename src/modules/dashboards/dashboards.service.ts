import type { Static } from '@sinclair/typebox';
import { v7 as uuidv7 } from 'uuid';
import type { AuditWriter } from '../../core/audit/audit.writer.ts';
import type { RequestContext } from '../../core/auth/principal.ts';
import type { Database } from '../../core/db/database.ts';
import type { ListQueryInput, Page } from '../../core/db/list.ts';
import { forbidden, notFound, validationError } from '../../core/http/errors.ts';
import type { PreconditionCheck } from '../../core/http/etag.ts';
import type { DashboardInsert, DashboardRow, DashboardsRepository } from './dashboards.repository.ts';
import { type DashboardCreate, type DashboardUpdate, MAX_CONFIG_BYTES } from './dashboards.schemas.ts';
import type { DashboardConfig } from './dashboards.table.ts';

export type DashboardCreateInput = Static<typeof DashboardCreate>;
export type DashboardUpdateInput = Static<typeof DashboardUpdate>;

function ownerOf(ctx: RequestContext): string {
  if (!ctx.principal) throw forbidden();
  return ctx.principal.id;
}

/** The schema checks the shape; this caps the size (settings are free-form objects). */
function checkConfig(config: DashboardConfig | undefined): void {
  if (config && Buffer.byteLength(JSON.stringify(config)) > MAX_CONFIG_BYTES) {
    throw validationError('config', `is larger than ${MAX_CONFIG_BYTES / 1024} KiB`, 'config_too_large');
  }
}

/**
 * Per-user dashboards (SPEC 3.4). Every dashboard belongs to the caller: others' dashboards do
 * not exist for them (404). An owner with dashboards has exactly one default: the first one
 * becomes it, making another the default clears the old one in the same transaction, deleting
 * the default promotes the most recently used remaining one. The partial unique index
 * `dashboards_one_default_per_owner` guarantees "at most one"; an advisory lock per owner
 * serializes the owner's writes so parallel requests queue instead of failing on it.
 */
export class DashboardsService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly dashboards: DashboardsRepository,
  ) {}

  listOwned(query: ListQueryInput, ctx: RequestContext): Promise<Page<DashboardRow>> {
    return this.dashboards.list(query, ownerOf(ctx));
  }

  /** Reading one dashboard records `last_accessed`. */
  async get(id: string, ctx: RequestContext): Promise<DashboardRow> {
    const row = await this.dashboards.touch(id, ownerOf(ctx));
    if (!row) throw notFound('Dashboard');
    return row;
  }

  async create(ctx: RequestContext, input: DashboardCreateInput): Promise<DashboardRow> {
    const ownerId = ownerOf(ctx);
    checkConfig(input.config);
    return this.db.transaction(async () => {
      await this.dashboards.lockOwner(ownerId);
      const current = await this.dashboards.findDefault(ownerId);
      const isDefault = input.is_default === true || current === null;
      if (isDefault && current) await this.setDefault(ctx, current, false);
      const row = await this.dashboards.insert({
        id: uuidv7(),
        ownerId,
        name: input.name,
        config: input.config ?? { widgets: [] },
        theme: input.theme ?? null,
        isDefault,
      });
      await this.audit.recordChange(ctx, 'dashboard', row.name, null, row);
      return row;
    });
  }

  async update(
    ctx: RequestContext,
    id: string,
    input: DashboardUpdateInput,
    precondition: PreconditionCheck,
  ): Promise<DashboardRow> {
    const ownerId = ownerOf(ctx);
    checkConfig(input.config);
    return this.db.transaction(async () => {
      await this.dashboards.lockOwner(ownerId);
      const before = await this.dashboards.lockById(id, ownerId);
      if (!before) throw notFound('Dashboard');
      precondition?.(before);
      const values: Partial<DashboardInsert> = {};
      if (input.name !== undefined) values.name = input.name;
      if (input.config !== undefined) values.config = input.config;
      if (input.theme !== undefined) values.theme = input.theme;
      if (input.is_default === false && before.isDefault) {
        throw validationError(
          'is_default',
          'the default dashboard stays default until another one is made the default',
          'default_required',
        );
      }
      if (input.is_default === true && !before.isDefault) {
        const current = await this.dashboards.findDefault(ownerId);
        if (current) await this.setDefault(ctx, current, false);
        values.isDefault = true;
      }
      if (Object.keys(values).length === 0) return before;
      const after = await this.dashboards.update(id, values);
      await this.audit.recordChange(ctx, 'dashboard', after.name, before, after);
      return after;
    });
  }

  /** Deleting the default makes the most recently used remaining dashboard the default. */
  async delete(ctx: RequestContext, id: string, precondition: PreconditionCheck): Promise<void> {
    const ownerId = ownerOf(ctx);
    await this.db.transaction(async () => {
      await this.dashboards.lockOwner(ownerId);
      const before = await this.dashboards.lockById(id, ownerId);
      if (!before) throw notFound('Dashboard');
      precondition?.(before);
      await this.dashboards.delete(id);
      await this.audit.recordChange(ctx, 'dashboard', before.name, before, null);
      if (!before.isDefault) return;
      const next = await this.dashboards.mostRecentlyUsed(ownerId, id);
      if (next) await this.setDefault(ctx, next, true);
    });
  }

  /** Switches another dashboard's default flag, with its own audit row. */
  private async setDefault(ctx: RequestContext, before: DashboardRow, isDefault: boolean): Promise<void> {
    const after = await this.dashboards.update(before.id, { isDefault });
    await this.audit.recordChange(ctx, 'dashboard', after.name, before, after);
  }
}
