import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditRowsFor,
  expect422,
  expectProblem,
  startTestApp,
  type TestApp,
  type TestUser,
} from '../../../../test/helpers.ts';

let t: TestApp;
let reader: TestUser;
let writer: TestUser;
let nobody: TestUser;

beforeAll(async () => {
  t = await startTestApp();
  reader = await t.userWith(['backoffice.crm.read']);
  writer = await t.userWith(['backoffice.crm.read', 'backoffice.crm.write']);
  nobody = await t.userWith(['employees.read']);
});
afterAll(() => t.close());

const tag = () => `t${randomUUID().replace(/-/g, '').slice(0, 10)}`;

async function createCustomer(fields: Record<string, unknown> = {}) {
  const res = await t.request('POST', '/api/customers', { body: { name: `Kunde ${tag()}`, ...fields } });
  if (res.statusCode !== 201) throw new Error(`customer create failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

async function createContact(customerId: string, fields: Record<string, unknown> = {}) {
  const res = await t.request('POST', '/api/contacts', {
    body: { customer_id: customerId, first_name: 'Max', last_name: `Mustermann ${tag()}`, ...fields },
  });
  if (res.statusCode !== 201) throw new Error(`contact create failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

describe('customers', () => {
  it('answers 401 without a token and 403 without the permission', async () => {
    const customer = await createCustomer();
    for (const [method, url] of [
      ['GET', '/api/customers'],
      ['GET', `/api/customers/${customer.id}`],
      ['GET', `/api/customers/${customer.id}/contacts`],
      ['GET', `/api/customers/${customer.id}/activities`],
      ['GET', `/api/customers/${customer.id}/statistics`],
      ['GET', '/api/crm/statistics'],
      ['GET', '/api/contacts'],
      ['GET', '/api/activities'],
    ] as const) {
      expectProblem(await t.request(method, url, { token: null }), 401);
      expectProblem(await t.request(method, url, { token: nobody.token }), 403);
    }
    expectProblem(await t.request('POST', '/api/customers', { token: reader.token, body: { name: 'X' } }), 403);
    expectProblem(await t.request('DELETE', `/api/customers/${customer.id}`, { token: writer.token }), 403);
    expectProblem(await t.request('POST', `/api/customers/${customer.id}/restore`, { token: writer.token }), 403);
    expectProblem(await t.request('PATCH', `/api/customers/${customer.id}`, { token: reader.token, body: {} }), 403);
  });

  it('creates with a server-assigned number, defaults, full_address and an audit row', async () => {
    const res = await t.request('POST', '/api/customers', {
      token: writer.token,
      body: { name: 'Müller GmbH', email: 'Info@Mueller.DE', street: 'Hauptstr. 1', zip_code: '10115', city: 'Berlin' },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(res.headers.location).toBe(`/api/customers/${body.id}`);
    expect(res.headers.etag).toBeTruthy();
    expect(body).toMatchObject({
      name: 'Müller GmbH',
      type: 'business',
      status: 'active',
      country: 'DE',
      email: 'info@mueller.de',
      full_address: 'Hauptstr. 1, 10115 Berlin, DE',
      primary_contact: null,
      archived_at: null,
      created_by: writer.id,
    });
    expect(body.customer_number).toMatch(/^KIT-CUS-\d{6}$/);
    const audit = await auditRowsFor(t, 'customer', body.id);
    expect(audit[0]).toMatchObject({ action: 'create' });
    expect((await createCustomer()).full_address).toBeNull();
  });

  it('refuses bad input with 422', async () => {
    expect422(await t.request('POST', '/api/customers', { body: {} }), 'name');
    expect422(await t.request('POST', '/api/customers', { body: { name: 'A', colour: 'red' } }), 'colour');
    expect422(await t.request('POST', '/api/customers', { body: { name: 5 } }), 'name');
    expect422(await t.request('POST', '/api/customers', { body: { name: 'A', type: 'alien' } }), 'type');
    expect422(await t.request('POST', '/api/customers', { body: { name: 'A', country: 'Germany' } }), 'country');
    expect422(await t.request('POST', '/api/customers', { body: { name: 'A', email: 'nope' } }), 'email');
    expect422(
      await t.request('POST', '/api/customers', { body: { name: 'A', customer_number: 'KIT-CUS-1' } }),
      'customer_number',
    );
    expectProblem(await t.request('GET', '/api/customers/not-a-uuid'), 422);
    expectProblem(await t.request('GET', '/api/customers?status=gone'), 422);
    expectProblem(await t.request('GET', '/api/customers?sort=secret'), 422);
  });

  it('answers 404 for unknown ids', async () => {
    const id = randomUUID();
    for (const [method, url] of [
      ['GET', `/api/customers/${id}`],
      ['GET', `/api/customers/${id}/contacts`],
      ['GET', `/api/customers/${id}/activities`],
      ['GET', `/api/customers/${id}/statistics`],
      ['DELETE', `/api/customers/${id}`],
      ['POST', `/api/customers/${id}/restore`],
    ] as const) {
      expectProblem(await t.request(method, url), 404);
    }
    expectProblem(await t.request('PATCH', `/api/customers/${id}`, { body: { name: 'X' } }), 404);
  });

  it('50 parallel creations get 50 distinct consecutive numbers', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => t.request('POST', '/api/customers', { body: { name: `Parallel ${i}` } })),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(50).fill(201));
    const numbers = results.map((r) => Number(String(r.json().customer_number).slice('KIT-CUS-'.length)));
    expect(new Set(numbers).size).toBe(50);
    expect(Math.max(...numbers) - Math.min(...numbers)).toBe(49);
  });

  it('updates partially, audits the diff and honours If-Match', async () => {
    const customer = await createCustomer({ city: 'Köln' });
    const res = await t.request('PATCH', `/api/customers/${customer.id}`, {
      token: writer.token,
      body: { status: 'lead', notes: 'Wichtig' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'lead', notes: 'Wichtig', city: 'Köln' });
    const audit = await auditRowsFor(t, 'customer', customer.id);
    expect(audit[0]).toMatchObject({ action: 'update' });
    expect(audit[0]?.changes).toMatchObject({ status: { old: 'active', new: 'lead' } });
    const stale = await t.request('PATCH', `/api/customers/${customer.id}`, {
      body: { name: 'X' },
      headers: { 'if-match': '"stale-1"' },
    });
    expectProblem(stale, 412);
    expect422(await t.request('PUT', `/api/customers/${customer.id}`, { body: { archived_at: null } }), 'archived_at');
  });

  it('archives on DELETE, hides archived from lists, restores', async () => {
    const name = `Archiv ${tag()}`;
    const customer = await createCustomer({ name });
    const del = await t.request('DELETE', `/api/customers/${customer.id}`);
    expect(del.statusCode).toBe(204);
    const got = await t.request('GET', `/api/customers/${customer.id}`);
    expect(got.statusCode).toBe(200);
    expect(got.json().archived_at).not.toBeNull();
    const hidden = await t.request('GET', `/api/customers?search=${encodeURIComponent(name)}`);
    expect(hidden.json().total).toBe(0);
    const shown = await t.request('GET', `/api/customers?search=${encodeURIComponent(name)}&include_archived=true`);
    expect(shown.json().items.map((c: { id: string }) => c.id)).toEqual([customer.id]);
    expect((await auditRowsFor(t, 'customer', customer.id))[0]).toMatchObject({ action: 'delete' });

    const restored = await t.request('POST', `/api/customers/${customer.id}/restore`);
    expect(restored.statusCode).toBe(200);
    expect(restored.json().archived_at).toBeNull();
    expect((await auditRowsFor(t, 'customer', customer.id))[0]).toMatchObject({ action: 'restore' });
    const back = await t.request('GET', `/api/customers?search=${encodeURIComponent(name)}`);
    expect(back.json().total).toBe(1);
  });

  it('lists with search over name, number, e-mail and city, and filters by status and type', async () => {
    const city = `Stadt${tag()}`;
    const a = await createCustomer({ city, type: 'government', status: 'lead' });
    const b = await createCustomer({ city, email: `${tag()}@example.com` });
    const byCity = await t.request('GET', `/api/customers?search=${city.toLowerCase()}`, { token: reader.token });
    expect(byCity.json()).toMatchObject({ total: 2, skip: 0, limit: 50 });
    expect(byCity.json().items.map((c: { id: string }) => c.id)).toEqual([b.id, a.id]);
    const byNumber = await t.request('GET', `/api/customers?search=${a.customer_number}`);
    expect(byNumber.json().items.map((c: { id: string }) => c.id)).toEqual([a.id]);
    const byEmail = await t.request('GET', `/api/customers?search=${encodeURIComponent(b.email)}`);
    expect(byEmail.json().items.map((c: { id: string }) => c.id)).toEqual([b.id]);
    const filtered = await t.request('GET', `/api/customers?search=${city}&type=government&status=lead`);
    expect(filtered.json().items.map((c: { id: string }) => c.id)).toEqual([a.id]);
    const sorted = await t.request('GET', `/api/customers?search=${city}&sort=customer_number`);
    expect(sorted.json().items.map((c: { id: string }) => c.id)).toEqual([a.id, b.id]);
  });

  it('reports statistics per customer and for the CRM', async () => {
    const customer = await createCustomer({ type: 'creator' });
    const stats = await t.request('GET', `/api/customers/${customer.id}/statistics`, { token: reader.token });
    expect(stats.statusCode).toBe(200);
    expect(stats.json()).toEqual({
      total_revenue: '0.00',
      outstanding_amount: '0.00',
      invoice_count: 0,
      overdue_count: 0,
      active_projects_count: 0,
      last_activity_at: null,
    });
    await t.request('POST', '/api/activities', {
      body: { customer_id: customer.id, type: 'call', occurred_at: '2026-03-01T10:00:00Z' },
    });
    const after = await t.request('GET', `/api/customers/${customer.id}/statistics`);
    expect(after.json().last_activity_at).toBe('2026-03-01T10:00:00.000Z');

    const crm = await t.request('GET', '/api/crm/statistics', { token: reader.token });
    expect(crm.statusCode).toBe(200);
    const body = crm.json();
    expect(body.by_type.creator).toBeGreaterThanOrEqual(1);
    expect(body.total_customers).toBe(
      Object.values(body.by_status as Record<string, number>).reduce((a, b) => a + b, 0),
    );
    expect(body.new_customers_per_month).toHaveLength(12);
    expect(body.new_customers_per_month[11].count).toBeGreaterThanOrEqual(1);
    expect(body.top_customers_by_revenue).toEqual([]);
  });
});

describe('customer list items', () => {
  it('are shaped in SQL exactly as GET by id shapes a customer', async () => {
    const marker = tag();
    const bare = await createCustomer({ name: `Liste ${marker} leer` });
    const full = await createCustomer({
      name: `Liste ${marker} voll`,
      street: 'Hauptstraße 1',
      zip_code: '10115',
      city: 'Berlin',
      email: 'kontakt@example.de',
      notes: 'Ümläute „zitiert“',
    });
    const cityOnly = await createCustomer({ name: `Liste ${marker} Stadt`, city: 'Köln', country: 'AT' });
    await createContact(full.id, { position: 'Geschäftsführerin', is_primary: true, email: 'gf@example.de' });
    await createContact(cityOnly.id, { is_primary: true });
    await t.request('DELETE', `/api/customers/${bare.id}`);
    const list = await t.request('GET', `/api/customers?search=${encodeURIComponent(marker)}&include_archived=true`);
    expect(list.statusCode).toBe(200);
    const items = list.json().items as Array<{ id: string }>;
    expect(items.map((c) => c.id).sort()).toEqual([bare.id, full.id, cityOnly.id].sort());
    for (const item of items) {
      expect(item).toEqual((await t.request('GET', `/api/customers/${item.id}`)).json());
    }
  });
});

describe('contacts', () => {
  it('creates with full_name and display_name, lists nested, audits', async () => {
    const customer = await createCustomer();
    const res = await t.request('POST', '/api/contacts', {
      token: writer.token,
      body: { customer_id: customer.id, first_name: 'Max', last_name: 'Mustermann', position: 'Geschäftsführer' },
    });
    expect(res.statusCode).toBe(201);
    const contact = res.json();
    expect(contact).toMatchObject({
      full_name: 'Max Mustermann',
      display_name: 'Max Mustermann (Geschäftsführer)',
      is_primary: false,
      customer_id: customer.id,
    });
    const plain = await createContact(customer.id, { first_name: 'Erika', last_name: 'Muster' });
    expect(plain.display_name).toBe('Erika Muster');
    const nested = await t.request('GET', `/api/customers/${customer.id}/contacts`, { token: reader.token });
    expect(nested.json().items.map((c: { id: string }) => c.id)).toEqual([plain.id, contact.id]);
    expect((await auditRowsFor(t, 'contact', contact.id))[0]).toMatchObject({ action: 'create' });
  });

  it('refuses bad input with 422 and unknown ids with 404', async () => {
    const customer = await createCustomer();
    expect422(await t.request('POST', '/api/contacts', { body: { first_name: 'A', last_name: 'B' } }), 'customer_id');
    expect422(
      await t.request('POST', '/api/contacts', { body: { customer_id: 'x', first_name: 'A', last_name: 'B' } }),
      'customer_id',
    );
    expect422(
      await t.request('POST', '/api/contacts', {
        body: { customer_id: randomUUID(), first_name: 'A', last_name: 'B' },
      }),
      'customer_id',
    );
    expect422(
      await t.request('POST', '/api/contacts', {
        body: { customer_id: customer.id, first_name: 'A', last_name: 'B', is_primary: 'yes' },
      }),
      'is_primary',
    );
    const contact = await createContact(customer.id);
    expect422(
      await t.request('PATCH', `/api/contacts/${contact.id}`, { body: { customer_id: customer.id } }),
      'customer_id',
    );
    expectProblem(await t.request('GET', `/api/contacts/${randomUUID()}`), 404);
    expectProblem(await t.request('DELETE', `/api/contacts/${randomUUID()}`), 404);
  });

  it('making B primary demotes A in the same request; the customer shows B', async () => {
    const customer = await createCustomer();
    const a = await createContact(customer.id, { is_primary: true, position: 'CEO' });
    let got = (await t.request('GET', `/api/customers/${customer.id}`)).json();
    expect(got.primary_contact).toMatchObject({ id: a.id, display_name: `${a.full_name} (CEO)` });
    const b = await createContact(customer.id);
    const res = await t.request('PATCH', `/api/contacts/${b.id}`, { token: writer.token, body: { is_primary: true } });
    expect(res.json().is_primary).toBe(true);
    expect((await t.request('GET', `/api/contacts/${a.id}`)).json().is_primary).toBe(false);
    got = (await t.request('GET', `/api/customers/${customer.id}`)).json();
    expect(got.primary_contact.id).toBe(b.id);
    expect((await auditRowsFor(t, 'contact', a.id))[0]?.changes).toEqual({ is_primary: { old: true, new: false } });
    // A new primary on create demotes too.
    const c = await createContact(customer.id, { is_primary: true });
    const primaries = await t.request('GET', `/api/contacts?customer_id=${customer.id}&is_primary=true`);
    expect(primaries.json().items.map((x: { id: string }) => x.id)).toEqual([c.id]);
  });

  it('the database refuses two primaries even when the service is bypassed', async () => {
    const customer = await createCustomer();
    const a = await createContact(customer.id, { is_primary: true });
    const b = await createContact(customer.id);
    await expect(t.db.root.execute(sql`update contacts set is_primary = true where id = ${b.id}`)).rejects.toThrow();
    expect((await t.request('GET', `/api/contacts/${a.id}`)).json().is_primary).toBe(true);
  });

  it('parallel promotions leave exactly one primary', async () => {
    const customer = await createCustomer();
    const contacts = await Promise.all(Array.from({ length: 5 }, () => createContact(customer.id)));
    const results = await Promise.all(
      contacts.map((c) => t.request('PATCH', `/api/contacts/${c.id}`, { body: { is_primary: true } })),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(5).fill(200));
    const primaries = await t.request('GET', `/api/contacts?customer_id=${customer.id}&is_primary=true`);
    expect(primaries.json().total).toBe(1);
  });

  it('deletes for real with an audit row', async () => {
    const customer = await createCustomer();
    const contact = await createContact(customer.id);
    expectProblem(await t.request('DELETE', `/api/contacts/${contact.id}`, { token: writer.token }), 403);
    expect((await t.request('DELETE', `/api/contacts/${contact.id}`)).statusCode).toBe(204);
    expectProblem(await t.request('GET', `/api/contacts/${contact.id}`), 404);
    expect((await auditRowsFor(t, 'contact', contact.id))[0]).toMatchObject({ action: 'delete' });
  });
});

describe('activities', () => {
  it('creates, lists nested and filters; created_by is the caller', async () => {
    const customer = await createCustomer();
    const contact = await createContact(customer.id);
    const res = await t.request('POST', '/api/activities', {
      token: writer.token,
      body: {
        customer_id: customer.id,
        contact_id: contact.id,
        type: 'meeting',
        subject: 'Kickoff',
        occurred_at: '2026-02-03T09:30:00Z',
      },
    });
    expect(res.statusCode).toBe(201);
    const activity = res.json();
    expect(activity).toMatchObject({ type: 'meeting', created_by: writer.id, occurred_at: '2026-02-03T09:30:00.000Z' });
    const nested = await t.request('GET', `/api/customers/${customer.id}/activities`, { token: reader.token });
    expect(nested.json().items.map((a: { id: string }) => a.id)).toEqual([activity.id]);
    const ranged = await t.request(
      'GET',
      `/api/activities?customer_id=${customer.id}&occurred_at_from=2026-02-03&occurred_at_to=2026-02-04`,
    );
    expect(ranged.json().total).toBe(1);
    const outside = await t.request('GET', `/api/activities?customer_id=${customer.id}&occurred_at_from=2026-02-04`);
    expect(outside.json().total).toBe(0);
    expect((await auditRowsFor(t, 'activity', activity.id))[0]).toMatchObject({ action: 'create' });
  });

  it('refuses a contact of another customer (422) and other bad input', async () => {
    const customer = await createCustomer();
    const other = await createCustomer();
    const foreign = await createContact(other.id);
    const base = { customer_id: customer.id, type: 'call', occurred_at: '2026-01-01T00:00:00Z' };
    expect422(await t.request('POST', '/api/activities', { body: { ...base, contact_id: foreign.id } }), 'contact_id');
    expect422(
      await t.request('POST', '/api/activities', { body: { ...base, contact_id: randomUUID() } }),
      'contact_id',
    );
    expect422(await t.request('POST', '/api/activities', { body: { ...base, type: 'fax' } }), 'type');
    expect422(
      await t.request('POST', '/api/activities', { body: { ...base, occurred_at: 'yesterday' } }),
      'occurred_at',
    );
    expect422(
      await t.request('POST', '/api/activities', { body: { ...base, customer_id: randomUUID() } }),
      'customer_id',
    );
    expect422(await t.request('POST', '/api/activities', { body: { ...base, extra: 1 } }), 'extra');
    const ok = await t.request('POST', '/api/activities', { body: base });
    expect(ok.statusCode).toBe(201);
    expect422(
      await t.request('PATCH', `/api/activities/${ok.json().id}`, { body: { contact_id: foreign.id } }),
      'contact_id',
    );
    expectProblem(await t.request('PATCH', `/api/activities/${randomUUID()}`, { body: { subject: 'x' } }), 404);
    expectProblem(await t.request('GET', `/api/activities/${randomUUID()}`), 404);
  });

  it('updates and deletes with audit rows', async () => {
    const customer = await createCustomer();
    const created = await t.request('POST', '/api/activities', {
      body: { customer_id: customer.id, type: 'note', occurred_at: '2026-01-05T12:00:00Z' },
    });
    const id = created.json().id;
    const res = await t.request('PATCH', `/api/activities/${id}`, { token: writer.token, body: { subject: 'Notiz' } });
    expect(res.json().subject).toBe('Notiz');
    expect((await auditRowsFor(t, 'activity', id))[0]).toMatchObject({ action: 'update' });
    expect((await t.request('DELETE', `/api/activities/${id}`)).statusCode).toBe(204);
    expect((await auditRowsFor(t, 'activity', id))[0]).toMatchObject({ action: 'delete' });
  });
});
