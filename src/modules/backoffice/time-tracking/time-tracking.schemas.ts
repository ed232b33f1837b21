import { type Static, Type } from '@sinclair/typebox';
import { ListEnvelope, ListQuery, Nullable, StringEnum, Timestamp, Uuid } from '../../../core/http/schemas.ts';
import { MoneyOut, NonNegativeMoney } from '../shared/money.ts';

export const TASK_TYPES = ['development', 'meeting', 'support', 'documentation', 'other'] as const;
export const SUMMARY_GROUPS = ['project', 'employee', 'customer', 'day', 'week', 'month'] as const;

const Instant = (description: string) =>
  Type.String({ format: 'date-time', description: `${description}; ISO 8601 (UTC with Z recommended)` });

/** Fields shared by manual entries, timers and updates. */
const entryFields = {
  project_id: Nullable(Uuid({ description: 'optional for internal time' })),
  customer_id: Nullable(Uuid({ description: 'defaults to the project’s customer' })),
  billable: Type.Boolean({ description: 'default true with a project, false without' }),
  hourly_rate: Nullable(NonNegativeMoney({ description: 'default: the project’s hourly rate' })),
  note: Nullable(Type.String({ maxLength: 5000 })),
  task_type: Nullable(StringEnum(TASK_TYPES)),
};

const Duration = Type.Integer({ minimum: 1, maximum: 1440, description: 'whole minutes, 1–1440' });

export const TimeEntryCreate = Type.Object(
  {
    employee_id: Type.Optional(Uuid({ description: 'the caller unless backoffice.time_tracking.manage' })),
    start_time: Instant('start'),
    end_time: Type.Optional(Instant('end, after start, at most 24 h later')),
    duration_minutes: Type.Optional(Duration),
    ...Type.Partial(Type.Object(entryFields)).properties,
  },
  {
    $id: 'TimeEntryCreate',
    additionalProperties: false,
    description: 'A finished entry: start_time and end_time or duration_minutes (times win when both are given).',
  },
);

export const TimeEntryUpdate = Type.Partial(
  Type.Object({
    start_time: Instant('start'),
    end_time: Instant('end'),
    duration_minutes: Duration,
    ...entryFields,
  }),
  { $id: 'TimeEntryUpdate', additionalProperties: false },
);

export const TimerStart = Type.Partial(Type.Object(entryFields), {
  $id: 'TimerStart',
  additionalProperties: false,
  description: 'Starts a timer at the current time for the caller.',
});

export const TimeEntryResponse = Type.Object(
  {
    id: Uuid(),
    employee_id: Uuid(),
    project_id: Nullable(Uuid()),
    customer_id: Nullable(Uuid()),
    start_time: Timestamp(),
    end_time: Nullable(Timestamp({ description: 'null while running' })),
    duration_minutes: Nullable(Type.Integer({ description: 'null while running' })),
    billable: Type.Boolean(),
    hourly_rate: Nullable(MoneyOut()),
    note: Nullable(Type.String()),
    task_type: Nullable(Type.String()),
    is_running: Type.Boolean(),
    is_approved: Type.Boolean(),
    approved_by: Nullable(Uuid()),
    approved_at: Nullable(Timestamp()),
    is_invoiced: Type.Boolean(),
    invoice_id: Nullable(Uuid()),
    created_at: Timestamp(),
    updated_at: Timestamp(),
  },
  { $id: 'TimeEntry' },
);

export const entryFilters = {
  employee_id: Type.Optional(Uuid()),
  project_id: Type.Optional(Uuid()),
  customer_id: Type.Optional(Uuid()),
  start_time_from: Type.Optional(
    Type.String({ maxLength: 40, description: 'inclusive; ISO timestamp or date (midnight, company zone)' }),
  ),
  start_time_to: Type.Optional(
    Type.String({ maxLength: 40, description: 'exclusive; ISO timestamp or date (midnight, company zone)' }),
  ),
  billable: Type.Optional(Type.Boolean()),
  is_approved: Type.Optional(Type.Boolean()),
  is_invoiced: Type.Optional(Type.Boolean()),
};

export const TimeEntryListQuery = ListQuery(entryFilters);
const { employee_id: _employee, project_id: _project, ...nestedFilters } = entryFilters;
/** Under /api/projects/{id} and /api/employees/{id}: the path gives the project or employee. */
export const NestedTimeEntryListQuery = ListQuery(nestedFilters);
export const TimeEntryList = ListEnvelope(Type.Ref('TimeEntry'), { $id: 'TimeEntryList' });

export const CurrentTimer = Type.Union([Type.Ref('TimeEntry'), Type.Null()], {
  description: 'the running entry or null',
});

export const ApproveBody = Type.Object(
  { ids: Type.Array(Uuid(), { minItems: 1, maxItems: 500, uniqueItems: true }) },
  { $id: 'TimeEntryApprove', additionalProperties: false },
);
export const ApproveResult = Type.Object(
  { items: Type.Array(Type.Ref('TimeEntry')) },
  { $id: 'TimeEntryApproveResult' },
);

export const SummaryQuery = Type.Object(
  { group_by: StringEnum(SUMMARY_GROUPS), ...entryFilters },
  { additionalProperties: false },
);

const Figures = {
  minutes: Type.Integer(),
  billable_minutes: Type.Integer(),
  billable_amount: MoneyOut({ description: 'sum of minutes × rate / 60, rounded per entry' }),
};

export const Summary = Type.Object(
  {
    group_by: Type.String(),
    rows: Type.Array(
      Type.Object({
        key: Nullable(Type.String({ description: 'id; day YYYY-MM-DD; week: its Monday; month YYYY-MM' })),
        label: Type.String(),
        ...Figures,
      }),
    ),
    totals: Type.Object(Figures),
  },
  { $id: 'TimeEntrySummary', description: 'Finished entries only; days, weeks and months in the company time zone.' },
);

export const ExportQuery = Type.Object(
  {
    ...entryFilters,
    decimal: Type.Optional(
      StringEnum(['point', 'comma'] as const, { default: 'point', description: 'decimal separator' }),
    ),
  },
  { additionalProperties: false },
);

export type TimeEntryCreateBody = Static<typeof TimeEntryCreate>;
export type TimeEntryUpdateBody = Static<typeof TimeEntryUpdate>;
export type TimerStartBody = Static<typeof TimerStart>;

/** The `time` section of GET /api/dashboards/summary (the caller's own time). */
export const TimeFigures = Type.Object(
  {
    running_timer: Nullable(
      Type.Object({
        id: Uuid(),
        start_time: Timestamp(),
        project_id: Nullable(Uuid()),
        note: Nullable(Type.String()),
        elapsed_minutes: Type.Integer({ description: 'whole minutes since start_time' }),
      }),
    ),
    minutes_today: Type.Integer({ description: 'entries starting today, the running timer up to now' }),
    minutes_this_week: Type.Integer({ description: 'entries starting this week (Monday first)' }),
  },
  { additionalProperties: false, description: 'the caller’s time' },
);
