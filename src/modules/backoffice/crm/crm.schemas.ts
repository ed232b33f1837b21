import { Type } from '@sinclair/typebox';
import {
  Email,
  ListEnvelope,
  ListQuery,
  Nullable,
  StringEnum,
  Text,
  Timestamp,
  UpdateOf,
  Uuid,
} from '../../../core/http/schemas.ts';
import { MoneyOut } from '../shared/money.ts';

export const CUSTOMER_TYPES = ['creator', 'individual', 'business', 'government'] as const;
export const CUSTOMER_STATUSES = ['active', 'inactive', 'lead', 'blocked'] as const;
export const ACTIVITY_TYPES = ['call', 'meeting', 'email', 'note'] as const;

const Country = () => Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2, default DE' });

// Customers

const customerWritable = {
  name: Text(200, { description: 'company or person name' }),
  type: StringEnum(CUSTOMER_TYPES, { default: 'business' }),
  email: Nullable(Email()),
  phone: Nullable(Text(50)),
  website: Nullable(Type.String({ format: 'uri', maxLength: 500 })),
  tax_id: Nullable(Text(50, { description: 'Steuernummer' })),
  vat_id: Nullable(Text(50, { description: 'USt-IdNr.' })),
  street: Nullable(Text(200)),
  zip_code: Nullable(Text(20)),
  city: Nullable(Text(100)),
  country: Country(),
  leitweg_id: Nullable(Text(50, { description: 'Leitweg-ID of public buyers (XRechnung)' })),
  notes: Nullable(Type.String({ maxLength: 10000 })),
  status: StringEnum(CUSTOMER_STATUSES, { default: 'active' }),
};

const { name, type, country, status, ...customerOptional } = customerWritable;

export const CustomerCreate = Type.Object(
  {
    name,
    type: Type.Optional(type),
    country: Type.Optional({ ...country, default: 'DE' }),
    status: Type.Optional(status),
    ...Type.Partial(Type.Object(customerOptional)).properties,
  },
  { $id: 'CustomerCreate', additionalProperties: false },
);

export const CustomerUpdate = UpdateOf(customerWritable, { $id: 'CustomerUpdate' });

const PrimaryContact = Nullable(
  Type.Object({
    id: Uuid(),
    full_name: Type.String(),
    display_name: Type.String(),
    email: Nullable(Type.String()),
    phone: Nullable(Type.String()),
  }),
  { description: 'the primary contact, if any' },
);

export const CustomerResponse = Type.Object(
  {
    id: Uuid(),
    customer_number: Type.String({ description: 'server-assigned, e.g. KIT-CUS-000001' }),
    name: Type.String(),
    type: Type.String(),
    email: Nullable(Type.String()),
    phone: Nullable(Type.String()),
    website: Nullable(Type.String()),
    tax_id: Nullable(Type.String()),
    vat_id: Nullable(Type.String()),
    street: Nullable(Type.String()),
    zip_code: Nullable(Type.String()),
    city: Nullable(Type.String()),
    country: Type.String(),
    leitweg_id: Nullable(Type.String()),
    notes: Nullable(Type.String()),
    status: Type.String(),
    archived_at: Nullable(Timestamp({ description: 'set when archived (DELETE); null while active' })),
    created_by: Nullable(Uuid()),
    created_at: Timestamp(),
    updated_at: Timestamp(),
    full_address: Nullable(Type.String({ description: 'street, zip and city, country; null when empty' })),
    primary_contact: PrimaryContact,
  },
  { $id: 'Customer' },
);

export const CustomerListQuery = ListQuery({
  status: Type.Optional(StringEnum(CUSTOMER_STATUSES)),
  type: Type.Optional(StringEnum(CUSTOMER_TYPES)),
  include_archived: Type.Optional(Type.Boolean({ default: false, description: 'also list archived customers' })),
});
export const CustomerList = ListEnvelope(Type.Ref('Customer'), { $id: 'CustomerList' });

export const CustomerStatistics = Type.Object(
  {
    total_revenue: MoneyOut({ description: 'paid invoice amounts (0 until invoicing exists)' }),
    outstanding_amount: MoneyOut({ description: 'unpaid finalized invoice amounts (0 until invoicing exists)' }),
    invoice_count: Type.Integer(),
    overdue_count: Type.Integer(),
    active_projects_count: Type.Integer({
      description: 'projects not archived with status planning, active or on_hold',
    }),
    last_activity_at: Nullable(Timestamp()),
  },
  { $id: 'CustomerStatistics', additionalProperties: false },
);

export const CrmStatistics = Type.Object(
  {
    total_customers: Type.Integer({ description: 'customers not archived' }),
    archived_customers: Type.Integer(),
    by_status: Type.Record(Type.String(), Type.Integer(), { description: 'customers not archived, per status' }),
    by_type: Type.Record(Type.String(), Type.Integer(), { description: 'customers not archived, per type' }),
    new_customers_per_month: Type.Array(
      Type.Object({ month: Type.String({ description: 'YYYY-MM in the company time zone' }), count: Type.Integer() }),
      { description: 'the last 12 months including the current one, oldest first' },
    ),
    top_customers_by_revenue: Type.Array(
      Type.Object({ id: Uuid(), customer_number: Type.String(), name: Type.String(), revenue: MoneyOut() }),
      { description: 'empty until invoicing exists' },
    ),
  },
  { $id: 'CrmStatistics', additionalProperties: false },
);

// Contacts

const contactWritable = {
  first_name: Text(100),
  last_name: Text(100),
  email: Nullable(Email()),
  phone: Nullable(Text(50)),
  mobile: Nullable(Text(50)),
  position: Nullable(Text(100, { description: 'job title, shown in display_name' })),
  department: Nullable(Text(100)),
  is_primary: Type.Boolean({ default: false, description: 'true demotes the current primary contact' }),
  notes: Nullable(Type.String({ maxLength: 10000 })),
};

const { first_name, last_name, is_primary, ...contactOptional } = contactWritable;

export const ContactCreate = Type.Object(
  {
    customer_id: Uuid(),
    first_name,
    last_name,
    is_primary: Type.Optional(is_primary),
    ...Type.Partial(Type.Object(contactOptional)).properties,
  },
  { $id: 'ContactCreate', additionalProperties: false },
);

/** The customer of a contact is fixed once created. */
export const ContactUpdate = UpdateOf(contactWritable, { $id: 'ContactUpdate' });

export const ContactResponse = Type.Object(
  {
    id: Uuid(),
    customer_id: Uuid(),
    first_name: Type.String(),
    last_name: Type.String(),
    full_name: Type.String({ description: '"Max Mustermann"' }),
    display_name: Type.String({ description: '"Max Mustermann (Geschäftsführer)"; the full name without a position' }),
    email: Nullable(Type.String()),
    phone: Nullable(Type.String()),
    mobile: Nullable(Type.String()),
    position: Nullable(Type.String()),
    department: Nullable(Type.String()),
    is_primary: Type.Boolean(),
    notes: Nullable(Type.String()),
    created_at: Timestamp(),
    updated_at: Timestamp(),
  },
  { $id: 'Contact' },
);

export const ContactListQuery = ListQuery({
  customer_id: Type.Optional(Uuid()),
  is_primary: Type.Optional(Type.Boolean()),
});
export const ContactList = ListEnvelope(Type.Ref('Contact'), { $id: 'ContactList' });

// Activities

const activityWritable = {
  contact_id: Nullable(Uuid({ description: 'must belong to the customer' })),
  type: StringEnum(ACTIVITY_TYPES),
  subject: Nullable(Text(200)),
  description: Nullable(Type.String({ maxLength: 10000 })),
  occurred_at: Timestamp(),
};

const { contact_id, subject, description, type: activityType, occurred_at } = activityWritable;

export const ActivityCreate = Type.Object(
  {
    customer_id: Uuid(),
    type: activityType,
    occurred_at,
    contact_id: Type.Optional(contact_id),
    subject: Type.Optional(subject),
    description: Type.Optional(description),
  },
  { $id: 'ActivityCreate', additionalProperties: false },
);

/** The customer of an activity is fixed once created; a new contact_id must belong to it. */
export const ActivityUpdate = UpdateOf(activityWritable, { $id: 'ActivityUpdate' });

export const ActivityResponse = Type.Object(
  {
    id: Uuid(),
    customer_id: Uuid(),
    contact_id: Nullable(Uuid()),
    type: Type.String(),
    subject: Nullable(Type.String()),
    description: Nullable(Type.String()),
    occurred_at: Timestamp(),
    created_by: Nullable(Uuid()),
    created_at: Timestamp(),
    updated_at: Timestamp(),
  },
  { $id: 'Activity' },
);

export const ActivityListQuery = ListQuery({
  customer_id: Type.Optional(Uuid()),
  contact_id: Type.Optional(Uuid()),
  type: Type.Optional(StringEnum(ACTIVITY_TYPES)),
  occurred_at_from: Type.Optional(Type.String({ description: 'inclusive; ISO timestamp or date (company zone)' })),
  occurred_at_to: Type.Optional(Type.String({ description: 'exclusive; ISO timestamp or date (company zone)' })),
});
export const ActivityList = ListEnvelope(Type.Ref('Activity'), { $id: 'ActivityList' });

/** Nested lists (`/api/customers/{id}/contacts`): paging and sort only. */
export const NestedListQuery = ListQuery({});
