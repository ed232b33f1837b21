import { Type } from '@sinclair/typebox';
import {
  DateString,
  Email,
  ListEnvelope,
  ListQuery,
  Nullable,
  StringEnum,
  Text,
  Timestamp,
  UpdateOf,
  Uuid,
} from '../../core/http/schemas.ts';

export const GENDERS = ['male', 'female', 'diverse', 'other'] as const;
export const EMPLOYMENT_TYPES = ['fulltime', 'parttime', 'intern', 'external'] as const;
export const EMPLOYEE_STATUSES = ['active', 'inactive', 'on_leave'] as const;
export const LANGUAGES = ['de', 'en'] as const;

/** Returned only to the employee themself and to holders of employees.personal; others get null. */
export const PERSONAL_FIELDS = [
  'gender',
  'birth_date',
  'nationality',
  'address_street',
  'address_zip',
  'address_city',
  'address_country',
  'phone',
  'termination_date',
] as const;

const Country = () => Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' });

/** Fields a client may set on an employee (all optional here; create adds the required ones). */
const employeeWritable = {
  sso_subject: Nullable(Text(255, { description: 'the IdP subject (sub) this employee signs in as' })),
  first_name: Text(100),
  last_name: Text(100),
  gender: Nullable(StringEnum(GENDERS)),
  birth_date: Nullable(DateString()),
  nationality: Nullable(Text(100)),
  photo_url: Nullable(Type.String({ format: 'uri', maxLength: 2000 })),
  bio: Nullable(Type.String({ maxLength: 5000 })),
  email: Email(),
  phone: Nullable(Text(50)),
  address_street: Nullable(Text(200)),
  address_zip: Nullable(Text(20)),
  address_city: Nullable(Text(100)),
  address_country: Nullable(Country()),
  department_id: Nullable(Uuid()),
  role_id: Nullable(Uuid({ description: 'defaults to the Employee system role' })),
  reports_to: Nullable(Uuid({ description: 'the manager; no cycles' })),
  employment_type: StringEnum(EMPLOYMENT_TYPES, { default: 'fulltime' }),
  hire_date: Nullable(DateString()),
  termination_date: Nullable(DateString({ description: 'on or after hire_date' })),
  status: StringEnum(EMPLOYEE_STATUSES, { default: 'active' }),
  timezone: Text(64, { description: 'IANA time zone, default Europe/Berlin' }),
  language: StringEnum(LANGUAGES, { default: 'de' }),
  theme: Text(64, { description: 'default catppuccin-frappe' }),
  notifications_enabled: Type.Boolean({ default: true }),
  matrix_username: Nullable(Text(255)),
};

const { first_name, last_name, email, employment_type, status, language, notifications_enabled, ...optional } =
  employeeWritable;

export const EmployeeCreate = Type.Object(
  {
    employee_code: Type.Optional(
      Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9-]{0,31}$', description: 'assigned by the server unless given' }),
    ),
    first_name,
    last_name,
    email,
    employment_type: Type.Optional(employment_type),
    status: Type.Optional(status),
    language: Type.Optional(language),
    notifications_enabled: Type.Optional(notifications_enabled),
    ...Type.Partial(Type.Object(optional)).properties,
  },
  { $id: 'EmployeeCreate', additionalProperties: false },
);

export const EmployeeUpdate = UpdateOf(employeeWritable, { $id: 'EmployeeUpdate' });

const Embedded = {
  department: Nullable(Type.Object({ id: Uuid(), name: Type.String(), code: Nullable(Type.String()) })),
  role: Nullable(Type.Object({ id: Uuid(), name: Type.String() })),
};

export const EmployeeResponse = Type.Object(
  {
    id: Uuid(),
    employee_code: Type.String(),
    sso_subject: Nullable(Type.String()),
    first_name: Type.String(),
    last_name: Type.String(),
    gender: Nullable(Type.String()),
    birth_date: Nullable(DateString()),
    nationality: Nullable(Type.String()),
    photo_url: Nullable(Type.String()),
    bio: Nullable(Type.String()),
    email: Type.String(),
    phone: Nullable(Type.String()),
    address_street: Nullable(Type.String()),
    address_zip: Nullable(Type.String()),
    address_city: Nullable(Type.String()),
    address_country: Nullable(Type.String()),
    department_id: Nullable(Uuid()),
    role_id: Nullable(Uuid()),
    reports_to: Nullable(Uuid()),
    employment_type: Type.String(),
    hire_date: Nullable(DateString()),
    termination_date: Nullable(DateString()),
    status: Type.String(),
    timezone: Type.String(),
    language: Type.String(),
    theme: Type.String(),
    notifications_enabled: Type.Boolean(),
    matrix_username: Nullable(Type.String()),
    last_login: Nullable(Timestamp()),
    created_at: Timestamp(),
    updated_at: Timestamp(),
    ...Embedded,
  },
  { $id: 'Employee' },
);

export const EmployeeListQuery = ListQuery({
  status: Type.Optional(StringEnum(EMPLOYEE_STATUSES)),
  department_id: Type.Optional(Uuid()),
  role_id: Type.Optional(Uuid()),
  reports_to: Type.Optional(Uuid()),
  employment_type: Type.Optional(StringEnum(EMPLOYMENT_TYPES)),
  hire_date_from: Type.Optional(DateString()),
  hire_date_to: Type.Optional(DateString()),
});

export const EmployeeList = ListEnvelope(Type.Ref('Employee'), { $id: 'EmployeeList' });
export const EmployeeCodeParams = Type.Object(
  { code: Type.String({ minLength: 1, maxLength: 32 }) },
  { additionalProperties: false },
);

// Departments

export const DepartmentCreate = Type.Object(
  {
    name: Text(200),
    code: Type.Optional(Nullable(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$' }))),
    description: Type.Optional(Nullable(Type.String({ maxLength: 5000 }))),
    manager_id: Type.Optional(Nullable(Uuid())),
  },
  { $id: 'DepartmentCreate', additionalProperties: false },
);
export const DepartmentUpdate = UpdateOf(DepartmentCreate.properties, { $id: 'DepartmentUpdate' });

export const DepartmentResponse = Type.Object(
  {
    id: Uuid(),
    name: Type.String(),
    code: Nullable(Type.String()),
    description: Nullable(Type.String()),
    manager_id: Nullable(Uuid()),
    manager: Nullable(Type.Object({ id: Uuid(), first_name: Type.String(), last_name: Type.String() })),
    employee_count: Type.Integer(),
    created_at: Timestamp(),
    updated_at: Timestamp(),
  },
  { $id: 'Department' },
);
export const DepartmentListQuery = ListQuery({ manager_id: Type.Optional(Uuid()) });
export const DepartmentList = ListEnvelope(Type.Ref('Department'), { $id: 'DepartmentList' });

// Roles

const PermissionKey = Type.String({
  minLength: 1,
  maxLength: 100,
  description: '"*", a catalog key, or a pattern such as backoffice.* covering at least one catalog key',
});

export const RoleCreate = Type.Object(
  {
    name: Text(100),
    description: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
    permissions: Type.Optional(Type.Array(PermissionKey, { maxItems: 200, default: [] })),
    zitadel_role_key: Type.Optional(Nullable(Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,100}$' }))),
    priority: Type.Optional(Type.Integer({ minimum: -1000000, maximum: 1000000, default: 0 })),
  },
  { $id: 'RoleCreate', additionalProperties: false },
);
export const RoleUpdate = UpdateOf(RoleCreate.properties, { $id: 'RoleUpdate' });
export const RoleResponse = Type.Object(
  {
    id: Uuid(),
    name: Type.String(),
    description: Nullable(Type.String()),
    permissions: Type.Array(Type.String()),
    zitadel_role_key: Nullable(Type.String()),
    priority: Type.Integer(),
    is_system: Type.Boolean(),
    employee_count: Type.Integer(),
    created_at: Timestamp(),
    updated_at: Timestamp(),
  },
  { $id: 'Role' },
);
export const RoleListQuery = ListQuery({ is_system: Type.Optional(Type.Boolean()) });
export const RoleList = ListEnvelope(Type.Ref('Role'), { $id: 'RoleList' });

export const PermissionCatalog = Type.Array(Type.Object({ key: Type.String(), description: Type.String() }), {
  $id: 'PermissionCatalog',
});
