import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../../core/deps.ts';
import type { CustomersService } from '../crm/index.ts';
import { ProjectsRepository } from './projects.repository.ts';
import { projectsRoutes } from './projects.routes.ts';
import * as schemas from './projects.schemas.ts';
import { ProjectsService, type ProjectTimeFigures } from './projects.service.ts';

export type { ProjectRow } from './projects.repository.ts';
export { ProjectFigures } from './projects.schemas.ts';
export type { ProjectsService, ProjectTimeFigures } from './projects.service.ts';

export interface ProjectsModule {
  projects: ProjectsService;
  routes(app: FastifyInstance): Promise<void>;
}

/** Projects (SPEC 4.2). */
export function createProjectsModule(
  deps: CoreDeps,
  options: { customers: CustomersService; time(): ProjectTimeFigures | null },
): ProjectsModule {
  const projectRepo = new ProjectsRepository(deps.db);
  deps.links.register('project', async (id) => (await projectRepo.findById(id)) !== null);
  const projects = new ProjectsService({
    db: deps.db,
    audit: deps.audit,
    projects: projectRepo,
    companyTimezone: deps.companyTimezone,
    time: options.time,
  });
  return {
    projects,
    async routes(app) {
      for (const schema of [
        schemas.ProjectResponse,
        schemas.ProjectList,
        schemas.ProjectCreate,
        schemas.ProjectUpdate,
        schemas.ProjectStatistics,
      ]) {
        app.addSchema(schema);
      }
      await projectsRoutes(app, { projects, customers: options.customers });
    },
  };
}
