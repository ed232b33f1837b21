import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { customers } from '../backoffice/crm/crm.table.ts';
import { employees } from '../employees/employees.table.ts';
import type { DocumentType } from './documents.schemas.ts';

export const documents = pgTable(
  'documents',
  {
    id: uuid('id').primaryKey(),
    title: text('title').notNull(),
    /** The client's file name, sanitized; metadata only, never a path. */
    fileName: text('file_name').notNull(),
    /** Chosen by the server (`documents/<yyyy>/<mm>/<uuid>`), never from input. */
    storageKey: text('storage_key').notNull().unique('documents_storage_key_unique'),
    mimeType: text('mime_type').notNull(),
    type: text('type').$type<DocumentType>().notNull(),
    sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull(),
    category: text('category'),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => employees.id, { onDelete: 'restrict' }),
    linkedModule: text('linked_module'),
    linkedEntityType: text('linked_entity_type'),
    linkedEntityId: uuid('linked_entity_id'),
    customerId: uuid('customer_id').references(() => customers.id, { onDelete: 'set null' }),
    /** SHA-256 of the bytes, lower-case hex. */
    checksum: text('checksum').notNull(),
    isConfidential: boolean('is_confidential').notNull().default(false),
    uploadedAt: timestamp('uploaded_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    index('documents_created_idx').on(t.createdAt, t.id),
    index('documents_uploaded_idx').on(t.uploadedAt, t.id),
    index('documents_owner_idx').on(t.ownerId),
    index('documents_customer_idx').on(t.customerId),
    index('documents_linked_idx').on(t.linkedEntityType, t.linkedEntityId),
    index('documents_checksum_idx').on(t.checksum),
    check('documents_type_known', sql`${t.type} in ('pdf', 'image', 'doc', 'sheet')`),
    check('documents_size_not_negative', sql`${t.sizeBytes} >= 0`),
    check('documents_checksum_sha256', sql`${t.checksum} ~ '^[0-9a-f]{64}$'`),
    check('documents_link_complete', sql`(${t.linkedEntityType} is null) = (${t.linkedEntityId} is null)`),
  ],
);
