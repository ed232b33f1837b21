import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRowsFor, expectProblem, startTestApp, type TestApp, type TestUser } from '../../../test/helpers.ts';

let t: TestApp;
let writer: TestUser;
let nobody: TestUser;

beforeAll(async () => {
  t = await startTestApp();
  writer = await t.userWith(['admin.settings.write']);
  nobody = await t.userWith([]);
});
afterAll(() => t.close());

function expect422(res: LightMyRequestResponse, ...fields: string[]): void {
  const problem = expectProblem(res, 422);
  const named = ((problem.errors as Array<{ field: string }>) ?? []).map((e) => e.field);
  for (const field of fields) expect(named, res.body).toContain(field);
}

const patch = (body: unknown, options: { token?: string; headers?: Record<string, string> } = {}) =>
  t.request('PATCH', '/api/settings', { token: options.token ?? writer.token, body, headers: options.headers });

describe('GET /api/settings', () => {
  it('needs a token, and nothing more', async () => {
    expectProblem(await t.request('GET', '/api/settings', { token: null }), 401);
    const res = await t.request('GET', '/api/settings', { token: nobody.token });
    expect(res.statusCode).toBe(200);
    expect(res.headers.etag).toMatch(/^"settings-\d+"$/);
  });

  it('returns every field with the defaults of SPEC 3.6', async () => {
    const body = (await t.request('GET', '/api/settings', { token: nobody.token })).json();
    expect(Object.keys(body).sort()).toEqual(
      [
        'company_name',
        'company_legal_form',
        'tax_number',
        'vat_id',
        'registration_number',
        'address_street',
        'address_zip',
        'address_city',
        'address_country',
        'company_email',
        'company_phone',
        'company_website',
        'bank_name',
        'iban',
        'bic',
        'default_timezone',
        'default_language',
        'default_currency',
        'date_format',
        'working_hours_per_day',
        'working_days_per_week',
        'vacation_days_per_year',
        'weekend_saturday',
        'weekend_sunday',
        'default_tax_rate',
        'payment_terms_days',
        'small_business',
        'invoice_footer',
        'employee_code_prefix',
        'customer_number_prefix',
        'maintenance_mode',
        'allow_registration',
        'require_email_verification',
        'audit_retention_days',
        'updated_at',
      ].sort(),
    );
    expect(body).toMatchObject({
      address_country: 'DE',
      default_timezone: 'Europe/Berlin',
      default_language: 'de',
      default_currency: 'EUR',
      working_hours_per_day: '8.00',
      working_days_per_week: 5,
      vacation_days_per_year: 30,
      default_tax_rate: '19.00',
      payment_terms_days: 14,
      small_business: false,
      employee_code_prefix: 'KIT',
      customer_number_prefix: 'KIT-CUS',
      maintenance_mode: false,
      audit_retention_days: 365,
    });
  });
});

describe('PUT and PATCH /api/settings', () => {
  it('need admin.settings.write', async () => {
    for (const method of ['PUT', 'PATCH'] as const) {
      expectProblem(await t.request(method, '/api/settings', { token: null, body: {} }), 401);
      expectProblem(await t.request(method, '/api/settings', { token: nobody.token, body: {} }), 403);
    }
  });

  it('change only the given fields, normalized, with an audit row and a new ETag', async () => {
    const before = await t.request('GET', '/api/settings');
    const res = await patch({
      company_name: '  Kitsune GmbH ',
      company_email: 'Info@Kitsune.DE',
      company_website: 'https://kitsune.example',
      iban: 'de89 3704 0044 0532 0130 00',
      bic: 'cobadeffxxx',
      vat_id: 'de123456789',
      default_timezone: 'europe/vienna',
      working_hours_per_day: '7.5',
      default_tax_rate: '7',
      address_country: 'AT',
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      company_name: 'Kitsune GmbH',
      company_email: 'info@kitsune.de',
      iban: 'DE89370400440532013000',
      bic: 'COBADEFFXXX',
      vat_id: 'DE123456789',
      default_timezone: 'Europe/Vienna',
      working_hours_per_day: '7.50',
      default_tax_rate: '7.00',
      address_country: 'AT',
      payment_terms_days: 14,
      customer_number_prefix: before.json().customer_number_prefix,
    });
    expect(res.headers.etag).not.toBe(before.headers.etag);
    expect((await t.request('GET', '/api/settings')).json()).toEqual(body);

    const [row] = await auditRowsFor(t, 'settings', '1');
    expect(row).toMatchObject({ action: 'update', resource_type: 'settings', actor_id: writer.id });
    expect(row?.changes).toMatchObject({
      iban: { new: 'DE89370400440532013000' },
      working_hours_per_day: { old: before.json().working_hours_per_day, new: '7.50' },
      default_timezone: { new: 'Europe/Vienna' },
    });

    // PUT is partial too.
    const put = await t.request('PUT', '/api/settings', { token: writer.token, body: { payment_terms_days: 30 } });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ payment_terms_days: 30, company_name: 'Kitsune GmbH' });
    // Clearing a nullable field.
    expect((await patch({ iban: null, bic: null })).json()).toMatchObject({ iban: null, bic: null });
  });

  it('changes nothing (no version, no audit row) when the values are the same', async () => {
    const current = await t.request('GET', '/api/settings');
    const rowsBefore = await auditRowsFor(t, 'settings', '1');
    const res = await patch({ payment_terms_days: current.json().payment_terms_days });
    expect(res.statusCode).toBe(200);
    expect(res.headers.etag).toBe(current.headers.etag);
    expect(await auditRowsFor(t, 'settings', '1')).toHaveLength(rowsBefore.length);
  });

  it('honours If-Match: 412 when stale, and exactly one of parallel writes with the same ETag wins', async () => {
    const etag = (await t.request('GET', '/api/settings')).headers.etag as string;
    const results = await Promise.all(
      [10, 11, 12, 13, 14].map((days) => patch({ payment_terms_days: days }, { headers: { 'if-match': etag } })),
    );
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 412, 412, 412, 412]);
    expectProblem(await patch({ payment_terms_days: 20 }, { headers: { 'if-match': etag } }), 412);
    const fresh = (await t.request('GET', '/api/settings')).headers.etag as string;
    expect((await patch({ payment_terms_days: 20 }, { headers: { 'if-match': fresh } })).statusCode).toBe(200);
  });

  it('rejects unknown, read-only and coerced fields', async () => {
    expect422(await patch({ colour: 'blue' }), 'colour');
    expect422(await patch({ updated_at: '2026-01-01T00:00:00Z' }), 'updated_at');
    expect422(await patch({ working_hours_per_day: 8 }), 'working_hours_per_day');
    expect422(await patch({ working_days_per_week: '5' }), 'working_days_per_week');
    expect422(await patch({ maintenance_mode: 'true' }), 'maintenance_mode');
    expect422(await patch({ address_country: null }), 'address_country');
  });

  it('checks ranges', async () => {
    for (const [field, value] of [
      ['working_hours_per_day', '0.5'],
      ['working_hours_per_day', '24.01'],
      ['working_hours_per_day', '8.125'],
      ['working_days_per_week', 0],
      ['working_days_per_week', 8],
      ['vacation_days_per_year', -1],
      ['vacation_days_per_year', 366],
      ['payment_terms_days', -1],
      ['payment_terms_days', 366],
      ['default_tax_rate', '100.01'],
      ['default_tax_rate', '-1'],
      ['audit_retention_days', 29],
    ] as const) {
      expect422(await patch({ [field]: value }), field);
    }
    const edges = await patch({
      working_hours_per_day: '24',
      working_days_per_week: 7,
      vacation_days_per_year: 0,
      default_tax_rate: '0',
      audit_retention_days: 30,
    });
    expect(edges.statusCode, edges.body).toBe(200);
    expect(edges.json()).toMatchObject({ working_hours_per_day: '24.00', default_tax_rate: '0.00' });
  });

  it('checks formats: e-mail, URL, IBAN, BIC, country, zone, language, currency, date format, prefixes', async () => {
    for (const [field, value] of [
      ['company_email', 'not-an-email'],
      ['company_website', 'ftp://kitsune.example'],
      ['company_website', 'kitsune.example'],
      ['iban', 'DE89370400440532013001'], // checksum
      ['iban', 'DE8937040044053201300'], // a German IBAN has 22 characters
      ['iban', 'XX89370400440532013000'],
      ['bic', 'COBADEF'],
      ['bic', 'COBAXXFF'],
      ['vat_id', '123'],
      ['address_country', 'XX'],
      ['address_country', 'de'],
      ['default_timezone', 'Mars/Olympus_Mons'],
      ['default_timezone', '+01:00'],
      ['default_language', 'fr'],
      ['default_currency', 'eur'],
      ['date_format', 'D.M.YY'],
      ['employee_code_prefix', 'kit'],
      ['employee_code_prefix', 'KIT-'],
      ['customer_number_prefix', 'A'.repeat(21)],
      ['customer_number_prefix', ''],
    ] as const) {
      expect422(await patch({ [field]: value }), field);
    }
  });

  it('names every bad field at once', async () => {
    const res = await patch({
      iban: 'DE00 0000 0000 0000 0000 00',
      bic: 'ABCDXX12',
      default_timezone: 'Nowhere/City',
      address_country: 'QQ',
    });
    expect422(res, 'iban', 'bic', 'default_timezone', 'address_country');
  });

  it('is what consumers use at once: number prefixes and the company time zone', async () => {
    expect((await patch({ customer_number_prefix: 'ACME-C', employee_code_prefix: 'ACME' })).statusCode).toBe(200);
    const customer = await t.request('POST', '/api/customers', { body: { name: 'Prefix Test' } });
    expect(customer.json().customer_number).toMatch(/^ACME-C-\d{6}$/);
    const employee = await t.request('POST', '/api/employees', {
      body: { first_name: 'Pre', last_name: 'Fix', email: 'prefix@example.com' },
    });
    expect(employee.json().employee_code).toMatch(/^ACME-\d{4}$/);
    expect((await patch({ default_timezone: 'America/New_York' })).statusCode).toBe(200);
    expect(await t.server.ctx.core.companyTimezone()).toBe('America/New_York');
    await patch({ customer_number_prefix: 'KIT-CUS', employee_code_prefix: 'KIT', default_timezone: 'Europe/Berlin' });
  });
});
