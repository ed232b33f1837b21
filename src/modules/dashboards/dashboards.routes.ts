import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { typed } from '../../core/http/app-type.ts';
import { registerCrudRoutes } from '../../core/http/crud-routes.ts';
import { forbidden } from '../../core/http/errors.ts';
import type { SummaryRegistry } from './dashboard-summary.ts';
import { toDashboardResponse } from './dashboards.mapper.ts';
import * as s from './dashboards.schemas.ts';
import type { DashboardsService } from './dashboards.service.ts';

const READ = 'dashboards.read';
const WRITE = 'dashboards.write';
const OWNER = "Only the owner sees a dashboard; others' dashboards are 404.";

export async function dashboardsRoutes(
  fastify: FastifyInstance,
  services: { dashboards: DashboardsService; summary: SummaryRegistry },
): Promise<void> {
  const app = typed(fastify);
  const { dashboards, summary } = services;

  app.get(
    '/api/dashboards/summary',
    {
      config: { permission: READ },
      schema: {
        tags: ['dashboards'],
        operationId: 'getDashboardSummary',
        summary: 'What the widgets show, for the caller',
        description: `Each section appears only when the caller holds its permission (${summary.names().join(', ')}). Days and weeks (Monday first) in the company time zone.`,
        response: { 200: Type.Ref('DashboardSummary') },
      },
    },
    async (request) => {
      if (!request.principal) throw forbidden();
      return summary.compute(request.principal);
    },
  );

  registerCrudRoutes(fastify, {
    path: '/api/dashboards',
    tag: 'dashboards',
    names: ['Dashboard', 'Dashboards'],
    permissions: { read: READ, write: WRITE, delete: WRITE },
    schemas: {
      response: s.DashboardResponse,
      list: s.DashboardList,
      listQuery: s.DashboardListQuery,
      create: s.DashboardCreate,
      update: s.DashboardUpdate,
    },
    service: dashboards,
    listFor: (query, ctx) => dashboards.listOwned(query, ctx),
    toResponse: toDashboardResponse,
    descriptions: {
      list: "The caller's dashboards. Search matches the name.",
      create:
        'The caller owns it. The first dashboard becomes the default; is_default=true makes it the default and clears the old one.',
      update: `GET by id records last_accessed (the ETag does not change). ${OWNER}`,
      delete: `Deleting the default makes the most recently used remaining dashboard the default. ${OWNER}`,
    },
  });
}
