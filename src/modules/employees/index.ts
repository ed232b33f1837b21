import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../core/deps.ts';
import { DepartmentsRepository } from './departments.repository.ts';
import { DepartmentsService } from './departments.service.ts';
import { EmployeesRepository } from './employees.repository.ts';
import { employeesRoutes } from './employees.routes.ts';
import * as schemas from './employees.schemas.ts';
import { EmployeesService } from './employees.service.ts';
import { RolesRepository } from './roles.repository.ts';
import { RolesService } from './roles.service.ts';

export { toEmployeeResponse } from './employees.mapper.ts';
export type { EmployeeAccess, EmployeeContact, EmployeeWithRefs } from './employees.repository.ts';
export { EmployeeResponse } from './employees.schemas.ts';
export type { EmployeesService } from './employees.service.ts';
export type { RolesService } from './roles.service.ts';

export interface EmployeesModule {
  employees: EmployeesService;
  departments: DepartmentsService;
  roles: RolesService;
  routes(app: FastifyInstance): Promise<void>;
}

/** Employees, departments and roles (SPEC 3.1, 2.4). */
export function createEmployeesModule(
  deps: CoreDeps,
  options: { codePrefix(): Promise<string>; onRoleChanged(): void },
): EmployeesModule {
  const roleRepo = new RolesRepository(deps.db);
  const employeeRepo = new EmployeesRepository(deps.db);
  deps.links.register('employee', async (id) => (await employeeRepo.findById(id)) !== null);
  const employees = new EmployeesService({
    db: deps.db,
    audit: deps.audit,
    employees: employeeRepo,
    roles: roleRepo,
    codePrefix: options.codePrefix,
  });
  const departments = new DepartmentsService(deps.db, deps.audit, new DepartmentsRepository(deps.db));
  const roles = new RolesService(deps.db, deps.audit, roleRepo, () => options.onRoleChanged());
  return {
    employees,
    departments,
    roles,
    async routes(app) {
      for (const schema of [
        schemas.EmployeeResponse,
        schemas.EmployeeList,
        schemas.EmployeeCreate,
        schemas.EmployeeUpdate,
        schemas.DepartmentResponse,
        schemas.DepartmentList,
        schemas.DepartmentCreate,
        schemas.DepartmentUpdate,
        schemas.RoleResponse,
        schemas.RoleList,
        schemas.RoleCreate,
        schemas.RoleUpdate,
      ]) {
        app.addSchema(schema);
      }
      await employeesRoutes(app, { employees, departments, roles });
    },
  };
}
