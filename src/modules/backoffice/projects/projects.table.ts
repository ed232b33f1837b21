import { sql } from 'drizzle-orm';
import { check, date, index, integer, numeric, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { departments, employees } from '../../employees/employees.table.ts';
import { customers } from '../crm/crm.table.ts';

export const projects = pgTable(
  'projects',
  {
    id: uuid('id').primaryKey(),
    projectNumber: text('project_number').notNull().unique('projects_project_number_unique'),
    customerId: uuid('customer_id').references(() => customers.id, { onDelete: 'restrict' }),
    title: text('title').notNull(),
    departmentId: uuid('department_id').references(() => departments.id, { onDelete: 'set null' }),
    projectManagerId: uuid('project_manager_id').references(() => employees.id, { onDelete: 'set null' }),
    status: text('status').notNull().default('planning'),
    priority: text('priority').notNull().default('medium'),
    startDate: date('start_date', { mode: 'string' }),
    endDate: date('end_date', { mode: 'string' }),
    deadline: date('deadline', { mode: 'string' }),
    budget: numeric('budget', { precision: 12, scale: 2 }),
    hourlyRate: numeric('hourly_rate', { precision: 12, scale: 2 }),
    description: text('description'),
    notes: text('notes'),
    archivedAt: timestamp('archived_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    index('projects_created_idx').on(t.createdAt, t.id),
    index('projects_customer_idx').on(t.customerId),
    index('projects_department_idx').on(t.departmentId),
    index('projects_manager_idx').on(t.projectManagerId),
    check(
      'projects_end_after_start',
      sql`${t.endDate} is null or ${t.startDate} is null or ${t.endDate} >= ${t.startDate}`,
    ),
    check('projects_budget_not_negative', sql`${t.budget} is null or ${t.budget} >= 0`),
    check('projects_hourly_rate_not_negative', sql`${t.hourlyRate} is null or ${t.hourlyRate} >= 0`),
  ],
);
