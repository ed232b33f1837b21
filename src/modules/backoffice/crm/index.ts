import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../../core/deps.ts';
import { ActivitiesRepository } from './activities.repository.ts';
import { ActivitiesService } from './activities.service.ts';
import { ContactsRepository } from './contacts.repository.ts';
import { ContactsService } from './contacts.service.ts';
import { crmRoutes } from './crm.routes.ts';
import * as schemas from './crm.schemas.ts';
import { CustomersRepository } from './customers.repository.ts';
import { type CustomerFigures, CustomersService } from './customers.service.ts';

export type { CustomerFigures, CustomersService } from './customers.service.ts';

export interface CrmModule {
  customers: CustomersService;
  contacts: ContactsService;
  activities: ActivitiesService;
  routes(app: FastifyInstance): Promise<void>;
}

/** Customers, contacts and activities (SPEC 4.1). */
export function createCrmModule(
  deps: CoreDeps,
  options: { numberPrefix(): Promise<string>; figures(): CustomerFigures | null },
): CrmModule {
  const customerRepo = new CustomersRepository(deps.db);
  const contactRepo = new ContactsRepository(deps.db);
  deps.links.register('customer', async (id) => (await customerRepo.findById(id)) !== null);
  deps.links.register('contact', async (id) => (await contactRepo.findById(id)) !== null);
  const customers = new CustomersService({
    db: deps.db,
    audit: deps.audit,
    customers: customerRepo,
    numberPrefix: options.numberPrefix,
    companyTimezone: deps.companyTimezone,
    figures: options.figures,
  });
  const contacts = new ContactsService(deps.db, deps.audit, contactRepo, customerRepo);
  const activities = new ActivitiesService(
    deps.db,
    deps.audit,
    new ActivitiesRepository(deps.db),
    contactRepo,
    customerRepo,
    deps.companyTimezone,
  );
  return {
    customers,
    contacts,
    activities,
    async routes(app) {
      for (const schema of [
        schemas.CustomerResponse,
        schemas.CustomerList,
        schemas.CustomerCreate,
        schemas.CustomerUpdate,
        schemas.CustomerStatistics,
        schemas.CrmStatistics,
        schemas.ContactResponse,
        schemas.ContactList,
        schemas.ContactCreate,
        schemas.ContactUpdate,
        schemas.ActivityResponse,
        schemas.ActivityList,
        schemas.ActivityCreate,
        schemas.ActivityUpdate,
      ]) {
        app.addSchema(schema);
      }
      await crmRoutes(app, { customers, contacts, activities });
    },
  };
}
