import type { Static } from '@sinclair/typebox';
import { v7 as uuidv7 } from 'uuid';
import type { AuditWriter } from '../../../core/audit/audit.writer.ts';
import { auditView, diffChanges } from '../../../core/audit/changes.ts';
import { hasPermission } from '../../../core/auth/permissions.ts';
import type { Principal, RequestContext } from '../../../core/auth/principal.ts';
import type { Database } from '../../../core/db/database.ts';
import type { ListQueryInput, Page } from '../../../core/db/list.ts';
import { conflict, forbidden, notFound, validationError } from '../../../core/http/errors.ts';
import type { PreconditionCheck } from '../../../core/http/etag.ts';
import { addDays, todayIn, weekStart, zonedMidnight } from '../../../core/time.ts';
import type { ProjectRow } from '../projects/index.ts';
import type { RollupFilter, RollupsRepository } from './rollups.repository.ts';
import {
  type EntryScope,
  filterWhere,
  type SummaryGroup,
  type TimeEntriesRepository,
  type TimeEntryInsert,
  type TimeEntryRow,
} from './time-tracking.repository.ts';
import type { TimeEntryCreate, TimeEntryUpdate, TimerStart } from './time-tracking.schemas.ts';

export type TimeEntryCreateInput = Static<typeof TimeEntryCreate>;
export type TimeEntryUpdateInput = Static<typeof TimeEntryUpdate>;
export type TimerStartInput = Static<typeof TimerStart>;

const MINUTE_MS = 60_000;
const MAX_MS = 24 * 60 * MINUTE_MS;
const P = 'backoffice.time_tracking';

/** What the caller may do with time entries (SPEC 2.5 record-level rules). */
export function timeAccess(principal: Principal | null) {
  const granted = principal?.permissions ?? [];
  const manage = hasPermission(granted, `${P}.manage`);
  return {
    id: principal?.id ?? null,
    /** Read everyone's entries (.view; .manage implies it). */
    seeAll: manage || hasPermission(granted, `${P}.view`),
    /** Create and change everyone's entries. */
    changeAll: manage,
    approve: hasPermission(granted, `${P}.approve`),
  };
}

/** Whole minutes between two instants, rounded, at least 1. */
export function durationMinutes(start: Date, end: Date): number {
  return Math.max(1, Math.round((end.getTime() - start.getTime()) / MINUTE_MS));
}

export interface TimeTrackingDeps {
  db: Database;
  audit: AuditWriter;
  entries: TimeEntriesRepository;
  rollups: RollupsRepository;
  companyTimezone(): Promise<string>;
  findProject(id: string): Promise<ProjectRow | null>;
}

const label = (e: TimeEntryRow) => `${e.startTime.toISOString()} ${e.durationMinutes ?? 'running'} min`;

export class TimeTrackingService {
  constructor(private readonly deps: TimeTrackingDeps) {}

  /** The caller's own entries unless .view: others' entries are invisible (404), not forbidden. */
  private scope(principal: Principal | null): EntryScope {
    const access = timeAccess(principal);
    return access.seeAll ? {} : { employeeId: access.id ?? '00000000-0000-0000-0000-000000000000' };
  }

  async list(principal: Principal | null, query: ListQueryInput, nested?: { projectId?: string; employeeId?: string }) {
    const timeZone = await this.deps.companyTimezone();
    return this.deps.entries.list(query, timeZone, [this.scope(principal), nested ?? {}]);
  }

  async get(id: string, ctx: RequestContext): Promise<TimeEntryRow> {
    const entry = await this.deps.entries.findById(id);
    if (!entry || !this.canSee(ctx.principal, entry)) throw notFound('Time entry');
    return entry;
  }

  private canSee(principal: Principal | null, entry: TimeEntryRow): boolean {
    const access = timeAccess(principal);
    return access.seeAll || entry.employeeId === access.id;
  }

  /** 404 for invisible entries, 403 for others' entries without .manage, 409 for approved/invoiced locks. */
  private checkChange(principal: Principal | null, entry: TimeEntryRow | null): asserts entry is TimeEntryRow {
    if (!entry || !this.canSee(principal, entry)) throw notFound('Time entry');
    const access = timeAccess(principal);
    if (entry.employeeId !== access.id && !access.changeAll) {
      throw forbidden("Changing others' time entries needs backoffice.time_tracking.manage");
    }
    if (entry.isInvoiced) throw conflict('The time entry is invoiced and can no longer change', 'time_entry_invoiced');
    if (entry.isApproved && !access.approve) {
      throw conflict('The time entry is approved; only approvers may change it', 'time_entry_approved');
    }
  }

  async current(principal: Principal | null): Promise<TimeEntryRow | null> {
    return principal ? this.deps.entries.running(principal.id) : null;
  }

  /** Project defaults: customer from the project, rate from the project, billable with a project. */
  private async withProjectDefaults(
    input: { project_id?: string | null; customer_id?: string | null; billable?: boolean; hourly_rate?: string | null },
    current?: TimeEntryRow,
  ): Promise<Partial<TimeEntryInsert>> {
    const values: Partial<TimeEntryInsert> = {};
    const projectId = input.project_id !== undefined ? input.project_id : (current?.projectId ?? null);
    const projectChanged = input.project_id !== undefined && input.project_id !== (current?.projectId ?? null);
    const project = projectId ? await this.deps.findProject(projectId) : null;
    if (projectId && !project) throw validationError('project_id', 'no such project', 'unknown_reference');
    if (input.project_id !== undefined) values.projectId = input.project_id;
    if (input.customer_id !== undefined) values.customerId = input.customer_id;
    else if (projectChanged || !current) values.customerId = project?.customerId ?? null;
    const customerId = values.customerId !== undefined ? values.customerId : (current?.customerId ?? null);
    if (project?.customerId && customerId && customerId !== project.customerId) {
      throw validationError('customer_id', 'differs from the project’s customer', 'customer_not_of_project');
    }
    if (input.billable !== undefined) values.billable = input.billable;
    else if (!current) values.billable = project !== null;
    if (input.hourly_rate !== undefined) values.hourlyRate = input.hourly_rate;
    else if (projectChanged || !current) values.hourlyRate = project?.hourlyRate ?? null;
    return values;
  }

  /**
   * The interval of a finished entry: end from end_time, else start + duration; duration from
   * the times when both are given. 422 for an end not after the start or longer than 24 h.
   */
  private interval(start: Date, end: Date | null, minutes: number | null | undefined) {
    const finalEnd = end ?? (minutes ? new Date(start.getTime() + minutes * MINUTE_MS) : null);
    if (!finalEnd) throw validationError('end_time', 'give end_time or duration_minutes', 'end_missing');
    if (finalEnd.getTime() <= start.getTime())
      throw validationError('end_time', 'must be after start_time', 'end_before_start');
    if (finalEnd.getTime() - start.getTime() > MAX_MS) {
      throw validationError('end_time', 'an entry lasts at most 24 hours', 'entry_too_long');
    }
    return { startTime: start, endTime: finalEnd, durationMinutes: durationMinutes(start, finalEnd) };
  }

  private employeeFor(ctx: RequestContext, employeeId: string | undefined): string {
    const access = timeAccess(ctx.principal);
    if (!access.id) throw forbidden();
    if (employeeId && employeeId !== access.id && !access.changeAll) {
      throw forbidden("Tracking others' time needs backoffice.time_tracking.manage");
    }
    return employeeId ?? access.id;
  }

  async create(ctx: RequestContext, input: TimeEntryCreateInput): Promise<TimeEntryRow> {
    const employeeId = this.employeeFor(ctx, input.employee_id);
    const times = this.interval(
      new Date(input.start_time),
      input.end_time ? new Date(input.end_time) : null,
      input.duration_minutes,
    );
    const defaults = await this.withProjectDefaults(input);
    // Checked first for a precise answer (and no transaction for a refused entry); the EXCLUDE
    // constraint still decides between concurrent requests.
    await this.assertNoOverlap(employeeId, times.startTime, times.endTime);
    return this.insert(ctx, {
      ...defaults,
      ...times,
      note: input.note ?? null,
      taskType: input.task_type ?? null,
      id: uuidv7(),
      employeeId,
    });
  }

  /** Starts the caller's timer now; a second running timer is refused by the database (409). */
  async start(ctx: RequestContext, input: TimerStartInput): Promise<TimeEntryRow> {
    const employeeId = this.employeeFor(ctx, undefined);
    const defaults = await this.withProjectDefaults(input);
    return this.insert(ctx, {
      ...defaults,
      note: input.note ?? null,
      taskType: input.task_type ?? null,
      id: uuidv7(),
      employeeId,
      startTime: new Date(),
      endTime: null,
      durationMinutes: null,
    });
  }

  private async assertNoOverlap(employeeId: string, start: Date, end: Date | null, exceptId?: string) {
    const clash = await this.deps.entries.findOverlap(employeeId, start, end, exceptId);
    if (!clash) return;
    const until = clash.endTime ? clash.endTime.toISOString() : 'now (running timer)';
    throw conflict(
      `Overlaps the employee's entry ${clash.id} from ${clash.startTime.toISOString()} to ${until}`,
      'time_entry_overlap',
      { conflicting_entry_id: clash.id },
    );
  }

  private async insert(ctx: RequestContext, values: TimeEntryInsert): Promise<TimeEntryRow> {
    return this.deps.db.transaction(async () => {
      const row = await this.deps.entries.insert(values);
      await this.deps.audit.recordChange(ctx, 'time_entry', label(row), null, row);
      return row;
    });
  }

  /** Ends a running timer now, or at start + 24 h when it ran longer. 409 when already stopped. */
  async stop(ctx: RequestContext, id: string, precondition: PreconditionCheck): Promise<TimeEntryRow> {
    return this.deps.db.transaction(async () => {
      const before = await this.deps.entries.lockById(id);
      this.checkChange(ctx.principal, before);
      precondition?.(before);
      if (before.endTime) throw conflict('The timer is not running', 'timer_not_running');
      const start = before.startTime.getTime();
      const end = new Date(Math.max(Math.min(Date.now(), start + MAX_MS), start + 1000));
      const after = await this.deps.entries.update(id, {
        endTime: end,
        durationMinutes: durationMinutes(before.startTime, end),
      });
      await this.audit(ctx, 'update', before, after);
      return after;
    });
  }

  async update(
    ctx: RequestContext,
    id: string,
    input: TimeEntryUpdateInput,
    precondition: PreconditionCheck,
  ): Promise<TimeEntryRow> {
    return this.deps.db.transaction(async () => {
      const before = await this.deps.entries.lockById(id);
      this.checkChange(ctx.principal, before);
      precondition?.(before);
      const values: Partial<TimeEntryInsert> = await this.withProjectDefaults(input, before);
      if (input.note !== undefined) values.note = input.note;
      if (input.task_type !== undefined) values.taskType = input.task_type;
      const timesGiven =
        input.start_time !== undefined || input.end_time !== undefined || input.duration_minutes !== undefined;
      if (timesGiven) {
        if (!before.endTime && (input.end_time !== undefined || input.duration_minutes !== undefined)) {
          throw conflict('Stop the running timer instead of setting its end', 'timer_running');
        }
        const start = input.start_time ? new Date(input.start_time) : before.startTime;
        if (before.endTime) {
          // A new duration without a new end moves the end; otherwise the end stays (or is the new one).
          const end =
            input.end_time !== undefined
              ? new Date(input.end_time)
              : input.duration_minutes !== undefined
                ? null
                : before.endTime;
          Object.assign(values, this.interval(start, end, input.duration_minutes));
        } else {
          values.startTime = start;
        }
      }
      if (Object.keys(values).length === 0) return before;
      if (timesGiven) {
        await this.assertNoOverlap(before.employeeId, values.startTime ?? before.startTime, values.endTime ?? null, id);
      }
      const after = await this.deps.entries.update(id, values);
      await this.audit(ctx, 'update', before, after);
      return after;
    });
  }

  async delete(ctx: RequestContext, id: string, precondition: PreconditionCheck): Promise<void> {
    await this.deps.db.transaction(async () => {
      const before = await this.deps.entries.lockById(id);
      this.checkChange(ctx.principal, before);
      precondition?.(before);
      await this.deps.entries.delete(id);
      await this.deps.audit.recordChange(ctx, 'time_entry', label(before), before, null);
    });
  }

  /** Approves finished entries (idempotent for already approved ones); 422 for unknown ids, 409 for running ones. */
  async approve(ctx: RequestContext, ids: string[]): Promise<TimeEntryRow[]> {
    return this.deps.db.transaction(async () => {
      const rows = await this.deps.entries.lockByIds(ids);
      const found = new Set(rows.map((r) => r.id));
      const missing = ids.filter((id) => !found.has(id));
      if (missing.length > 0)
        throw validationError('ids', `unknown time entries: ${missing.join(', ')}`, 'unknown_reference');
      const result: TimeEntryRow[] = [];
      for (const before of rows) {
        if (!before.endTime) throw conflict('A running timer cannot be approved', 'timer_running');
        if (before.isApproved) {
          result.push(before);
          continue;
        }
        const after = await this.deps.entries.update(before.id, {
          isApproved: true,
          approvedBy: ctx.principal?.id ?? null,
          approvedAt: new Date(),
        });
        await this.audit(ctx, 'approve', before, after);
        result.push(after);
      }
      const order = new Map(ids.map((id, i) => [id, i]));
      return result.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
    });
  }

  private async audit(ctx: RequestContext, action: 'update' | 'approve', before: TimeEntryRow, after: TimeEntryRow) {
    await this.deps.audit.record(ctx, {
      action,
      resourceType: 'time_entry',
      resourceId: after.id,
      resourceName: label(after),
      changes: diffChanges(auditView(before), auditView(after)),
    });
  }

  /**
   * Minutes and amounts of finished entries grouped by project, employee, customer, day, week or
   * month. Answered from the daily rollups when they can (see rollupFilter), else from the entries.
   */
  async summary(principal: Principal | null, query: Record<string, unknown> & { group_by: SummaryGroup }) {
    const { group_by, ...filters } = query;
    const fromRollup = group_by !== 'employee' && timeAccess(principal).seeAll ? rollupFilter(filters) : null;
    if (fromRollup && group_by !== 'employee') {
      const [rows, totals] = await Promise.all([
        this.deps.rollups.summary(group_by, fromRollup),
        this.deps.rollups.totals(fromRollup),
      ]);
      return { group_by, rows, totals };
    }
    const timeZone = await this.deps.companyTimezone();
    const where = filterWhere(filters, timeZone, [this.scope(principal)]);
    const [rows, totals] = await Promise.all([
      this.deps.entries.summary(group_by, where, timeZone),
      this.deps.entries.totals(where),
    ]);
    return { group_by, rows, totals };
  }

  /**
   * The filtered entries in (start_time, id) order, fetched in keyset batches (for the streamed
   * CSV). Filters are checked before the first row is read, so a bad filter is still a 422.
   */
  async exportRows(
    principal: Principal | null,
    query: Record<string, unknown>,
    notation: 'point' | 'comma' = 'point',
    batchSize = 1000,
  ) {
    const timeZone = await this.deps.companyTimezone();
    const where = filterWhere(query, timeZone, [this.scope(principal)]);
    const entries = this.deps.entries;
    return (async function* batches() {
      let after: { start: Date; id: string } | null = null;
      for (;;) {
        const batch = await entries.exportBatch(where, timeZone, after, batchSize, notation);
        if (batch.length > 0) yield batch;
        const last = batch[batch.length - 1];
        if (!last || batch.length < batchSize) return;
        after = { start: last.startTime, id: last.id };
      }
    })();
  }

  /**
   * The dashboard's time figures for one employee: the running timer, and minutes of entries
   * starting today and this week (Monday first; company time zone, as in the day/week summary),
   * the running timer counted up to now.
   */
  async dashboardFigures(employeeId: string) {
    const timeZone = await this.deps.companyTimezone();
    const today = todayIn(timeZone);
    const monday = weekStart(today);
    const day: [Date, Date] = [zonedMidnight(today, timeZone), zonedMidnight(addDays(today, 1), timeZone)];
    const week: [Date, Date] = [zonedMidnight(monday, timeZone), zonedMidnight(addDays(monday, 7), timeZone)];
    const [running, finished] = await Promise.all([
      this.deps.entries.running(employeeId),
      this.deps.entries.finishedMinutes(employeeId, day, week),
    ]);
    const elapsed = running ? Math.max(0, Math.floor((Date.now() - running.startTime.getTime()) / MINUTE_MS)) : 0;
    const within = ([from, to]: [Date, Date]) =>
      running !== null && running.startTime >= from && running.startTime < to;
    return {
      running_timer: running && {
        id: running.id,
        start_time: running.startTime,
        project_id: running.projectId,
        note: running.note,
        elapsed_minutes: elapsed,
      },
      minutes_today: finished.today + (within(day) ? elapsed : 0),
      minutes_this_week: finished.week + (within(week) ? elapsed : 0),
    };
  }

  /** Time figures of one project for the projects module's statistics. */
  projectFigures(projectId: string) {
    return this.deps.rollups.projectFigures(projectId);
  }
}

export type { Page };

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const ROLLUP_KEYS = new Set(['project_id', 'customer_id', 'billable', 'is_approved', 'is_invoiced']);

/**
 * The rollup filter for a summary query, or null when the rollups cannot answer it: a filter on
 * the employee, or a time bound that is not a whole day (rollups are per company-local day).
 */
export function rollupFilter(filters: Record<string, unknown>): RollupFilter | null {
  const filter: RollupFilter = {};
  for (const [key, value] of Object.entries(filters)) {
    if (value === undefined) continue;
    if (key === 'start_time_from' || key === 'start_time_to') {
      if (typeof value !== 'string' || !DAY.test(value)) return null;
      filter[key === 'start_time_from' ? 'fromDay' : 'toDay'] = value;
    } else if (ROLLUP_KEYS.has(key)) {
      Object.assign(filter, { [key]: value });
    } else return null;
  }
  return filter;
}
