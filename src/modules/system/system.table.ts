import { index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Infrastructure services the back office watches (SPEC 3.5); probed by the `system_probes` job. */
export const infraServices = pgTable(
  'infra_services',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull().unique('infra_services_name_unique'),
    /** database | auth | mail | chat | storage | external_api */
    type: text('type').notNull(),
    /** The full URL including credentials (needed to probe); responses and audit rows mask it. */
    connectionUrl: text('connection_url').notNull(),
    /** active | inactive (set by clients) | error (set by probes) */
    status: text('status').notNull().default('active'),
    lastSync: timestamp('last_sync', { withTimezone: true, mode: 'date' }),
    lastError: text('last_error'),
    managedBy: text('managed_by'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [index('infra_services_created_idx').on(t.createdAt, t.id), index('infra_services_status_idx').on(t.status)],
);
