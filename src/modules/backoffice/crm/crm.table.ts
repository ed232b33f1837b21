import { sql } from 'drizzle-orm';
import { boolean, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { employees } from '../../employees/employees.table.ts';

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  /** Bumped on every update; the ETag is derived from it. */
  version: integer('version').notNull().default(1),
};

export const customers = pgTable(
  'customers',
  {
    id: uuid('id').primaryKey(),
    customerNumber: text('customer_number').notNull().unique('customers_customer_number_unique'),
    name: text('name').notNull(),
    type: text('type').notNull().default('business'),
    email: text('email'),
    phone: text('phone'),
    website: text('website'),
    taxId: text('tax_id'),
    vatId: text('vat_id'),
    street: text('street'),
    zipCode: text('zip_code'),
    city: text('city'),
    country: text('country').notNull().default('DE'),
    leitwegId: text('leitweg_id'),
    notes: text('notes'),
    status: text('status').notNull().default('active'),
    archivedAt: timestamp('archived_at', { withTimezone: true, mode: 'date' }),
    createdBy: uuid('created_by').references(() => employees.id, { onDelete: 'set null' }),
    ...timestamps,
  },
  (t) => [
    index('customers_created_idx').on(t.createdAt, t.id),
    index('customers_status_idx').on(t.status),
    index('customers_type_idx').on(t.type),
    // The trigram index for name search is created by the custom migration (needs pg_trgm).
  ],
);

export const contacts = pgTable(
  'contacts',
  {
    id: uuid('id').primaryKey(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    firstName: text('first_name').notNull(),
    lastName: text('last_name').notNull(),
    email: text('email'),
    phone: text('phone'),
    mobile: text('mobile'),
    position: text('position'),
    department: text('department'),
    isPrimary: boolean('is_primary').notNull().default(false),
    notes: text('notes'),
    ...timestamps,
  },
  (t) => [
    index('contacts_created_idx').on(t.createdAt, t.id),
    index('contacts_customer_idx').on(t.customerId),
    // At most one primary contact per customer, whatever writes the table.
    uniqueIndex('contacts_one_primary_per_customer').on(t.customerId).where(sql`${t.isPrimary}`),
  ],
);

export const activities = pgTable(
  'activities',
  {
    id: uuid('id').primaryKey(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    contactId: uuid('contact_id').references(() => contacts.id, { onDelete: 'set null' }),
    type: text('type').notNull(),
    subject: text('subject'),
    description: text('description'),
    occurredAt: timestamp('occurred_at', { withTimezone: true, mode: 'date' }).notNull(),
    createdBy: uuid('created_by').references(() => employees.id, { onDelete: 'set null' }),
    ...timestamps,
  },
  (t) => [
    index('activities_created_idx').on(t.createdAt, t.id),
    index('activities_customer_occurred_idx').on(t.customerId, t.occurredAt),
    index('activities_contact_idx').on(t.contactId),
  ],
);
