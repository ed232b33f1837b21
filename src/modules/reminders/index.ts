import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../core/deps.ts';
import type { EmployeeContact } from '../employees/index.ts';
import { remindersDailyJob } from './reminders.job.ts';
import { RemindersRepository } from './reminders.repository.ts';
import { remindersRoutes } from './reminders.routes.ts';
import * as schemas from './reminders.schemas.ts';
import { RemindersService } from './reminders.service.ts';

export { REMINDERS_JOB } from './reminders.job.ts';
export { ReminderFigures } from './reminders.schemas.ts';
export type { RemindersService } from './reminders.service.ts';

export interface RemindersModule {
  reminders: RemindersService;
  routes(app: FastifyInstance): Promise<void>;
}

/** Reminders and their daily overdue/notification job (SPEC 3.3). */
export function createRemindersModule(
  deps: CoreDeps,
  options: { employeeContacts(ids: string[]): Promise<EmployeeContact[]> },
): RemindersModule {
  const repository = new RemindersRepository(deps.db);
  const reminders = new RemindersService({
    db: deps.db,
    audit: deps.audit,
    reminders: repository,
    links: deps.links,
    companyTimezone: deps.companyTimezone,
    employeeContacts: options.employeeContacts,
  });
  deps.jobs.register(
    remindersDailyJob({
      db: deps.db,
      audit: deps.audit,
      reminders: repository,
      mail: deps.mail,
      companyTimezone: deps.companyTimezone,
      employeeContacts: options.employeeContacts,
    }),
  );
  return {
    reminders,
    async routes(app) {
      for (const schema of [
        schemas.ReminderResponse,
        schemas.ReminderList,
        schemas.ReminderCreate,
        schemas.ReminderUpdate,
      ]) {
        app.addSchema(schema);
      }
      await remindersRoutes(app, reminders);
    },
  };
}
