import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { employees } from '../employees/employees.table.ts';

export interface DashboardWidget {
  type: string;
  position: { x: number; y: number; w: number; h: number };
  settings?: Record<string, unknown>;
}
export interface DashboardConfig {
  widgets: DashboardWidget[];
}

export const dashboards = pgTable(
  'dashboards',
  {
    id: uuid('id').primaryKey(),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => employees.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** Shape-checked by the API schema; the front end owns the widget types. */
    config: jsonb('config').$type<DashboardConfig>().notNull().default({ widgets: [] }),
    theme: text('theme'),
    isDefault: boolean('is_default').notNull().default(false),
    /** Set by GET /api/dashboards/{id}; not a change (no version bump, no audit row). */
    lastAccessed: timestamp('last_accessed', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    /** Bumped on every update; the ETag is derived from it. */
    version: integer('version').notNull().default(1),
  },
  (t) => [
    index('dashboards_owner_created_idx').on(t.ownerId, t.createdAt, t.id),
    // At most one default dashboard per owner, whatever writes the table.
    uniqueIndex('dashboards_one_default_per_owner').on(t.ownerId).where(sql`${t.isDefault}`),
  ],
);
