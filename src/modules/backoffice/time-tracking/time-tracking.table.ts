import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  date,
  index,
  integer,
  numeric,
  pgTable,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { employees } from '../../employees/employees.table.ts';
import { customers } from '../crm/crm.table.ts';
import { projects } from '../projects/projects.table.ts';

export const timeEntries = pgTable(
  'time_entries',
  {
    id: uuid('id').primaryKey(),
    employeeId: uuid('employee_id')
      .notNull()
      .references(() => employees.id, { onDelete: 'restrict' }),
    projectId: uuid('project_id').references(() => projects.id, { onDelete: 'restrict' }),
    customerId: uuid('customer_id').references(() => customers.id, { onDelete: 'restrict' }),
    startTime: timestamp('start_time', { withTimezone: true, mode: 'date' }).notNull(),
    endTime: timestamp('end_time', { withTimezone: true, mode: 'date' }),
    durationMinutes: integer('duration_minutes'),
    billable: boolean('billable').notNull().default(false),
    hourlyRate: numeric('hourly_rate', { precision: 12, scale: 2 }),
    note: text('note'),
    taskType: text('task_type'),
    isApproved: boolean('is_approved').notNull().default(false),
    approvedBy: uuid('approved_by').references(() => employees.id, { onDelete: 'set null' }),
    approvedAt: timestamp('approved_at', { withTimezone: true, mode: 'date' }),
    isInvoiced: boolean('is_invoiced').notNull().default(false),
    /** References invoices once that module exists. */
    invoiceId: uuid('invoice_id'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    index('time_entries_created_idx').on(t.createdAt, t.id),
    index('time_entries_employee_start_idx').on(t.employeeId, t.startTime),
    index('time_entries_project_start_idx').on(t.projectId, t.startTime),
    index('time_entries_customer_idx').on(t.customerId),
    index('time_entries_start_idx').on(t.startTime, t.id),
    // At most one running timer per employee. The no-overlap EXCLUDE constraint is in a custom migration.
    uniqueIndex('time_entries_one_running_per_employee').on(t.employeeId).where(sql`${t.endTime} is null`),
    check('time_entries_end_after_start', sql`${t.endTime} is null or ${t.endTime} > ${t.startTime}`),
    check(
      'time_entries_at_most_24h',
      sql`${t.endTime} is null or ${t.endTime} <= ${t.startTime} + interval '24 hours'`,
    ),
    check('time_entries_duration_positive', sql`${t.durationMinutes} is null or ${t.durationMinutes} >= 1`),
    check('time_entries_rate_not_negative', sql`${t.hourlyRate} is null or ${t.hourlyRate} >= 0`),
  ],
);

/**
 * Finished entries summed per company-local day and per combination of the summary's filters
 * (project, customer, billable, approved, invoiced), kept by a trigger on time_entries in the same
 * transaction (custom migration 0008). A year's summary then reads a few thousand rows instead of
 * every entry. Employees are not a key (that would keep one row per entry): summaries per
 * employee read time_entries through its (employee_id, start_time) index. Days are in the
 * company time zone; changing settings.default_timezone rebuilds the table.
 */
export const timeEntryRollups = pgTable(
  'time_entry_rollups',
  {
    localDay: date('local_day', { mode: 'string' }).notNull(),
    projectId: uuid('project_id'),
    customerId: uuid('customer_id'),
    billable: boolean('billable').notNull(),
    isApproved: boolean('is_approved').notNull(),
    isInvoiced: boolean('is_invoiced').notNull(),
    entries: integer('entries').notNull(),
    minutes: bigint('minutes', { mode: 'number' }).notNull(),
    /** Sum of each entry's minutes × rate / 60 rounded to cents, as the summary computes it. */
    amount: numeric('amount', { precision: 14, scale: 2 }).notNull(),
  },
  (t) => [
    unique('time_entry_rollups_key')
      .on(t.localDay, t.projectId, t.customerId, t.billable, t.isApproved, t.isInvoiced)
      .nullsNotDistinct(),
    index('time_entry_rollups_project_idx').on(t.projectId),
  ],
);
