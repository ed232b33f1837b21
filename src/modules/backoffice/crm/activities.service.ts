import type { Static } from '@sinclair/typebox';
import { v7 as uuidv7 } from 'uuid';
import type { AuditWriter } from '../../../core/audit/audit.writer.ts';
import type { RequestContext } from '../../../core/auth/principal.ts';
import type { Database } from '../../../core/db/database.ts';
import type { ListQueryInput, Page } from '../../../core/db/list.ts';
import { notFound, validationError } from '../../../core/http/errors.ts';
import type { PreconditionCheck } from '../../../core/http/etag.ts';
import type { ActivitiesRepository, ActivityInsert, ActivityRow } from './activities.repository.ts';
import type { ContactsRepository } from './contacts.repository.ts';
import type { ActivityCreate, ActivityUpdate } from './crm.schemas.ts';
import type { CustomersRepository } from './customers.repository.ts';

export type ActivityCreateInput = Static<typeof ActivityCreate>;
export type ActivityUpdateInput = Static<typeof ActivityUpdate>;

function toColumns(input: ActivityUpdateInput): Partial<ActivityInsert> {
  const values: Partial<ActivityInsert> = {};
  if (input.contact_id !== undefined) values.contactId = input.contact_id;
  if (input.type !== undefined) values.type = input.type;
  if (input.subject !== undefined) values.subject = input.subject;
  if (input.description !== undefined) values.description = input.description;
  if (input.occurred_at !== undefined) values.occurredAt = new Date(input.occurred_at);
  return values;
}

const label = (a: ActivityRow) => a.subject ?? a.type;

export class ActivitiesService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly activities: ActivitiesRepository,
    private readonly contacts: ContactsRepository,
    private readonly customers: CustomersRepository,
    private readonly companyTimezone: () => Promise<string>,
  ) {}

  async list(query: ListQueryInput): Promise<Page<ActivityRow>> {
    return this.activities.list(query, await this.companyTimezone());
  }

  async listForCustomer(customerId: string, query: ListQueryInput): Promise<Page<ActivityRow>> {
    return this.activities.list(query, await this.companyTimezone(), customerId);
  }

  async get(id: string): Promise<ActivityRow> {
    const activity = await this.activities.findById(id);
    if (!activity) throw notFound('Activity');
    return activity;
  }

  /** 422 unless the contact belongs to the activity's customer. */
  private async checkContact(customerId: string, contactId: string | null | undefined): Promise<void> {
    if (!contactId) return;
    const contact = await this.contacts.findById(contactId);
    if (!contact) throw validationError('contact_id', 'no such contact', 'unknown_reference');
    if (contact.customerId !== customerId) {
      throw validationError('contact_id', 'the contact belongs to another customer', 'contact_not_of_customer');
    }
  }

  async create(ctx: RequestContext, input: ActivityCreateInput): Promise<ActivityRow> {
    const id = await this.db.transaction(async () => {
      if (!(await this.customers.exists(input.customer_id))) {
        throw validationError('customer_id', 'no such customer', 'unknown_reference');
      }
      await this.checkContact(input.customer_id, input.contact_id);
      const row = await this.activities.insert({
        ...toColumns(input),
        id: uuidv7(),
        customerId: input.customer_id,
        type: input.type,
        occurredAt: new Date(input.occurred_at),
        createdBy: ctx.principal?.id ?? null,
      });
      await this.audit.recordChange(ctx, 'activity', label(row), null, row);
      return row.id;
    });
    return this.get(id);
  }

  async update(
    ctx: RequestContext,
    id: string,
    input: ActivityUpdateInput,
    precondition: PreconditionCheck,
  ): Promise<ActivityRow> {
    await this.db.transaction(async () => {
      const before = await this.activities.lockById(id);
      if (!before) throw notFound('Activity');
      precondition?.(before);
      const values = toColumns(input);
      if (Object.keys(values).length === 0) return;
      await this.checkContact(before.customerId, input.contact_id);
      const after = await this.activities.update(id, values);
      await this.audit.recordChange(ctx, 'activity', label(after), before, after);
    });
    return this.get(id);
  }

  async delete(ctx: RequestContext, id: string, precondition: PreconditionCheck): Promise<void> {
    await this.db.transaction(async () => {
      const before = await this.activities.lockById(id);
      if (!before) throw notFound('Activity');
      precondition?.(before);
      await this.activities.delete(id);
      await this.audit.recordChange(ctx, 'activity', label(before), before, null);
    });
  }
}
