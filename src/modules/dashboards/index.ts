import type { TSchema } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../core/deps.ts';
import { SummaryRegistry, type SummarySection } from './dashboard-summary.ts';
import { DashboardsRepository } from './dashboards.repository.ts';
import { dashboardsRoutes } from './dashboards.routes.ts';
import * as schemas from './dashboards.schemas.ts';
import { DashboardsService } from './dashboards.service.ts';

export type { SummarySection } from './dashboard-summary.ts';

export interface DashboardsModule {
  dashboards: DashboardsService;
  /** Adds a section to GET /api/dashboards/summary; call at wiring time, before the routes are built. */
  registerSection<T extends TSchema>(section: SummarySection<T>): void;
  routes(app: FastifyInstance): Promise<void>;
}

/** Per-user dashboards and the summary their widgets read (SPEC 3.4). */
export function createDashboardsModule(deps: CoreDeps): DashboardsModule {
  const dashboards = new DashboardsService(deps.db, deps.audit, new DashboardsRepository(deps.db));
  const summary = new SummaryRegistry();
  return {
    dashboards,
    registerSection: (section) => summary.register(section),
    async routes(app) {
      for (const schema of [
        schemas.DashboardConfig,
        schemas.DashboardResponse,
        schemas.DashboardList,
        schemas.DashboardCreate,
        schemas.DashboardUpdate,
        summary.schema(),
      ]) {
        app.addSchema(schema);
      }
      await dashboardsRoutes(app, { dashboards, summary });
    },
  };
}
