// Every Drizzle table, for drizzle-kit and the typed database handle.
export * from './core/db/core.table.ts';
export * from './core/jobs/jobs.table.ts';
export * from './modules/backoffice/crm/crm.table.ts';
export * from './modules/backoffice/projects/projects.table.ts';
export * from './modules/backoffice/time-tracking/time-tracking.table.ts';
export * from './modules/dashboards/dashboards.table.ts';
export * from './modules/documents/documents.table.ts';
export * from './modules/employees/employees.table.ts';
export * from './modules/identity/identity.table.ts';
export * from './modules/reminders/reminders.table.ts';
export * from './modules/settings/settings.table.ts';
export * from './modules/system/system.table.ts';
