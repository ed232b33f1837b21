import type { Static } from '@sinclair/typebox';
import type { FastifyBaseLogger } from 'fastify';
import { v7 as uuidv7 } from 'uuid';
import type { AuditWriter } from '../../core/audit/audit.writer.ts';
import { hasPermission } from '../../core/auth/permissions.ts';
import type { Principal, RequestContext } from '../../core/auth/principal.ts';
import type { Database } from '../../core/db/database.ts';
import type { ListQueryInput, Page } from '../../core/db/list.ts';
import { conflict, notFound, validationError } from '../../core/http/errors.ts';
import type { PreconditionCheck } from '../../core/http/etag.ts';
import type { LinkedEntityRegistry } from '../../core/links/linked-entities.ts';
import type { FileStorage, StoredFile } from '../../core/storage/storage.ts';
import type {
  DocumentInsert,
  DocumentRow,
  DocumentScope,
  DocumentsRepository,
  Visibility,
} from './documents.repository.ts';
import type { DocumentUpdate } from './documents.schemas.ts';
import { parseUploadFields, type StoredUpload } from './upload-reader.ts';

export type DocumentUpdateInput = Static<typeof DocumentUpdate>;

export const CONFIDENTIAL = 'documents.confidential';

/** SPEC 2.5: a confidential document is visible to its owner and to holders of documents.confidential. */
export function canSeeDocument(principal: Principal, document: DocumentRow): boolean {
  return (
    !document.isConfidential || document.ownerId === principal.id || hasPermission(principal.permissions, CONFIDENTIAL)
  );
}

function visibilityOf(principal: Principal): Visibility {
  return hasPermission(principal.permissions, CONFIDENTIAL) ? { all: true } : { all: false, employeeId: principal.id };
}

function requirePrincipal(ctx: RequestContext): Principal {
  if (!ctx.principal) throw new Error('documents need a signed-in principal');
  return ctx.principal;
}

export interface DocumentsServiceDeps {
  db: Database;
  audit: AuditWriter;
  documents: DocumentsRepository;
  storage: FileStorage;
  links: LinkedEntityRegistry;
  companyTimezone(): Promise<string>;
  customerExists(id: string): Promise<boolean>;
  employeeExists(id: string): Promise<boolean>;
}

export class DocumentsService {
  /** Files being streamed to storage right now (tests wait on it to see a disconnect handled). */
  uploadsInProgress = 0;

  constructor(private readonly deps: DocumentsServiceDeps) {}

  async list(principal: Principal, query: ListQueryInput, scope: DocumentScope = {}): Promise<Page<DocumentRow>> {
    return this.deps.documents.list(query, visibilityOf(principal), scope, await this.deps.companyTimezone());
  }

  /** 404 for unknown documents and for confidential ones the caller may not see. */
  async get(id: string, ctx: RequestContext): Promise<DocumentRow> {
    const document = await this.deps.documents.findById(id);
    if (!document || !canSeeDocument(requirePrincipal(ctx), document)) throw notFound('Document');
    return document;
  }

  /** The document and its bytes, for the download. */
  async open(id: string, ctx: RequestContext): Promise<{ document: DocumentRow; file: StoredFile }> {
    const document = await this.get(id, ctx);
    return { document, file: await this.deps.storage.get(document.storageKey) };
  }

  /**
   * Records an upload whose file is already in storage: validates the metadata and references,
   * refuses a duplicate (409 naming the existing document) unless allow_duplicate, and inserts
   * the row with its audit row. On any failure the stored file is removed.
   */
  async createFromUpload(
    ctx: RequestContext,
    upload: { fields: Record<string, unknown>; file: StoredUpload },
    log: FastifyBaseLogger,
  ): Promise<DocumentRow> {
    const principal = requirePrincipal(ctx);
    const { file } = upload;
    try {
      const input = parseUploadFields(upload.fields);
      return await this.deps.db.transaction(async () => {
        await this.checkReferences({
          ownerId: input.owner_id,
          customerId: input.customer_id,
          link: { type: input.linked_entity_type ?? null, id: input.linked_entity_id ?? null },
        });
        const ownerId = input.owner_id ?? principal.id;
        await this.deps.documents.lockChecksum(file.checksum);
        if (!input.allow_duplicate) {
          const existing = await this.deps.documents.findVisibleByChecksum(file.checksum, visibilityOf(principal));
          if (existing) {
            throw conflict(`An identical file is already stored as document ${existing.id}`, 'duplicate_document', {
              existing_id: existing.id,
            });
          }
        }
        const row = await this.deps.documents.insert({
          id: uuidv7(),
          title: input.title ?? file.fileName.slice(0, 200),
          fileName: file.fileName,
          storageKey: file.storageKey,
          mimeType: file.mimeType,
          type: file.type,
          sizeBytes: file.sizeBytes,
          category: input.category ?? null,
          ownerId,
          linkedModule: input.linked_module ?? null,
          linkedEntityType: input.linked_entity_type ?? null,
          linkedEntityId: input.linked_entity_id ?? null,
          customerId: input.customer_id ?? null,
          checksum: file.checksum,
          isConfidential: input.is_confidential ?? false,
        });
        await this.deps.audit.recordChange(ctx, 'document', row.title, null, row);
        return row;
      });
    } catch (error) {
      await this.deps.storage.delete(file.storageKey).catch((cleanupError: unknown) => {
        log.error({ err: cleanupError, storage_key: file.storageKey }, 'could not remove the file of a failed upload');
      });
      throw error;
    }
  }

  /** PUT/PATCH: metadata only. */
  async update(
    ctx: RequestContext,
    id: string,
    input: DocumentUpdateInput,
    precondition: PreconditionCheck,
  ): Promise<DocumentRow> {
    const principal = requirePrincipal(ctx);
    return this.deps.db.transaction(async () => {
      const before = await this.deps.documents.lockById(id);
      if (!before || !canSeeDocument(principal, before)) throw notFound('Document');
      precondition?.(before);
      const linkChanged = input.linked_entity_type !== undefined || input.linked_entity_id !== undefined;
      await this.checkReferences({
        ownerId: input.owner_id !== before.ownerId ? input.owner_id : undefined,
        customerId: input.customer_id !== before.customerId ? input.customer_id : undefined,
        link: linkChanged
          ? {
              type: input.linked_entity_type !== undefined ? input.linked_entity_type : before.linkedEntityType,
              id: input.linked_entity_id !== undefined ? input.linked_entity_id : before.linkedEntityId,
            }
          : undefined,
      });
      const values = toColumns(input);
      if (Object.keys(values).length === 0) return before;
      const after = await this.deps.documents.update(id, values);
      await this.deps.audit.recordChange(ctx, 'document', after.title, before, after);
      return after;
    });
  }

  /** Deletes the row (with its audit row), then the file; a file that cannot be removed is logged. */
  async delete(
    ctx: RequestContext,
    id: string,
    precondition: PreconditionCheck,
    log?: FastifyBaseLogger,
  ): Promise<void> {
    const principal = requirePrincipal(ctx);
    const removed = await this.deps.db.transaction(async () => {
      const before = await this.deps.documents.lockById(id);
      if (!before || !canSeeDocument(principal, before)) throw notFound('Document');
      precondition?.(before);
      await this.deps.documents.delete(id);
      await this.deps.audit.recordChange(ctx, 'document', before.title, before, null);
      return before;
    });
    // After the commit: a rolled-back delete must not have lost its file.
    await this.deps.storage.delete(removed.storageKey).catch((error: unknown) => {
      log?.error({ err: error, storage_key: removed.storageKey }, 'could not remove the file of a deleted document');
    });
  }

  /** Whether a document exists (the link registry; confidentiality is not considered there). */
  exists(id: string): Promise<boolean> {
    return this.deps.documents.exists(id);
  }

  /** 422 for an unknown owner, customer or linked record; `undefined` means "not being set". */
  private async checkReferences(refs: {
    ownerId?: string | null;
    customerId?: string | null;
    link?: { type: string | null; id: string | null };
  }): Promise<void> {
    if (refs.ownerId && !(await this.deps.employeeExists(refs.ownerId))) {
      throw validationError('owner_id', 'no employee with this id');
    }
    if (refs.customerId && !(await this.deps.customerExists(refs.customerId))) {
      throw validationError('customer_id', 'no customer with this id');
    }
    if (refs.link) await this.deps.links.assertLink(refs.link.type, refs.link.id);
  }
}

function toColumns(input: DocumentUpdateInput): Partial<DocumentInsert> {
  const values: Partial<DocumentInsert> = {};
  const map: Array<[keyof DocumentUpdateInput, keyof DocumentInsert]> = [
    ['title', 'title'],
    ['category', 'category'],
    ['owner_id', 'ownerId'],
    ['linked_module', 'linkedModule'],
    ['linked_entity_type', 'linkedEntityType'],
    ['linked_entity_id', 'linkedEntityId'],
    ['customer_id', 'customerId'],
    ['is_confidential', 'isConfidential'],
  ];
  for (const [field, column] of map) {
    if (input[field] !== undefined) (values as Record<string, unknown>)[column] = input[field];
  }
  return values;
}
