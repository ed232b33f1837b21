import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  /** Bumped on every update; the ETag is derived from it. */
  version: integer('version').notNull().default(1),
};

export const roles = pgTable('roles', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull().unique('roles_name_unique'),
  description: text('description'),
  permissions: jsonb('permissions').$type<string[]>().notNull().default([]),
  zitadelRoleKey: text('zitadel_role_key').unique('roles_zitadel_role_key_unique'),
  priority: integer('priority').notNull().default(0),
  isSystem: boolean('is_system').notNull().default(false),
  ...timestamps,
});

export const departments = pgTable(
  'departments',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull(),
    code: text('code').unique('departments_code_unique'),
    description: text('description'),
    managerId: uuid('manager_id').references((): AnyPgColumn => employees.id, { onDelete: 'set null' }),
    ...timestamps,
  },
  (t) => [index('departments_created_idx').on(t.createdAt, t.id)],
);

export const employees = pgTable(
  'employees',
  {
    id: uuid('id').primaryKey(),
    employeeCode: text('employee_code').notNull().unique('employees_employee_code_unique'),
    ssoSubject: text('sso_subject').unique('employees_sso_subject_unique'),
    firstName: text('first_name').notNull(),
    lastName: text('last_name').notNull(),
    gender: text('gender'),
    birthDate: date('birth_date', { mode: 'string' }),
    nationality: text('nationality'),
    photoUrl: text('photo_url'),
    bio: text('bio'),
    email: text('email').notNull(),
    phone: text('phone'),
    addressStreet: text('address_street'),
    addressZip: text('address_zip'),
    addressCity: text('address_city'),
    addressCountry: text('address_country'),
    departmentId: uuid('department_id').references(() => departments.id, { onDelete: 'restrict' }),
    roleId: uuid('role_id').references(() => roles.id, { onDelete: 'restrict' }),
    reportsTo: uuid('reports_to').references((): AnyPgColumn => employees.id, { onDelete: 'set null' }),
    employmentType: text('employment_type').notNull().default('fulltime'),
    hireDate: date('hire_date', { mode: 'string' }),
    terminationDate: date('termination_date', { mode: 'string' }),
    status: text('status').notNull().default('active'),
    timezone: text('timezone').notNull().default('Europe/Berlin'),
    language: text('language').notNull().default('de'),
    theme: text('theme').notNull().default('catppuccin-frappe'),
    notificationsEnabled: boolean('notifications_enabled').notNull().default(true),
    matrixUsername: text('matrix_username'),
    lastLogin: timestamp('last_login', { withTimezone: true, mode: 'date' }),
    passwordHash: text('password_hash'),
    ...timestamps,
  },
  (t) => [
    // E-mails are stored lower-cased by the API; the index makes uniqueness case-blind anyway.
    uniqueIndex('employees_email_unique').on(sql`lower(${t.email})`),
    index('employees_created_idx').on(t.createdAt, t.id),
    index('employees_department_idx').on(t.departmentId),
    index('employees_role_idx').on(t.roleId),
    index('employees_reports_to_idx').on(t.reportsTo),
    check(
      'employees_termination_after_hire',
      sql`${t.terminationDate} is null or ${t.hireDate} is null or ${t.terminationDate} >= ${t.hireDate}`,
    ),
    check('employees_not_own_manager', sql`${t.reportsTo} is null or ${t.reportsTo} <> ${t.id}`),
  ],
);
