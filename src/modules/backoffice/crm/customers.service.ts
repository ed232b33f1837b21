import type { Static } from '@sinclair/typebox';
import { v7 as uuidv7 } from 'uuid';
import type { AuditWriter } from '../../../core/audit/audit.writer.ts';
import { auditView, diffChanges } from '../../../core/audit/changes.ts';
import type { RequestContext } from '../../../core/auth/principal.ts';
import type { Database } from '../../../core/db/database.ts';
import type { ListQueryInput, Page } from '../../../core/db/list.ts';
import { nextSequenceValue } from '../../../core/db/sequences.ts';
import { notFound } from '../../../core/http/errors.ts';
import type { PreconditionCheck } from '../../../core/http/etag.ts';
import { todayIn, zonedMidnight } from '../../../core/time.ts';
import type { CustomerCreate, CustomerUpdate } from './crm.schemas.ts';
import type { CustomerInsert, CustomerListRow, CustomersRepository, CustomerWithRefs } from './customers.repository.ts';

export const CUSTOMER_NUMBER_SCOPE = 'customer_number';

export type CustomerCreateInput = Static<typeof CustomerCreate>;
export type CustomerUpdateInput = Static<typeof CustomerUpdate>;

/** What the CRM needs from modules built on top of it (late-bound; zeros until they exist). */
export interface CustomerFigures {
  activeProjectsCount(customerId: string): Promise<number>;
}

export interface CustomersServiceDeps {
  db: Database;
  audit: AuditWriter;
  customers: CustomersRepository;
  numberPrefix(): Promise<string>;
  companyTimezone(): Promise<string>;
  figures(): CustomerFigures | null;
}

function toColumns(input: CustomerUpdateInput): Partial<CustomerInsert> {
  const values: Partial<CustomerInsert> = {};
  const map: Array<[keyof CustomerUpdateInput, keyof CustomerInsert]> = [
    ['name', 'name'],
    ['type', 'type'],
    ['email', 'email'],
    ['phone', 'phone'],
    ['website', 'website'],
    ['tax_id', 'taxId'],
    ['vat_id', 'vatId'],
    ['street', 'street'],
    ['zip_code', 'zipCode'],
    ['city', 'city'],
    ['country', 'country'],
    ['leitweg_id', 'leitwegId'],
    ['notes', 'notes'],
    ['status', 'status'],
  ];
  for (const [field, column] of map) {
    if (input[field] !== undefined) (values as Record<string, unknown>)[column] = input[field];
  }
  if (typeof values.email === 'string') values.email = values.email.toLowerCase();
  return values;
}

export class CustomersService {
  constructor(private readonly deps: CustomersServiceDeps) {}

  list(query: ListQueryInput & { include_archived?: boolean }): Promise<Page<CustomerListRow>> {
    return this.deps.customers.listResponses(query);
  }

  /** Archived customers are returned too (SPEC 1, Deletion). */
  async get(id: string): Promise<CustomerWithRefs> {
    const customer = await this.deps.customers.findById(id);
    if (!customer) throw notFound('Customer');
    return customer;
  }

  /** 404 unless the customer exists (archived ones count); for nested lists. */
  async assertExists(id: string): Promise<void> {
    if (!(await this.deps.customers.exists(id))) throw notFound('Customer');
  }

  /** Whether a customer id exists (for other modules validating a body reference). */
  exists(id: string): Promise<boolean> {
    return this.deps.customers.exists(id);
  }

  async create(ctx: RequestContext, input: CustomerCreateInput): Promise<CustomerWithRefs> {
    const prefix = await this.deps.numberPrefix();
    const id = await this.deps.db.transaction(async () => {
      // The sequence row stays locked until commit: parallel creations get consecutive numbers.
      const n = await nextSequenceValue(this.deps.db, CUSTOMER_NUMBER_SCOPE);
      const row = await this.deps.customers.insert({
        type: 'business',
        country: 'DE',
        status: 'active',
        ...toColumns(input),
        id: uuidv7(),
        name: input.name,
        customerNumber: `${prefix}-${String(n).padStart(6, '0')}`,
        createdBy: ctx.principal?.id ?? null,
      });
      await this.deps.audit.recordChange(ctx, 'customer', `${row.customerNumber} ${row.name}`, null, row);
      return row.id;
    });
    return this.get(id);
  }

  async update(
    ctx: RequestContext,
    id: string,
    input: CustomerUpdateInput,
    precondition: PreconditionCheck,
  ): Promise<CustomerWithRefs> {
    await this.deps.db.transaction(async () => {
      const before = await this.deps.customers.lockById(id);
      if (!before) throw notFound('Customer');
      precondition?.(before);
      const values = toColumns(input);
      if (Object.keys(values).length === 0) return;
      const after = await this.deps.customers.update(id, values);
      await this.deps.audit.recordChange(ctx, 'customer', `${after.customerNumber} ${after.name}`, before, after);
    });
    return this.get(id);
  }

  /** DELETE archives (SPEC 1): sets archived_at; archiving an archived customer changes nothing. */
  async delete(ctx: RequestContext, id: string, precondition: PreconditionCheck): Promise<void> {
    await this.deps.db.transaction(async () => {
      const before = await this.deps.customers.lockById(id);
      if (!before) throw notFound('Customer');
      precondition?.(before);
      if (before.archivedAt) return;
      const after = await this.deps.customers.update(id, { archivedAt: new Date() });
      await this.deps.audit.record(ctx, {
        action: 'delete',
        resourceType: 'customer',
        resourceId: id,
        resourceName: `${after.customerNumber} ${after.name}`,
        changes: diffChanges(auditView(before), auditView(after)),
      });
    });
  }

  /** Undoes an archive; restoring an active customer changes nothing. */
  async restore(ctx: RequestContext, id: string, precondition: PreconditionCheck): Promise<CustomerWithRefs> {
    await this.deps.db.transaction(async () => {
      const before = await this.deps.customers.lockById(id);
      if (!before) throw notFound('Customer');
      precondition?.(before);
      if (!before.archivedAt) return;
      const after = await this.deps.customers.update(id, { archivedAt: null });
      await this.deps.audit.record(ctx, {
        action: 'restore',
        resourceType: 'customer',
        resourceId: id,
        resourceName: `${after.customerNumber} ${after.name}`,
        changes: diffChanges(auditView(before), auditView(after)),
      });
    });
    return this.get(id);
  }

  /** Invoice figures read 0 until the invoicing module exists. */
  async statistics(id: string) {
    await this.assertExists(id);
    const figures = this.deps.figures();
    const [activeProjects, lastActivityAt] = await Promise.all([
      figures ? figures.activeProjectsCount(id) : 0,
      this.deps.customers.lastActivityAt(id),
    ]);
    return {
      total_revenue: '0.00',
      outstanding_amount: '0.00',
      invoice_count: 0,
      overdue_count: 0,
      active_projects_count: activeProjects,
      last_activity_at: lastActivityAt,
    };
  }

  /** Counts by status and type, new customers in each of the last 12 months (company time zone). */
  async crmStatistics() {
    const timeZone = await this.deps.companyTimezone();
    const months = lastTwelveMonths(todayIn(timeZone));
    const since = zonedMidnight(`${months[0]}-01`, timeZone);
    const stats = await this.deps.customers.statistics(timeZone, since);
    const perMonth = new Map(stats.perMonth.map((r) => [r.month, r.n]));
    return {
      total_customers: stats.byStatus.reduce((sum, r) => sum + r.n, 0),
      archived_customers: stats.archived,
      by_status: Object.fromEntries(stats.byStatus.map((r) => [r.key, r.n])),
      by_type: Object.fromEntries(stats.byType.map((r) => [r.key, r.n])),
      new_customers_per_month: months.map((month) => ({ month, count: perMonth.get(month) ?? 0 })),
      top_customers_by_revenue: [],
    };
  }
}

/** `YYYY-MM` of the 12 months ending with the month of `today`, oldest first. */
export function lastTwelveMonths(today: string): string[] {
  const [y, m] = today.split('-').map(Number) as [number, number];
  const months: string[] = [];
  for (let i = 11; i >= 0; i--) {
    const index = y * 12 + (m - 1) - i;
    months.push(`${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`);
  }
  return months;
}
