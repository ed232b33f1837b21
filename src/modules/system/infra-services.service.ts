import { v7 as uuidv7 } from 'uuid';
import type { AuditWriter } from '../../core/audit/audit.writer.ts';
import { auditView, diffChanges } from '../../core/audit/changes.ts';
import type { RequestContext } from '../../core/auth/principal.ts';
import type { Database } from '../../core/db/database.ts';
import type { ListQueryInput, Page } from '../../core/db/list.ts';
import { notFound, validationError } from '../../core/http/errors.ts';
import type { PreconditionCheck } from '../../core/http/etag.ts';
import { connectionUrlProblem, maskConnectionUrl } from './connection-url.ts';
import type { ServiceProber } from './probe.ts';
import type { InfraServiceInsert, InfraServiceRow, InfraServicesRepository } from './system.repository.ts';
import type { InfraServiceCreateInput, InfraServiceUpdateInput } from './system.schemas.ts';

/** The row as the audit log may see it: the connection URL masked like in responses. */
const auditSafe = (row: InfraServiceRow) => ({ ...row, connectionUrl: maskConnectionUrl(row.connectionUrl) });

function checkedUrl(value: string): string {
  const problem = connectionUrlProblem(value);
  if (problem) throw validationError('connection_url', problem, 'invalid_connection_url');
  return value;
}

/** Infrastructure services (SPEC 3.5): CRUD with masked credentials, and probes. */
export class InfraServicesService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly repo: InfraServicesRepository,
    readonly prober: ServiceProber,
  ) {}

  list(query: ListQueryInput): Promise<Page<InfraServiceRow>> {
    return this.repo.list(query);
  }

  async get(id: string): Promise<InfraServiceRow> {
    const row = await this.repo.findById(id);
    if (!row) throw notFound('Service');
    return row;
  }

  async create(ctx: RequestContext, input: InfraServiceCreateInput): Promise<InfraServiceRow> {
    const connectionUrl = checkedUrl(input.connection_url);
    return this.db.transaction(async () => {
      const row = await this.repo.insert({
        id: uuidv7(),
        name: input.name,
        type: input.type,
        connectionUrl,
        status: input.status ?? 'active',
        managedBy: input.managed_by ?? null,
      });
      await this.audit.recordChange(ctx, 'infra_service', row.name, null, auditSafe(row));
      return row;
    });
  }

  /** Partial update; values equal to the stored ones change nothing (no version bump, no audit row). */
  async update(
    ctx: RequestContext,
    id: string,
    input: InfraServiceUpdateInput,
    precondition: PreconditionCheck,
  ): Promise<InfraServiceRow> {
    return this.db.transaction(async () => {
      const before = await this.repo.lockById(id);
      if (!before) throw notFound('Service');
      precondition?.(before);
      const values: Partial<InfraServiceInsert> = {};
      if (input.name !== undefined) values.name = input.name;
      if (input.type !== undefined) values.type = input.type;
      if (input.status !== undefined) values.status = input.status;
      if (input.managed_by !== undefined) values.managedBy = input.managed_by;
      // A client echoing the masked URL it was given means "unchanged", not "drop the credentials".
      const url = input.connection_url;
      if (url !== undefined && url !== before.connectionUrl && url !== maskConnectionUrl(before.connectionUrl)) {
        values.connectionUrl = checkedUrl(url);
        // Whatever the probes said was about the old URL.
        values.lastError = null;
        values.lastSync = null;
        if (before.status === 'error' && values.status === undefined) values.status = 'active';
      }
      if (Object.keys(diffChanges(auditView(before), auditView({ ...before, ...values }))).length === 0) return before;
      const after = await this.repo.update(id, values);
      await this.audit.recordChange(ctx, 'infra_service', after.name, auditSafe(before), auditSafe(after));
      return after;
    });
  }

  async delete(ctx: RequestContext, id: string, precondition: PreconditionCheck): Promise<void> {
    await this.db.transaction(async () => {
      const before = await this.repo.lockById(id);
      if (!before) throw notFound('Service');
      precondition?.(before);
      await this.repo.delete(id);
      await this.audit.recordChange(ctx, 'infra_service', before.name, auditSafe(before), null);
    });
  }

  /** Probes one service now (inactive ones too; they stay inactive) and returns it updated. */
  async check(id: string): Promise<InfraServiceRow> {
    const service = await this.get(id);
    const updated = await this.probeAndRecord(service);
    return updated ?? this.get(id);
  }

  /** The periodic job: probes every active or failing service, a few at a time. */
  async probeAll(): Promise<string> {
    const services = await this.repo.probeable();
    const results = await this.prober.inParallel(services, (service) => this.probeAndRecord(service));
    const failing = results.filter((row) => row?.status === 'error').length;
    return `${services.length} services probed, ${services.length - failing} up, ${failing} failing`;
  }

  private async probeAndRecord(service: InfraServiceRow): Promise<InfraServiceRow | null> {
    const result = await this.prober.probe(service.connectionUrl);
    return this.repo.recordProbe(service.id, service.connectionUrl, {
      status: result.ok ? 'active' : 'error',
      lastError: result.ok ? null : result.error.slice(0, 1000),
      at: new Date(),
    });
  }

  /** Services by status for the status page. */
  async counts(): Promise<{ total: number; active: number; inactive: number; error: number }> {
    const counts = { total: 0, active: 0, inactive: 0, error: 0 };
    for (const { status, n } of await this.repo.countByStatus()) {
      counts.total += n;
      if (status === 'active' || status === 'inactive' || status === 'error') counts[status] += n;
    }
    return counts;
  }
}
