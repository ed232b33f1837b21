import { and, eq, gte, lt, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../../../core/db/database.ts';
import { customers } from '../crm/crm.table.ts';
import { projects } from '../projects/projects.table.ts';
import { type SummaryGroup, summaryKey } from './time-tracking.repository.ts';
import { timeEntryRollups as r } from './time-tracking.table.ts';

/** The filters a rollup can answer: equality on its key columns and whole company-local days. */
export interface RollupFilter {
  project_id?: string;
  customer_id?: string;
  billable?: boolean;
  is_approved?: boolean;
  is_invoiced?: boolean;
  /** Inclusive first day (YYYY-MM-DD). */
  fromDay?: string;
  /** Exclusive last day (YYYY-MM-DD), as `start_time_to` with a date. */
  toDay?: string;
}

const figures = {
  minutes: sql<number>`coalesce(sum(${r.minutes}), 0)`.mapWith(Number),
  billable_minutes: sql<number>`coalesce(sum(${r.minutes}) filter (where ${r.billable}), 0)`.mapWith(Number),
  billable_amount: sql<string>`coalesce(sum(${r.amount}) filter (where ${r.billable}), 0)::numeric(14,2)::text`,
};

function rollupWhere(f: RollupFilter): SQL | undefined {
  return and(
    f.project_id !== undefined ? eq(r.projectId, f.project_id) : undefined,
    f.customer_id !== undefined ? eq(r.customerId, f.customer_id) : undefined,
    f.billable !== undefined ? eq(r.billable, f.billable) : undefined,
    f.is_approved !== undefined ? eq(r.isApproved, f.is_approved) : undefined,
    f.is_invoiced !== undefined ? eq(r.isInvoiced, f.is_invoiced) : undefined,
    f.fromDay !== undefined ? gte(r.localDay, f.fromDay) : undefined,
    f.toDay !== undefined ? lt(r.localDay, f.toDay) : undefined,
  );
}

/** Summaries and project figures read from time_entry_rollups (kept by a trigger, see the table). */
export class RollupsRepository {
  constructor(private readonly db: Database) {}

  async summary(groupBy: Exclude<SummaryGroup, 'employee'>, filter: RollupFilter) {
    const keyed = summaryKey(groupBy, { local: sql`${r.localDay}`, projectId: r.projectId, customerId: r.customerId });
    return this.db.q
      .select({ key: sql<string | null>`${keyed.key}`, label: sql<string>`${keyed.label}`, ...figures })
      .from(r)
      .leftJoin(projects, eq(projects.id, r.projectId))
      .leftJoin(customers, eq(customers.id, r.customerId))
      .where(rollupWhere(filter))
      .groupBy(sql`1`)
      .having(sql`sum(${r.entries}) > 0`)
      .orderBy(sql`1`);
  }

  async totals(filter: RollupFilter) {
    const [row] = await this.db.q.select(figures).from(r).where(rollupWhere(filter));
    return row ?? { minutes: 0, billable_minutes: 0, billable_amount: '0.00' };
  }

  /** Project statistics' time figures (hours rounded to 2 places, amounts per entry rounded). */
  async projectFigures(projectId: string) {
    const [row] = await this.db.q
      .select({
        totalHours: sql<string>`round(coalesce(sum(${r.minutes}), 0) / 60.0, 2)::text`,
        billableHours: sql<string>`round(coalesce(sum(${r.minutes}) filter (where ${r.billable}), 0) / 60.0, 2)::text`,
        billableValue: sql<string>`coalesce(sum(${r.amount}) filter (where ${r.billable}), 0)::numeric(14,2)::text`,
        unbilled: sql<string>`coalesce(sum(${r.amount}) filter (where ${r.billable} and not ${r.isInvoiced}), 0)::numeric(14,2)::text`,
      })
      .from(r)
      .where(eq(r.projectId, projectId));
    return row ?? { totalHours: '0.00', billableHours: '0.00', billableValue: '0.00', unbilled: '0.00' };
  }
}
