import type { Static } from '@sinclair/typebox';
import { v7 as uuidv7 } from 'uuid';
import type { AuditWriter } from '../../../core/audit/audit.writer.ts';
import type { RequestContext } from '../../../core/auth/principal.ts';
import type { Database } from '../../../core/db/database.ts';
import type { ListQueryInput, Page } from '../../../core/db/list.ts';
import { notFound, validationError } from '../../../core/http/errors.ts';
import type { PreconditionCheck } from '../../../core/http/etag.ts';
import type { ContactInsert, ContactRow, ContactsRepository } from './contacts.repository.ts';
import type { ContactCreate, ContactUpdate } from './crm.schemas.ts';
import type { CustomersRepository } from './customers.repository.ts';

export type ContactCreateInput = Static<typeof ContactCreate>;
export type ContactUpdateInput = Static<typeof ContactUpdate>;

/** "Max Mustermann" */
export function fullName(c: { firstName: string; lastName: string }): string {
  return `${c.firstName} ${c.lastName}`;
}

/** "Max Mustermann (Geschäftsführer)"; without a position just the full name. */
export function displayName(c: { firstName: string; lastName: string; position: string | null }): string {
  return c.position ? `${fullName(c)} (${c.position})` : fullName(c);
}

function toColumns(input: ContactUpdateInput): Partial<ContactInsert> {
  const values: Partial<ContactInsert> = {};
  const map: Array<[keyof ContactUpdateInput, keyof ContactInsert]> = [
    ['first_name', 'firstName'],
    ['last_name', 'lastName'],
    ['email', 'email'],
    ['phone', 'phone'],
    ['mobile', 'mobile'],
    ['position', 'position'],
    ['department', 'department'],
    ['is_primary', 'isPrimary'],
    ['notes', 'notes'],
  ];
  for (const [field, column] of map) {
    if (input[field] !== undefined) (values as Record<string, unknown>)[column] = input[field];
  }
  if (typeof values.email === 'string') values.email = values.email.toLowerCase();
  return values;
}

export class ContactsService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly contacts: ContactsRepository,
    private readonly customers: CustomersRepository,
  ) {}

  list(query: ListQueryInput): Promise<Page<ContactRow>> {
    return this.contacts.list(query);
  }

  listForCustomer(customerId: string, query: ListQueryInput): Promise<Page<ContactRow>> {
    return this.contacts.list(query, customerId);
  }

  async get(id: string): Promise<ContactRow> {
    const contact = await this.contacts.findById(id);
    if (!contact) throw notFound('Contact');
    return contact;
  }

  /**
   * Making a contact primary demotes the customer's current primary in the same transaction. The
   * customer row is locked first so two concurrent promotions queue instead of colliding on the
   * partial unique index (which still refuses two primaries whatever writes the table).
   */
  private async demoteOthers(ctx: RequestContext, customerId: string, contactId: string): Promise<void> {
    const demoted = await this.contacts.demotePrimary(customerId, contactId);
    for (const row of demoted) {
      await this.audit.record(ctx, {
        action: 'update',
        resourceType: 'contact',
        resourceId: row.id,
        resourceName: fullName(row),
        changes: { is_primary: { old: true, new: false } },
      });
    }
  }

  async create(ctx: RequestContext, input: ContactCreateInput): Promise<ContactRow> {
    const id = await this.db.transaction(async () => {
      const customer = await this.customers.lockById(input.customer_id);
      if (!customer) throw validationError('customer_id', 'no such customer', 'unknown_reference');
      const id = uuidv7();
      if (input.is_primary) await this.demoteOthers(ctx, customer.id, id);
      const row = await this.contacts.insert({
        ...toColumns(input),
        id,
        customerId: customer.id,
        firstName: input.first_name,
        lastName: input.last_name,
      });
      await this.audit.recordChange(ctx, 'contact', fullName(row), null, row);
      return row.id;
    });
    return this.get(id);
  }

  async update(
    ctx: RequestContext,
    id: string,
    input: ContactUpdateInput,
    precondition: PreconditionCheck,
  ): Promise<ContactRow> {
    await this.db.transaction(async () => {
      const current = await this.contacts.findById(id);
      if (!current) throw notFound('Contact');
      if (input.is_primary) await this.customers.lockById(current.customerId);
      const before = await this.contacts.lockById(id);
      if (!before) throw notFound('Contact');
      precondition?.(before);
      const values = toColumns(input);
      if (Object.keys(values).length === 0) return;
      if (values.isPrimary && !before.isPrimary) await this.demoteOthers(ctx, before.customerId, id);
      const after = await this.contacts.update(id, values);
      await this.audit.recordChange(ctx, 'contact', fullName(after), before, after);
    });
    return this.get(id);
  }

  async delete(ctx: RequestContext, id: string, precondition: PreconditionCheck): Promise<void> {
    await this.db.transaction(async () => {
      const before = await this.contacts.lockById(id);
      if (!before) throw notFound('Contact');
      precondition?.(before);
      await this.contacts.delete(id);
      await this.audit.recordChange(ctx, 'contact', fullName(before), before, null);
    });
  }
}
