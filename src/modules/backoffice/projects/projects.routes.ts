import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ListQueryInput } from '../../../core/db/list.ts';
import { typed } from '../../../core/http/app-type.ts';
import { registerCrudRoutes } from '../../../core/http/crud-routes.ts';
import { IdParams } from '../../../core/http/schemas.ts';
import type { CustomersService } from '../crm/index.ts';
import { toProjectResponse } from './projects.mapper.ts';
import * as s from './projects.schemas.ts';
import type { ProjectsService } from './projects.service.ts';

const P = {
  read: 'backoffice.projects.read',
  write: 'backoffice.projects.write',
  delete: 'backoffice.projects.delete',
};

export async function projectsRoutes(
  fastify: FastifyInstance,
  services: { projects: ProjectsService; customers: CustomersService },
): Promise<void> {
  const app = typed(fastify);
  const tags = ['projects'];

  registerCrudRoutes(fastify, {
    path: '/api/projects',
    tag: 'projects',
    names: ['Project', 'Projects'],
    permissions: P,
    schemas: {
      response: s.ProjectResponse,
      list: s.ProjectList,
      listQuery: s.ProjectListQuery,
      create: s.ProjectCreate,
      update: s.ProjectUpdate,
    },
    service: services.projects,
    toResponse: toProjectResponse,
    descriptions: {
      list: 'Search matches title, project number and description. Archived projects only with include_archived=true.',
      create: 'The project number is assigned per year (PRJ-2026-001, year in the company time zone).',
      delete: 'Archives the project (archived_at set); GET by id still returns it; POST …/restore undoes it.',
    },
    restore: { permission: P.delete },
  });

  app.get(
    '/api/projects/:id/statistics',
    {
      config: { permission: P.read },
      schema: {
        tags,
        operationId: 'getProjectStatistics',
        summary: 'Figures of one project',
        description:
          'Time figures from finished entries; invoice and expense figures read 0 until those modules exist.',
        params: IdParams,
        response: { 200: Type.Ref(s.ProjectStatistics) },
      },
    },
    (request) => services.projects.statistics(request.params.id),
  );

  app.get(
    '/api/customers/:id/projects',
    {
      config: { permission: P.read },
      schema: {
        tags,
        operationId: 'listCustomerProjects',
        summary: "A customer's projects",
        params: IdParams,
        querystring: s.NestedProjectListQuery,
        response: { 200: Type.Ref(s.ProjectList) },
      },
    },
    async (request) => {
      await services.customers.assertExists(request.params.id);
      const page = await services.projects.list(request.query as ListQueryInput, request.params.id);
      return { ...page, items: page.items.map(toProjectResponse) };
    },
  );
}
