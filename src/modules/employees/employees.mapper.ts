import { hasPermission } from '../../core/auth/permissions.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { DepartmentWithRefs } from './departments.repository.ts';
import type { EmployeeListRow, EmployeeWithRefs } from './employees.repository.ts';
import { PERSONAL_FIELDS } from './employees.schemas.ts';
import type { RoleWithCount } from './roles.repository.ts';

/** Whether `viewer` may see the personal fields of employee `employeeId` (themself or HR). */
export function canSeePersonalFields(viewer: Principal | null, employeeId: string): boolean {
  return viewer !== null && (viewer.id === employeeId || hasPermission(viewer.permissions, 'employees.personal'));
}

export function toEmployeeResponse(e: EmployeeWithRefs, viewer: Principal | null) {
  const response = {
    id: e.id,
    employee_code: e.employeeCode,
    sso_subject: e.ssoSubject,
    first_name: e.firstName,
    last_name: e.lastName,
    gender: e.gender,
    birth_date: e.birthDate,
    nationality: e.nationality,
    photo_url: e.photoUrl,
    bio: e.bio,
    email: e.email,
    phone: e.phone,
    address_street: e.addressStreet,
    address_zip: e.addressZip,
    address_city: e.addressCity,
    address_country: e.addressCountry,
    department_id: e.departmentId,
    department: e.department,
    role_id: e.roleId,
    role: e.role,
    reports_to: e.reportsTo,
    employment_type: e.employmentType,
    hire_date: e.hireDate,
    termination_date: e.terminationDate,
    status: e.status,
    timezone: e.timezone,
    language: e.language,
    theme: e.theme,
    notifications_enabled: e.notificationsEnabled,
    matrix_username: e.matrixUsername,
    last_login: e.lastLogin,
    created_at: e.createdAt,
    updated_at: e.updatedAt,
  };
  if (!canSeePersonalFields(viewer, e.id)) for (const field of PERSONAL_FIELDS) response[field] = null;
  return response;
}

/** A list row (already in the response shape) with personal fields masked for this viewer. */
export function maskListRow(row: EmployeeListRow, viewer: Principal | null): EmployeeListRow {
  if (canSeePersonalFields(viewer, row.id)) return row;
  for (const field of PERSONAL_FIELDS) row[field] = null;
  return row;
}

export function toDepartmentResponse(d: DepartmentWithRefs) {
  return {
    id: d.id,
    name: d.name,
    code: d.code,
    description: d.description,
    manager_id: d.managerId,
    manager: d.manager,
    employee_count: d.employee_count,
    created_at: d.createdAt,
    updated_at: d.updatedAt,
  };
}

export function toRoleResponse(r: RoleWithCount) {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    permissions: r.permissions,
    zitadel_role_key: r.zitadelRoleKey,
    priority: r.priority,
    is_system: r.isSystem,
    employee_count: r.employee_count,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
}
