import { type AnyColumn, and, asc, desc, eq, gt, inArray, isNull, or, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../../../core/db/database.ts';
import { type ListQueryInput, type Page, planList, selectPage } from '../../../core/db/list.ts';
import { employees } from '../../employees/employees.table.ts';
import { customers } from '../crm/crm.table.ts';
import { projects } from '../projects/projects.table.ts';
import { timeEntries } from './time-tracking.table.ts';

export type TimeEntryRow = typeof timeEntries.$inferSelect;
export type TimeEntryInsert = typeof timeEntries.$inferInsert;
export type SummaryGroup = 'project' | 'employee' | 'customer' | 'day' | 'week' | 'month';

const listSpec = {
  sortable: {
    start_time: timeEntries.startTime,
    end_time: timeEntries.endTime,
    duration_minutes: timeEntries.durationMinutes,
    created_at: timeEntries.createdAt,
    updated_at: timeEntries.updatedAt,
  },
  searchable: [timeEntries.note],
  equals: {
    employee_id: timeEntries.employeeId,
    project_id: timeEntries.projectId,
    customer_id: timeEntries.customerId,
    billable: timeEntries.billable,
    is_approved: timeEntries.isApproved,
    is_invoiced: timeEntries.isInvoiced,
  },
  ranges: { start_time: { column: timeEntries.startTime, kind: 'timestamp' as const } },
  defaultOrder: [desc(timeEntries.createdAt), desc(timeEntries.id)],
  tieBreaker: timeEntries.id,
};

/** The money value of one entry: minutes × rate / 60, rounded to cents per entry (numeric, in SQL). */
const entryAmount = sql`round(${timeEntries.durationMinutes} * coalesce(${timeEntries.hourlyRate}, 0) / 60.0, 2)`;
const finished = sql`${timeEntries.endTime} is not null`;

const entryFigures = {
  minutes: sql<number>`coalesce(sum(${timeEntries.durationMinutes}), 0)`.mapWith(Number),
  billable_minutes:
    sql<number>`coalesce(sum(${timeEntries.durationMinutes}) filter (where ${timeEntries.billable}), 0)`.mapWith(
      Number,
    ),
  billable_amount: sql<string>`coalesce(sum(${entryAmount}) filter (where ${timeEntries.billable}), 0)::numeric(14,2)::text`,
};

/**
 * The group key and its label for a summary: ids with a readable label for project, employee and
 * customer; day YYYY-MM-DD, ISO week (its Monday) and month YYYY-MM from `local`, a company-local
 * timestamp or date. Shared by the entry and the rollup summaries, so both group alike.
 */
export function summaryKey(
  groupBy: SummaryGroup,
  columns: { local: SQL; projectId: AnyColumn; customerId: AnyColumn; employeeId?: AnyColumn },
): { key: SQL; label: SQL } {
  const { local } = columns;
  switch (groupBy) {
    case 'project':
      return {
        key: sql`${columns.projectId}::text`,
        label: sql`coalesce(min(${projects.projectNumber} || ' ' || ${projects.title}), 'Ohne Projekt')`,
      };
    case 'employee':
      if (!columns.employeeId) throw new Error('no employee column to group by');
      return {
        key: sql`${columns.employeeId}::text`,
        label: sql`min(${employees.firstName} || ' ' || ${employees.lastName})`,
      };
    case 'customer':
      return {
        key: sql`${columns.customerId}::text`,
        label: sql`coalesce(min(${customers.customerNumber} || ' ' || ${customers.name}), 'Ohne Kunde')`,
      };
    case 'day':
      return { key: sql`to_char(${local}, 'YYYY-MM-DD')`, label: sql`min(to_char(${local}, 'YYYY-MM-DD'))` };
    case 'week':
      return {
        key: sql`to_char(date_trunc('week', ${local}), 'YYYY-MM-DD')`,
        label: sql`min(to_char(date_trunc('week', ${local}), 'IYYY-"W"IW'))`,
      };
    case 'month':
      return { key: sql`to_char(${local}, 'YYYY-MM')`, label: sql`min(to_char(${local}, 'YYYY-MM'))` };
  }
}

/** A text field of a `;`-separated CSV line: quoted when it holds `;`, a quote or a line break; NULL → empty. */
function csvText(value: SQL): SQL {
  return sql`(case when ${value} ~ '[;"\r\n]' then '"' || replace(${value}, '"', '""') || '"' else ${value} end)`;
}

/** Conditions the service adds to a query: record-level visibility and nested paths. */
export interface EntryScope {
  employeeId?: string;
  projectId?: string;
}

function scopeConditions(scopes: EntryScope[]): SQL[] {
  const conditions: SQL[] = [];
  for (const scope of scopes) {
    if (scope.employeeId) conditions.push(eq(timeEntries.employeeId, scope.employeeId));
    if (scope.projectId) conditions.push(eq(timeEntries.projectId, scope.projectId));
  }
  return conditions;
}

/** WHERE of a filtered query (the list's filters without paging), for summary and export. */
export function filterWhere(query: Omit<ListQueryInput, 'skip' | 'limit'>, timeZone: string, scopes: EntryScope[]) {
  return planList({ ...query, skip: 0, limit: 1, sort: undefined }, listSpec, scopeConditions(scopes), { timeZone })
    .where;
}

export class TimeEntriesRepository {
  constructor(private readonly db: Database) {}

  async list(query: ListQueryInput, timeZone: string, scopes: EntryScope[]): Promise<Page<TimeEntryRow>> {
    const plan = planList(query, listSpec, scopeConditions(scopes), { timeZone });
    return selectPage(this.db, timeEntries, plan);
  }

  async findById(id: string): Promise<TimeEntryRow | null> {
    const [row] = await this.db.q.select().from(timeEntries).where(eq(timeEntries.id, id)).limit(1);
    return row ?? null;
  }

  async lockById(id: string): Promise<TimeEntryRow | null> {
    const [row] = await this.db.q.select().from(timeEntries).where(eq(timeEntries.id, id)).for('update');
    return row ?? null;
  }

  async lockByIds(ids: string[]): Promise<TimeEntryRow[]> {
    return this.db.q
      .select()
      .from(timeEntries)
      .where(inArray(timeEntries.id, ids))
      .orderBy(asc(timeEntries.id))
      .for('update');
  }

  async running(employeeId: string): Promise<TimeEntryRow | null> {
    const [row] = await this.db.q
      .select()
      .from(timeEntries)
      .where(and(eq(timeEntries.employeeId, employeeId), isNull(timeEntries.endTime)))
      .limit(1);
    return row ?? null;
  }

  /**
   * An entry of the employee whose interval meets [start, end) (end null: running, open-ended),
   * other than `exceptId` — the same test as the EXCLUDE constraint, through its GiST index.
   */
  async findOverlap(employeeId: string, start: Date, end: Date | null, exceptId?: string) {
    const [row] = await this.db.q
      .select({ id: timeEntries.id, startTime: timeEntries.startTime, endTime: timeEntries.endTime })
      .from(timeEntries)
      .where(
        and(
          eq(timeEntries.employeeId, employeeId),
          sql`tstzrange(${timeEntries.startTime}, coalesce(${timeEntries.endTime}, 'infinity'::timestamptz), '[)')
            && tstzrange(${start}::timestamptz, coalesce(${end}::timestamptz, 'infinity'::timestamptz), '[)')`,
          exceptId ? sql`${timeEntries.id} <> ${exceptId}` : undefined,
        ),
      )
      .limit(1);
    return row ?? null;
  }

  async insert(values: TimeEntryInsert): Promise<TimeEntryRow> {
    const [row] = await this.db.q.insert(timeEntries).values(values).returning();
    if (!row) throw new Error('insert returned nothing');
    return row;
  }

  async update(id: string, values: Partial<TimeEntryInsert>): Promise<TimeEntryRow> {
    const [row] = await this.db.q
      .update(timeEntries)
      .set({ ...values, updatedAt: new Date(), version: sql`${timeEntries.version} + 1` })
      .where(eq(timeEntries.id, id))
      .returning();
    if (!row) throw new Error('update matched nothing');
    return row;
  }

  async delete(id: string): Promise<void> {
    await this.db.q.delete(timeEntries).where(eq(timeEntries.id, id));
  }

  /** Minutes of the employee's finished entries starting in [dayStart, dayEnd) and [weekStart, weekEnd). */
  async finishedMinutes(employeeId: string, day: [Date, Date], week: [Date, Date]) {
    const inRange = ([from, to]: [Date, Date]) =>
      sql`${timeEntries.startTime} >= ${from} and ${timeEntries.startTime} < ${to}`;
    const [row] = await this.db.q
      .select({
        today: sql<number>`coalesce(sum(${timeEntries.durationMinutes}) filter (where ${inRange(day)}), 0)`.mapWith(
          Number,
        ),
        week: sql<number>`coalesce(sum(${timeEntries.durationMinutes}), 0)`.mapWith(Number),
      })
      .from(timeEntries)
      .where(and(eq(timeEntries.employeeId, employeeId), finished, inRange(week)));
    return { today: row?.today ?? 0, week: row?.week ?? 0 };
  }

  /**
   * Minutes and amounts grouped by `groupBy`; days, weeks (ISO, Monday first) and months are taken
   * in `timeZone`. Labels of projects, employees and customers are joined here (read only) so one
   * query answers the summary.
   */
  async summary(groupBy: SummaryGroup, where: SQL | undefined, timeZone: string) {
    const keyed = summaryKey(groupBy, {
      local: sql`(${timeEntries.startTime} at time zone ${timeZone})`,
      projectId: timeEntries.projectId,
      customerId: timeEntries.customerId,
      employeeId: timeEntries.employeeId,
    });
    // Group and order by position: the time zone is a bound parameter, so a repeated expression
    // would not match the selected one. The label joins are on primary keys (cheap, read only).
    return this.db.q
      .select({ key: sql<string | null>`${keyed.key}`, label: sql<string>`${keyed.label}`, ...entryFigures })
      .from(timeEntries)
      .leftJoin(projects, eq(projects.id, timeEntries.projectId))
      .leftJoin(employees, eq(employees.id, timeEntries.employeeId))
      .leftJoin(customers, eq(customers.id, timeEntries.customerId))
      .where(and(finished, where))
      .groupBy(sql`1`)
      .orderBy(sql`1`);
  }

  /** Totals over the same filter. */
  async totals(where: SQL | undefined) {
    const [row] = await this.db.q.select(entryFigures).from(timeEntries).where(and(finished, where));
    return row ?? { minutes: 0, billable_minutes: 0, billable_amount: '0.00' };
  }

  /**
   * One batch of the export in (start_time, id) order after the keyset `after`, each row already
   * one CSV line (`;`, CRLF, quoted where needed, `decimal` notation) written by PostgreSQL: local
   * times and amounts are formatted there (no floats), and the server allocates one string per
   * row instead of a row object and its fields — the export's memory stays flat.
   */
  async exportBatch(
    where: SQL | undefined,
    timeZone: string,
    after: { start: Date; id: string } | null,
    size: number,
    notation: 'point' | 'comma',
  ) {
    const local = (column: AnyColumn, format: string) => sql`to_char(${column} at time zone ${timeZone}, ${format})`;
    const number = (value: SQL) => (notation === 'comma' ? sql`replace(${value}, '.', ',')` : value);
    const yes = (column: AnyColumn) => sql`case when ${column} then 'ja' else 'nein' end`;
    const fields = [
      local(timeEntries.startTime, 'YYYY-MM-DD'),
      local(timeEntries.startTime, 'YYYY-MM-DD HH24:MI'),
      local(timeEntries.endTime, 'YYYY-MM-DD HH24:MI'),
      sql`${timeEntries.durationMinutes}`,
      number(sql`round(${timeEntries.durationMinutes} / 60.0, 2)::text`),
      csvText(sql`${employees.employeeCode}`),
      csvText(sql`${employees.firstName} || ' ' || ${employees.lastName}`),
      csvText(sql`${projects.projectNumber}`),
      csvText(sql`${projects.title}`),
      csvText(sql`${customers.customerNumber}`),
      csvText(sql`${customers.name}`),
      csvText(sql`${timeEntries.taskType}`),
      csvText(sql`${timeEntries.note}`),
      yes(timeEntries.billable),
      number(sql`${timeEntries.hourlyRate}::text`),
      number(sql`(${entryAmount})::numeric(14,2)::text`),
      yes(timeEntries.isApproved),
      yes(timeEntries.isInvoiced),
      sql`${timeEntries.id}`,
    ];
    return this.db.q
      .select({
        id: timeEntries.id,
        startTime: timeEntries.startTime,
        line: sql<string>`concat(${sql.join(fields, sql`, ';', `)}, E'\r\n')`,
      })
      .from(timeEntries)
      .innerJoin(employees, eq(employees.id, timeEntries.employeeId))
      .leftJoin(projects, eq(projects.id, timeEntries.projectId))
      .leftJoin(customers, eq(customers.id, timeEntries.customerId))
      .where(
        and(
          where,
          after
            ? or(
                gt(timeEntries.startTime, after.start),
                and(eq(timeEntries.startTime, after.start), gt(timeEntries.id, after.id)),
              )
            : undefined,
        ),
      )
      .orderBy(asc(timeEntries.startTime), asc(timeEntries.id))
      .limit(size);
  }
}
