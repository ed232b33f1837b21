import { and, desc, eq, ne, sql } from 'drizzle-orm';
import type { Database } from '../../../core/db/database.ts';
import { type ListQueryInput, type Page, planList, selectPage } from '../../../core/db/list.ts';
import { contacts } from './crm.table.ts';

export type ContactRow = typeof contacts.$inferSelect;
export type ContactInsert = typeof contacts.$inferInsert;

const listSpec = {
  sortable: {
    last_name: contacts.lastName,
    first_name: contacts.firstName,
    email: contacts.email,
    is_primary: contacts.isPrimary,
    created_at: contacts.createdAt,
    updated_at: contacts.updatedAt,
  },
  searchable: [contacts.firstName, contacts.lastName, contacts.email, contacts.position, contacts.department],
  equals: { customer_id: contacts.customerId, is_primary: contacts.isPrimary },
  defaultOrder: [desc(contacts.createdAt), desc(contacts.id)],
  tieBreaker: contacts.id,
};

export class ContactsRepository {
  constructor(private readonly db: Database) {}

  async list(query: ListQueryInput, customerId?: string): Promise<Page<ContactRow>> {
    const plan = planList(query, listSpec, [customerId ? eq(contacts.customerId, customerId) : undefined]);
    return selectPage(this.db, contacts, plan);
  }

  async findById(id: string): Promise<ContactRow | null> {
    const [row] = await this.db.q.select().from(contacts).where(eq(contacts.id, id)).limit(1);
    return row ?? null;
  }

  async lockById(id: string): Promise<ContactRow | null> {
    const [row] = await this.db.q.select().from(contacts).where(eq(contacts.id, id)).for('update');
    return row ?? null;
  }

  /** Clears the primary flag of the customer's other contacts; returns the demoted rows (for the audit). */
  async demotePrimary(customerId: string, exceptId: string): Promise<ContactRow[]> {
    return this.db.q
      .update(contacts)
      .set({ isPrimary: false, updatedAt: new Date(), version: sql`${contacts.version} + 1` })
      .where(and(eq(contacts.customerId, customerId), eq(contacts.isPrimary, true), ne(contacts.id, exceptId)))
      .returning();
  }

  async insert(values: ContactInsert): Promise<ContactRow> {
    const [row] = await this.db.q.insert(contacts).values(values).returning();
    if (!row) throw new Error('insert returned nothing');
    return row;
  }

  async update(id: string, values: Partial<ContactInsert>): Promise<ContactRow> {
    const [row] = await this.db.q
      .update(contacts)
      .set({ ...values, updatedAt: new Date(), version: sql`${contacts.version} + 1` })
      .where(eq(contacts.id, id))
      .returning();
    if (!row) throw new Error('update matched nothing');
    return row;
  }

  async delete(id: string): Promise<void> {
    await this.db.q.delete(contacts).where(eq(contacts.id, id));
  }
}
