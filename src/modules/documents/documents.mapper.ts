import type { DocumentRow } from './documents.repository.ts';

export function toDocumentResponse(d: DocumentRow) {
  return {
    id: d.id,
    title: d.title,
    file_name: d.fileName,
    storage_key: d.storageKey,
    mime_type: d.mimeType,
    type: d.type,
    size_bytes: d.sizeBytes,
    category: d.category,
    owner_id: d.ownerId,
    linked_module: d.linkedModule,
    linked_entity_type: d.linkedEntityType,
    linked_entity_id: d.linkedEntityId,
    customer_id: d.customerId,
    checksum: d.checksum,
    is_confidential: d.isConfidential,
    uploaded_at: d.uploadedAt,
    created_at: d.createdAt,
    updated_at: d.updatedAt,
  };
}
