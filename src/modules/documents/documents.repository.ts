import { and, desc, eq, or, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../../core/db/database.ts';
import { type ListQueryInput, type Page, planList, selectPage } from '../../core/db/list.ts';
import { documents } from './documents.table.ts';

export type DocumentRow = typeof documents.$inferSelect;
export type DocumentInsert = typeof documents.$inferInsert;

const listSpec = {
  sortable: {
    title: documents.title,
    file_name: documents.fileName,
    type: documents.type,
    category: documents.category,
    size_bytes: documents.sizeBytes,
    uploaded_at: documents.uploadedAt,
    created_at: documents.createdAt,
    updated_at: documents.updatedAt,
  },
  searchable: [documents.title, documents.fileName, documents.category],
  equals: {
    type: documents.type,
    category: documents.category,
    owner_id: documents.ownerId,
    linked_module: documents.linkedModule,
    linked_entity_type: documents.linkedEntityType,
    linked_entity_id: documents.linkedEntityId,
    customer_id: documents.customerId,
    is_confidential: documents.isConfidential,
  },
  ranges: { uploaded_at: { column: documents.uploadedAt, kind: 'timestamp' as const } },
  defaultOrder: [desc(documents.createdAt), desc(documents.id)],
  tieBreaker: documents.id,
};

/** Who may see what: everything, or the non-confidential documents plus the caller's own. */
export type Visibility = { all: true } | { all: false; employeeId: string };

function visible(visibility: Visibility): SQL | undefined {
  if (visibility.all) return undefined;
  return or(eq(documents.isConfidential, false), eq(documents.ownerId, visibility.employeeId));
}

/** Documents "of" a record in nested lists (`/api/employees/{id}/documents` …). */
export type DocumentScope =
  | { employeeId: string }
  | { customerId: string }
  | { projectId: string }
  | Record<string, never>;

function linkedTo(type: string, id: string): SQL | undefined {
  return and(eq(documents.linkedEntityType, type), eq(documents.linkedEntityId, id));
}

function scoped(scope: DocumentScope): SQL | undefined {
  if ('employeeId' in scope) return or(eq(documents.ownerId, scope.employeeId), linkedTo('employee', scope.employeeId));
  if ('customerId' in scope)
    return or(eq(documents.customerId, scope.customerId), linkedTo('customer', scope.customerId));
  if ('projectId' in scope) return linkedTo('project', scope.projectId);
  return undefined;
}

export class DocumentsRepository {
  constructor(private readonly db: Database) {}

  async list(
    query: ListQueryInput,
    visibility: Visibility,
    scope: DocumentScope,
    timeZone: string,
  ): Promise<Page<DocumentRow>> {
    const plan = planList(query, listSpec, [visible(visibility), scoped(scope)], { timeZone });
    return selectPage(this.db, documents, plan);
  }

  async findById(id: string): Promise<DocumentRow | null> {
    const [row] = await this.db.q.select().from(documents).where(eq(documents.id, id)).limit(1);
    return row ?? null;
  }

  async lockById(id: string): Promise<DocumentRow | null> {
    const [row] = await this.db.q.select().from(documents).where(eq(documents.id, id)).for('update');
    return row ?? null;
  }

  /** The oldest document with these bytes that the caller may see, if any. */
  async findVisibleByChecksum(checksum: string, visibility: Visibility): Promise<DocumentRow | null> {
    const [row] = await this.db.q
      .select()
      .from(documents)
      .where(and(eq(documents.checksum, checksum), visible(visibility)))
      .orderBy(documents.createdAt, documents.id)
      .limit(1);
    return row ?? null;
  }

  /**
   * Serializes uploads of the same bytes until commit, so two parallel uploads of one file cannot
   * both pass the duplicate check (PostgreSQL; PGlite runs one transaction at a time anyway).
   */
  async lockChecksum(checksum: string): Promise<void> {
    if (this.db.kind !== 'postgres') return;
    await this.db.q.execute(sql`select pg_advisory_xact_lock(hashtext(${`document-checksum:${checksum}`}))`);
  }

  async insert(values: DocumentInsert): Promise<DocumentRow> {
    const [row] = await this.db.q.insert(documents).values(values).returning();
    if (!row) throw new Error('insert returned nothing');
    return row;
  }

  async update(id: string, values: Partial<DocumentInsert>): Promise<DocumentRow> {
    const [row] = await this.db.q
      .update(documents)
      .set({ ...values, updatedAt: new Date(), version: sql`${documents.version} + 1` })
      .where(eq(documents.id, id))
      .returning();
    if (!row) throw new Error('update matched nothing');
    return row;
  }

  async delete(id: string): Promise<void> {
    await this.db.q.delete(documents).where(eq(documents.id, id));
  }

  async exists(id: string): Promise<boolean> {
    const [row] = await this.db.q.select({ id: documents.id }).from(documents).where(eq(documents.id, id));
    return row !== undefined;
  }
}
