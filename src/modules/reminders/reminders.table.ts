import { sql } from 'drizzle-orm';
import { boolean, check, date, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { employees } from '../employees/employees.table.ts';

export const reminders = pgTable(
  'reminders',
  {
    id: uuid('id').primaryKey(),
    title: text('title').notNull(),
    description: text('description'),
    dueDate: date('due_date', { mode: 'string' }).notNull(),
    priority: text('priority').notNull().default('medium'),
    /** Polymorphic link, validated through the linked-entity registry (no foreign key). */
    linkedEntityType: text('linked_entity_type'),
    linkedEntityId: uuid('linked_entity_id'),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => employees.id, { onDelete: 'cascade' }),
    /** open | overdue | done; overdue is set by the server (daily job, or a write with a past due date). */
    status: text('status').notNull().default('open'),
    /** The owner was mailed about this reminder (claimed by the daily job before sending). */
    notified: boolean('notified').notNull().default(false),
    completedAt: timestamp('completed_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    /** Bumped on every update; the ETag is derived from it. */
    version: integer('version').notNull().default(1),
  },
  (t) => [
    index('reminders_created_idx').on(t.createdAt, t.id),
    index('reminders_owner_due_idx').on(t.ownerId, t.dueDate),
    // The daily job: open reminders past due, and due reminders not yet notified.
    index('reminders_status_due_idx').on(t.status, t.dueDate),
    index('reminders_link_idx').on(t.linkedEntityType, t.linkedEntityId),
    check('reminders_priority_valid', sql`${t.priority} in ('low', 'medium', 'high', 'critical')`),
    check('reminders_status_valid', sql`${t.status} in ('open', 'overdue', 'done')`),
    check('reminders_completed_iff_done', sql`(${t.status} = 'done') = (${t.completedAt} is not null)`),
    check('reminders_link_complete', sql`(${t.linkedEntityType} is null) = (${t.linkedEntityId} is null)`),
  ],
);
