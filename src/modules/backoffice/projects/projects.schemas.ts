import { Type } from '@sinclair/typebox';
import {
  DateString,
  ListEnvelope,
  ListQuery,
  Nullable,
  StringEnum,
  Text,
  Timestamp,
  UpdateOf,
  Uuid,
} from '../../../core/http/schemas.ts';
import { MoneyOut, NonNegativeMoney } from '../shared/money.ts';

export const PROJECT_STATUSES = ['planning', 'active', 'on_hold', 'completed', 'cancelled'] as const;
export const PROJECT_PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;

const projectWritable = {
  title: Text(200),
  customer_id: Nullable(Uuid()),
  department_id: Nullable(Uuid()),
  project_manager_id: Nullable(Uuid({ description: 'an employee' })),
  status: StringEnum(PROJECT_STATUSES, { default: 'planning' }),
  priority: StringEnum(PROJECT_PRIORITIES, { default: 'medium' }),
  start_date: Nullable(DateString()),
  end_date: Nullable(DateString({ description: 'on or after start_date' })),
  deadline: Nullable(DateString()),
  budget: Nullable(NonNegativeMoney()),
  hourly_rate: Nullable(NonNegativeMoney({ description: 'default rate of the project’s time entries' })),
  description: Nullable(Type.String({ maxLength: 10000 })),
  notes: Nullable(Type.String({ maxLength: 10000 })),
};

const { title, status, priority, ...optional } = projectWritable;

export const ProjectCreate = Type.Object(
  {
    title,
    status: Type.Optional(status),
    priority: Type.Optional(priority),
    ...Type.Partial(Type.Object(optional)).properties,
  },
  { $id: 'ProjectCreate', additionalProperties: false },
);

export const ProjectUpdate = UpdateOf(projectWritable, { $id: 'ProjectUpdate' });

export const ProjectResponse = Type.Object(
  {
    id: Uuid(),
    project_number: Type.String({ description: 'per-year number, e.g. PRJ-2026-001' }),
    title: Type.String(),
    customer_id: Nullable(Uuid()),
    department_id: Nullable(Uuid()),
    project_manager_id: Nullable(Uuid()),
    status: Type.String(),
    priority: Type.String(),
    start_date: Nullable(DateString()),
    end_date: Nullable(DateString()),
    deadline: Nullable(DateString()),
    budget: Nullable(MoneyOut()),
    hourly_rate: Nullable(MoneyOut()),
    description: Nullable(Type.String()),
    notes: Nullable(Type.String()),
    archived_at: Nullable(Timestamp()),
    created_at: Timestamp(),
    updated_at: Timestamp(),
    is_active: Type.Boolean({ description: 'status active and not archived' }),
    is_overdue: Type.Boolean({
      description: 'deadline before today (company time zone) and not completed or cancelled',
    }),
    days_until_deadline: Nullable(Type.Integer({ description: 'negative when past; null without a deadline' })),
  },
  { $id: 'Project' },
);

export const ProjectListQuery = ListQuery({
  status: Type.Optional(StringEnum(PROJECT_STATUSES)),
  priority: Type.Optional(StringEnum(PROJECT_PRIORITIES)),
  customer_id: Type.Optional(Uuid()),
  department_id: Type.Optional(Uuid()),
  project_manager_id: Type.Optional(Uuid()),
  include_archived: Type.Optional(Type.Boolean({ default: false, description: 'also list archived projects' })),
});
export const ProjectList = ListEnvelope(Type.Ref('Project'), { $id: 'ProjectList' });

export const ProjectStatistics = Type.Object(
  {
    total_hours_tracked: Type.Number({ description: 'hours of finished entries, two decimals' }),
    billable_hours: Type.Number(),
    unbilled_billable_amount: MoneyOut({ description: 'billable, not yet invoiced time value' }),
    total_invoiced: MoneyOut({ description: '0 until invoicing exists' }),
    total_revenue: MoneyOut({ description: 'paid; 0 until invoicing exists' }),
    total_expenses: MoneyOut({ description: '0 until finance exists' }),
    budget_utilization: Nullable(
      Type.Number({ description: 'percent: (billable time value + expenses) / budget; null without a budget' }),
    ),
    profit_margin: MoneyOut({ description: 'revenue − expenses' }),
    completion_percentage: Nullable(
      Type.Number({ description: 'elapsed share of start_date → end_date, 0–100; null without both' }),
    ),
    is_overdue: Type.Boolean(),
  },
  { $id: 'ProjectStatistics', additionalProperties: false },
);

export const NestedProjectListQuery = ListQuery({
  status: Type.Optional(StringEnum(PROJECT_STATUSES)),
  include_archived: Type.Optional(Type.Boolean({ default: false })),
});

/** The `projects` section of GET /api/dashboards/summary (all projects, not archived). */
export const ProjectFigures = Type.Object(
  {
    active: Type.Integer({ description: 'status active' }),
    overdue: Type.Integer({ description: 'deadline before today, neither completed nor cancelled' }),
  },
  { additionalProperties: false, description: 'counts over all projects not archived' },
);
