import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { principalOf } from '../../core/auth/auth-hook.ts';
import { typed } from '../../core/http/app-type.ts';
import { registerCrudRoutes } from '../../core/http/crud-routes.ts';
import { setEtag } from '../../core/http/etag.ts';
import type { DepartmentsService } from './departments.service.ts';
import { maskListRow, toDepartmentResponse, toEmployeeResponse, toRoleResponse } from './employees.mapper.ts';
import type { EmployeeListRow } from './employees.repository.ts';
import * as s from './employees.schemas.ts';
import type { EmployeeCreateInput, EmployeesService, EmployeeUpdateInput } from './employees.service.ts';
import type { RolesService } from './roles.service.ts';

export async function employeesRoutes(
  fastify: FastifyInstance,
  services: { employees: EmployeesService; departments: DepartmentsService; roles: RolesService },
): Promise<void> {
  const { employees } = services;
  const app = typed(fastify);
  const one = { 200: Type.Ref(s.EmployeeResponse) };

  // Fixed paths are registered before /:id so `me` and `code/…` never parse as an id.
  app.get(
    '/api/employees/me',
    {
      config: { permission: 'authenticated' },
      schema: { tags: ['employees'], operationId: 'getOwnEmployee', summary: 'The signed-in employee', response: one },
    },
    async (request, reply) => {
      const employee = await employees.get(principalOf(request).id);
      setEtag(reply, employee);
      return toEmployeeResponse(employee, request.principal);
    },
  );

  app.get(
    '/api/employees/code/:code',
    {
      config: { permission: 'employees.read' },
      schema: {
        tags: ['employees'],
        operationId: 'getEmployeeByCode',
        summary: 'Find an employee by code',
        params: s.EmployeeCodeParams,
        response: one,
      },
    },
    async (request, reply) => {
      const employee = await employees.getByCode(request.params.code);
      setEtag(reply, employee);
      return toEmployeeResponse(employee, request.principal);
    },
  );

  registerCrudRoutes<
    Awaited<ReturnType<EmployeesService['get']>>,
    EmployeeCreateInput,
    EmployeeUpdateInput,
    EmployeeListRow
  >(fastify, {
    path: '/api/employees',
    tag: 'employees',
    names: ['Employee', 'Employees'],
    permissions: { read: 'employees.read', write: 'employees.write', delete: 'employees.delete' },
    schemas: {
      response: s.EmployeeResponse,
      list: s.EmployeeList,
      listQuery: s.EmployeeListQuery,
      create: s.EmployeeCreate,
      update: s.EmployeeUpdate,
    },
    service: employees,
    toResponse: (employee, request) => toEmployeeResponse(employee, request.principal),
    toListItem: (row, request) => maskListRow(row, request.principal),
    descriptions: {
      list: 'Search matches name, e-mail and employee code. Personal fields are null unless you are the employee or hold employees.personal.',
      create:
        'The employee code is assigned from the settings prefix unless given; role_id defaults to the Employee role.',
      update: 'Setting status inactive ends the employee sessions.',
      delete: 'Deactivates (status inactive; the record stays) and revokes the employee sessions.',
    },
  });

  registerCrudRoutes(fastify, {
    path: '/api/departments',
    tag: 'departments',
    names: ['Department', 'Departments'],
    permissions: { read: 'employees.read', write: 'employees.write', delete: 'employees.delete' },
    schemas: {
      response: s.DepartmentResponse,
      list: s.DepartmentList,
      listQuery: s.DepartmentListQuery,
      create: s.DepartmentCreate,
      update: s.DepartmentUpdate,
    },
    service: services.departments,
    toResponse: toDepartmentResponse,
    descriptions: { delete: '409 while employees belong to it.' },
  });

  registerCrudRoutes(fastify, {
    path: '/api/roles',
    tag: 'roles',
    names: ['Role', 'Roles'],
    permissions: { read: 'admin.roles.read', write: 'admin.roles.write', delete: 'admin.roles.write' },
    schemas: {
      response: s.RoleResponse,
      list: s.RoleList,
      listQuery: s.RoleListQuery,
      create: s.RoleCreate,
      update: s.RoleUpdate,
    },
    service: services.roles,
    toResponse: toRoleResponse,
    descriptions: {
      create:
        'Permissions must be "*", catalog keys or patterns covering one (422 otherwise); nobody grants more than they hold (403).',
      delete: '409 for system roles and while employees hold the role.',
    },
  });
}
