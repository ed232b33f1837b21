import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ListQueryInput } from '../../../core/db/list.ts';
import { typed } from '../../../core/http/app-type.ts';
import { registerCrudRoutes } from '../../../core/http/crud-routes.ts';
import { IdParams } from '../../../core/http/schemas.ts';
import type { ActivitiesService } from './activities.service.ts';
import type { ContactsService } from './contacts.service.ts';
import { toActivityResponse, toContactResponse, toCustomerResponse } from './crm.mapper.ts';
import * as s from './crm.schemas.ts';
import type { CustomersService } from './customers.service.ts';

export interface CrmServices {
  customers: CustomersService;
  contacts: ContactsService;
  activities: ActivitiesService;
}

const CRM = { read: 'backoffice.crm.read', write: 'backoffice.crm.write', delete: 'backoffice.crm.delete' };

export async function crmRoutes(fastify: FastifyInstance, services: CrmServices): Promise<void> {
  const app = typed(fastify);
  const tags = ['crm'];

  app.get(
    '/api/crm/statistics',
    {
      config: { permission: CRM.read },
      schema: {
        tags,
        operationId: 'getCrmStatistics',
        summary: 'CRM figures',
        description:
          'Counts by status and type, new customers per month (company time zone), top customers by revenue.',
        response: { 200: Type.Ref(s.CrmStatistics) },
      },
    },
    () => services.customers.crmStatistics(),
  );

  registerCrudRoutes(fastify, {
    path: '/api/customers',
    tag: 'crm',
    names: ['Customer', 'Customers'],
    permissions: CRM,
    schemas: {
      response: s.CustomerResponse,
      list: s.CustomerList,
      listQuery: s.CustomerListQuery,
      create: s.CustomerCreate,
      update: s.CustomerUpdate,
    },
    service: services.customers,
    toResponse: toCustomerResponse,
    toListItem: (row) => row,
    descriptions: {
      list: 'Search matches name, customer number, e-mail and city. Archived customers only with include_archived=true.',
      create: 'The customer number is assigned by the server from the settings prefix (KIT-CUS-000001).',
      delete: 'Archives the customer (archived_at set); GET by id still returns it; POST …/restore undoes it.',
    },
    restore: { permission: CRM.delete },
  });

  app.get(
    '/api/customers/:id/statistics',
    {
      config: { permission: CRM.read },
      schema: {
        tags,
        operationId: 'getCustomerStatistics',
        summary: 'Figures of one customer',
        description: 'Invoice figures read 0 until the invoicing module exists.',
        params: IdParams,
        response: { 200: Type.Ref(s.CustomerStatistics) },
      },
    },
    (request) => services.customers.statistics(request.params.id),
  );

  app.get(
    '/api/customers/:id/contacts',
    {
      config: { permission: CRM.read },
      schema: {
        tags,
        operationId: 'listCustomerContacts',
        summary: "A customer's contacts",
        params: IdParams,
        querystring: s.NestedListQuery,
        response: { 200: Type.Ref(s.ContactList) },
      },
    },
    async (request) => {
      await services.customers.assertExists(request.params.id);
      const page = await services.contacts.listForCustomer(request.params.id, request.query as ListQueryInput);
      return { ...page, items: page.items.map(toContactResponse) };
    },
  );

  app.get(
    '/api/customers/:id/activities',
    {
      config: { permission: CRM.read },
      schema: {
        tags,
        operationId: 'listCustomerActivities',
        summary: "A customer's activities",
        params: IdParams,
        querystring: s.NestedListQuery,
        response: { 200: Type.Ref(s.ActivityList) },
      },
    },
    async (request) => {
      await services.customers.assertExists(request.params.id);
      const page = await services.activities.listForCustomer(request.params.id, request.query as ListQueryInput);
      return { ...page, items: page.items.map(toActivityResponse) };
    },
  );

  registerCrudRoutes(fastify, {
    path: '/api/contacts',
    tag: 'crm',
    names: ['Contact', 'Contacts'],
    permissions: CRM,
    schemas: {
      response: s.ContactResponse,
      list: s.ContactList,
      listQuery: s.ContactListQuery,
      create: s.ContactCreate,
      update: s.ContactUpdate,
    },
    service: services.contacts,
    toResponse: toContactResponse,
    descriptions: {
      list: 'Search matches first and last name, e-mail, position and department.',
      create: 'is_primary=true demotes the customer’s current primary contact in the same transaction.',
      update: 'is_primary=true demotes the customer’s current primary contact in the same transaction.',
    },
  });

  registerCrudRoutes(fastify, {
    path: '/api/activities',
    tag: 'crm',
    names: ['Activity', 'Activities'],
    permissions: CRM,
    schemas: {
      response: s.ActivityResponse,
      list: s.ActivityList,
      listQuery: s.ActivityListQuery,
      create: s.ActivityCreate,
      update: s.ActivityUpdate,
    },
    service: services.activities,
    toResponse: toActivityResponse,
    descriptions: {
      list: 'Search matches subject and description.',
      create: 'contact_id must belong to customer_id (422 otherwise).',
    },
  });
}
