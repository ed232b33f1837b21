import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../../core/deps.ts';
import type { ProjectsService, ProjectTimeFigures } from '../projects/index.ts';
import { RollupsRepository } from './rollups.repository.ts';
import { TimeEntriesRepository } from './time-tracking.repository.ts';
import { timeTrackingRoutes } from './time-tracking.routes.ts';
import * as schemas from './time-tracking.schemas.ts';
import { TimeTrackingService } from './time-tracking.service.ts';

export { TimeFigures } from './time-tracking.schemas.ts';
export type { TimeTrackingService } from './time-tracking.service.ts';

export interface TimeTrackingModule {
  time: TimeTrackingService;
  /** What the projects module's statistics read. */
  projectFigures: ProjectTimeFigures;
  routes(app: FastifyInstance): Promise<void>;
}

/** Time entries, timers, approval, summary and export (SPEC 4.3). */
export function createTimeTrackingModule(
  deps: CoreDeps,
  options: { projects: ProjectsService; assertEmployeeExists(id: string): Promise<void> },
): TimeTrackingModule {
  const entries = new TimeEntriesRepository(deps.db);
  deps.links.register('time_entry', async (id) => (await entries.findById(id)) !== null);
  const time = new TimeTrackingService({
    db: deps.db,
    audit: deps.audit,
    entries,
    rollups: new RollupsRepository(deps.db),
    companyTimezone: deps.companyTimezone,
    findProject: (id) => options.projects.findRow(id),
  });
  return {
    time,
    projectFigures: { figures: (projectId) => time.projectFigures(projectId) },
    async routes(app) {
      for (const schema of [
        schemas.TimeEntryResponse,
        schemas.TimeEntryList,
        schemas.TimeEntryCreate,
        schemas.TimeEntryUpdate,
        schemas.TimerStart,
        schemas.ApproveBody,
        schemas.ApproveResult,
        schemas.Summary,
      ]) {
        app.addSchema(schema);
      }
      await timeTrackingRoutes(app, {
        time,
        projects: options.projects,
        assertEmployeeExists: options.assertEmployeeExists,
      });
    },
  };
}
