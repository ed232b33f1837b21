import { Type } from '@sinclair/typebox';
import {
  ListEnvelope,
  ListQuery,
  Nullable,
  StringEnum,
  Text,
  Timestamp,
  UpdateOf,
  Uuid,
} from '../../core/http/schemas.ts';
import { LINKED_ENTITY_TYPES } from '../../core/links/linked-entities.ts';

export const DOCUMENT_TYPES = ['pdf', 'image', 'doc', 'sheet'] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

const documentWritable = {
  title: Text(200, { description: 'defaults to the file name on upload' }),
  category: Nullable(Text(100, { description: 'free text, e.g. Krankmeldung, Vertrag, Rechnung' })),
  owner_id: Uuid({ description: 'an employee; defaults to the uploader' }),
  linked_module: Nullable(Text(50, { description: 'free-text origin, e.g. hr, finance' })),
  linked_entity_type: Nullable(
    StringEnum(LINKED_ENTITY_TYPES, { description: 'given together with linked_entity_id' }),
  ),
  linked_entity_id: Nullable(Uuid({ description: 'must exist (422 otherwise)' })),
  customer_id: Nullable(Uuid({ description: 'must exist (422 otherwise)' })),
  is_confidential: Type.Boolean({
    description: 'visible only to the owner and holders of documents.confidential (others get 404)',
  }),
};

/**
 * The metadata fields of an upload, after the multipart text values were read (`"true"` →
 * true). Not a request body schema: the upload is multipart and validated by the upload reader.
 */
export const DocumentUploadFields = Type.Object(
  {
    ...Type.Partial(Type.Object(documentWritable)).properties,
    allow_duplicate: Type.Optional(
      Type.Boolean({ description: 'store even when an identical file (same SHA-256) exists', default: false }),
    ),
  },
  { additionalProperties: false },
);

/** How the upload looks in OpenAPI (documentation; the handler reads the parts as a stream). */
export const DocumentUploadForm = Type.Object(
  {
    file: Type.String({
      format: 'binary',
      description: 'the file: pdf, png, jpg, docx or xlsx (detected from the bytes)',
    }),
    ...Type.Partial(Type.Object(documentWritable)).properties,
    allow_duplicate: Type.Optional(Type.Boolean({ default: false })),
  },
  { additionalProperties: false, required: ['file'] },
);

/** PUT/PATCH: metadata only; the file, its name, type, size and checksum never change. */
export const DocumentUpdate = UpdateOf(documentWritable, { $id: 'DocumentUpdate' });

export const DocumentResponse = Type.Object(
  {
    id: Uuid(),
    title: Type.String(),
    file_name: Type.String({ description: 'the original name, sanitized' }),
    storage_key: Type.String({ description: 'chosen by the server' }),
    mime_type: Type.String({ description: 'detected from the bytes' }),
    type: StringEnum(DOCUMENT_TYPES),
    size_bytes: Type.Integer(),
    category: Nullable(Type.String()),
    owner_id: Uuid(),
    linked_module: Nullable(Type.String()),
    linked_entity_type: Nullable(Type.String()),
    linked_entity_id: Nullable(Uuid()),
    customer_id: Nullable(Uuid()),
    checksum: Type.String({ description: 'SHA-256 of the bytes, hex' }),
    is_confidential: Type.Boolean(),
    uploaded_at: Timestamp(),
    created_at: Timestamp(),
    updated_at: Timestamp(),
  },
  { $id: 'Document' },
);

const documentFilters = {
  type: Type.Optional(StringEnum(DOCUMENT_TYPES)),
  category: Type.Optional(Type.String({ maxLength: 100, description: 'exact match' })),
  owner_id: Type.Optional(Uuid()),
  linked_module: Type.Optional(Type.String({ maxLength: 50 })),
  linked_entity_type: Type.Optional(StringEnum(LINKED_ENTITY_TYPES)),
  linked_entity_id: Type.Optional(Uuid()),
  customer_id: Type.Optional(Uuid()),
  is_confidential: Type.Optional(Type.Boolean()),
  uploaded_at_from: Type.Optional(Type.String({ description: 'inclusive; ISO timestamp or date (company zone)' })),
  uploaded_at_to: Type.Optional(Type.String({ description: 'exclusive; ISO timestamp or date (company zone)' })),
};

export const DocumentListQuery = ListQuery(documentFilters);
export const DocumentList = ListEnvelope(Type.Ref('Document'), { $id: 'DocumentList' });
