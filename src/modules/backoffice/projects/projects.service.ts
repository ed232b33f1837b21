import type { Static } from '@sinclair/typebox';
import { v7 as uuidv7 } from 'uuid';
import type { AuditWriter } from '../../../core/audit/audit.writer.ts';
import { auditView, diffChanges } from '../../../core/audit/changes.ts';
import type { RequestContext } from '../../../core/auth/principal.ts';
import type { Database } from '../../../core/db/database.ts';
import type { ListQueryInput, Page } from '../../../core/db/list.ts';
import { nextSequenceValue } from '../../../core/db/sequences.ts';
import { notFound, validationError } from '../../../core/http/errors.ts';
import type { PreconditionCheck } from '../../../core/http/etag.ts';
import { todayIn } from '../../../core/time.ts';
import type { ProjectInsert, ProjectRow, ProjectsRepository } from './projects.repository.ts';
import type { ProjectCreate, ProjectUpdate } from './projects.schemas.ts';

export const PROJECT_NUMBER_SCOPE = 'project';

export type ProjectCreateInput = Static<typeof ProjectCreate>;
export type ProjectUpdateInput = Static<typeof ProjectUpdate>;

/** A project with the fields derived from today's date in the company time zone. */
export type ProjectView = ProjectRow & { isActive: boolean; isOverdue: boolean; daysUntilDeadline: number | null };

/** Time figures of one project, from the time-tracking module (late-bound; it builds on projects). */
export interface ProjectTimeFigures {
  figures(projectId: string): Promise<{
    totalHours: string;
    billableHours: string;
    billableValue: string;
    unbilled: string;
  }>;
}

export interface ProjectsServiceDeps {
  db: Database;
  audit: AuditWriter;
  projects: ProjectsRepository;
  companyTimezone(): Promise<string>;
  time(): ProjectTimeFigures | null;
}

const DAY_MS = 86_400_000;
const dayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / DAY_MS;

/** Derived fields of SPEC 4.2, computed against `today` (YYYY-MM-DD in the company zone). */
export function deriveProject(row: ProjectRow, today: string): ProjectView {
  const open = row.status !== 'completed' && row.status !== 'cancelled';
  return {
    ...row,
    isActive: row.status === 'active' && row.archivedAt === null,
    isOverdue: open && row.deadline !== null && row.deadline < today,
    daysUntilDeadline: row.deadline === null ? null : dayNumber(row.deadline) - dayNumber(today),
  };
}

function toColumns(input: ProjectUpdateInput): Partial<ProjectInsert> {
  const values: Partial<ProjectInsert> = {};
  const map: Array<[keyof ProjectUpdateInput, keyof ProjectInsert]> = [
    ['title', 'title'],
    ['customer_id', 'customerId'],
    ['department_id', 'departmentId'],
    ['project_manager_id', 'projectManagerId'],
    ['status', 'status'],
    ['priority', 'priority'],
    ['start_date', 'startDate'],
    ['end_date', 'endDate'],
    ['deadline', 'deadline'],
    ['budget', 'budget'],
    ['hourly_rate', 'hourlyRate'],
    ['description', 'description'],
    ['notes', 'notes'],
  ];
  for (const [field, column] of map) {
    if (input[field] !== undefined) (values as Record<string, unknown>)[column] = input[field];
  }
  return values;
}

function checkDates(startDate: string | null | undefined, endDate: string | null | undefined): void {
  if (startDate && endDate && endDate < startDate) {
    throw validationError('end_date', 'must be on or after start_date', 'end_before_start');
  }
}

export class ProjectsService {
  constructor(private readonly deps: ProjectsServiceDeps) {}

  private async today(): Promise<string> {
    return todayIn(await this.deps.companyTimezone());
  }

  async list(query: ListQueryInput & { include_archived?: boolean }, customerId?: string): Promise<Page<ProjectView>> {
    const [page, today] = await Promise.all([this.deps.projects.list(query, customerId), this.today()]);
    return { ...page, items: page.items.map((row) => deriveProject(row, today)) };
  }

  async get(id: string): Promise<ProjectView> {
    const [row, today] = await Promise.all([this.deps.projects.findById(id), this.today()]);
    if (!row) throw notFound('Project');
    return deriveProject(row, today);
  }

  /** The stored row (no derived fields) for other modules, or null. */
  findRow(id: string): Promise<ProjectRow | null> {
    return this.deps.projects.findById(id);
  }

  async assertExists(id: string): Promise<void> {
    if (!(await this.deps.projects.findById(id))) throw notFound('Project');
  }

  /** The dashboard's project counts (is_active and is_overdue as in the responses). */
  async dashboardFigures() {
    return this.deps.projects.activeAndOverdueCounts(await this.today());
  }

  activeCountForCustomer(customerId: string): Promise<number> {
    return this.deps.projects.activeCountForCustomer(customerId);
  }

  async create(ctx: RequestContext, input: ProjectCreateInput): Promise<ProjectView> {
    checkDates(input.start_date, input.end_date);
    const year = Number((await this.today()).slice(0, 4));
    const id = await this.deps.db.transaction(async () => {
      const n = await nextSequenceValue(this.deps.db, PROJECT_NUMBER_SCOPE, year);
      const row = await this.deps.projects.insert({
        status: 'planning',
        priority: 'medium',
        ...toColumns(input),
        id: uuidv7(),
        title: input.title,
        projectNumber: `PRJ-${year}-${String(n).padStart(3, '0')}`,
      });
      await this.deps.audit.recordChange(ctx, 'project', `${row.projectNumber} ${row.title}`, null, row);
      return row.id;
    });
    return this.get(id);
  }

  async update(
    ctx: RequestContext,
    id: string,
    input: ProjectUpdateInput,
    precondition: PreconditionCheck,
  ): Promise<ProjectView> {
    await this.deps.db.transaction(async () => {
      const before = await this.deps.projects.lockById(id);
      if (!before) throw notFound('Project');
      precondition?.(before);
      const values = toColumns(input);
      if (Object.keys(values).length === 0) return;
      checkDates(
        values.startDate !== undefined ? values.startDate : before.startDate,
        values.endDate !== undefined ? values.endDate : before.endDate,
      );
      const after = await this.deps.projects.update(id, values);
      await this.deps.audit.recordChange(ctx, 'project', `${after.projectNumber} ${after.title}`, before, after);
    });
    return this.get(id);
  }

  /** DELETE archives (SPEC 1); archiving an archived project changes nothing. */
  async delete(ctx: RequestContext, id: string, precondition: PreconditionCheck): Promise<void> {
    await this.setArchived(ctx, id, precondition, true);
  }

  async restore(ctx: RequestContext, id: string, precondition: PreconditionCheck): Promise<ProjectView> {
    await this.setArchived(ctx, id, precondition, false);
    return this.get(id);
  }

  private async setArchived(ctx: RequestContext, id: string, precondition: PreconditionCheck, archive: boolean) {
    await this.deps.db.transaction(async () => {
      const before = await this.deps.projects.lockById(id);
      if (!before) throw notFound('Project');
      precondition?.(before);
      if ((before.archivedAt !== null) === archive) return;
      const after = await this.deps.projects.update(id, { archivedAt: archive ? new Date() : null });
      await this.deps.audit.record(ctx, {
        action: archive ? 'delete' : 'restore',
        resourceType: 'project',
        resourceId: id,
        resourceName: `${after.projectNumber} ${after.title}`,
        changes: diffChanges(auditView(before), auditView(after)),
      });
    });
  }

  /** SPEC 4.2 statistics; invoice and expense figures read 0 until those modules exist. */
  async statistics(id: string) {
    const project = await this.get(id);
    const time = this.deps.time();
    const figures = time
      ? await time.figures(id)
      : { totalHours: '0', billableHours: '0', billableValue: '0.00', unbilled: '0.00' };
    const expenses = '0.00';
    const revenue = '0.00';
    const budgetUtilization =
      project.budget !== null && Number(project.budget) > 0
        ? Number(await this.deps.projects.percentOf(figures.billableValue, project.budget))
        : null;
    return {
      total_hours_tracked: Number(figures.totalHours),
      billable_hours: Number(figures.billableHours),
      unbilled_billable_amount: figures.unbilled,
      total_invoiced: '0.00',
      total_revenue: revenue,
      total_expenses: expenses,
      budget_utilization: budgetUtilization,
      profit_margin: '0.00',
      completion_percentage: completion(project.startDate, project.endDate, await this.today()),
      is_overdue: project.isOverdue,
    };
  }
}

/** Elapsed share of start → end in percent (0–100, two decimals), null without both dates. */
export function completion(start: string | null, end: string | null, today: string): number | null {
  if (!start || !end) return null;
  const total = dayNumber(end) - dayNumber(start);
  if (total <= 0) return today >= end ? 100 : 0;
  const elapsed = Math.min(Math.max(dayNumber(today) - dayNumber(start), 0), total);
  return Math.round((elapsed / total) * 10000) / 100;
}
