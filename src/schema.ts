// Every Drizzle table, for drizzle-kit and the typed database handle.
export * from './core/db/core.table.ts';
export * from './modules/employees/employees.table.ts';
export * from './modules/identity/identity.table.ts';
export * from './modules/settings/settings.table.ts';
