import { type Static, Type } from '@sinclair/typebox';
import { Email, Nullable, StringEnum, Text, Timestamp, UpdateOf } from '../../core/http/schemas.ts';

export const LANGUAGES = ['de', 'en'] as const;
export const DATE_FORMATS = ['DD.MM.YYYY', 'YYYY-MM-DD', 'DD/MM/YYYY', 'MM/DD/YYYY'] as const;

/** Decimal strings like the money fields (SPEC 1): a JSON number is 422. Ranges are checked by the service. */
const Decimal = (maxIntegerDigits: number, description: string) =>
  Type.String({ pattern: `^\\d{1,${maxIntegerDigits}}(\\.\\d{1,2})?$`, description });
const Prefix = (description: string) =>
  Type.String({
    pattern: '^[A-Z0-9]+(-[A-Z0-9]+)*$',
    minLength: 1,
    maxLength: 20,
    description: `${description}; upper-case letters and digits, groups joined by "-"`,
  });
const HttpUrl = () =>
  Type.String({ format: 'uri', pattern: '^https?://[^/?#\\s]+', maxLength: 500, description: 'http(s) URL' });

const writable = {
  company_name: Nullable(Text(200)),
  company_legal_form: Nullable(Text(100, { description: 'e.g. GmbH, UG, e.K.' })),
  tax_number: Nullable(Text(50, { description: 'Steuernummer' })),
  vat_id: Nullable(
    Type.String({
      pattern: '^[A-Za-z]{2}[0-9A-Za-z+*.]{2,13}$',
      description: 'USt-IdNr., e.g. DE123456789 (spaces removed, upper-cased)',
    }),
  ),
  registration_number: Nullable(Text(100, { description: 'Handelsregister, e.g. HRB 12345 B' })),
  address_street: Nullable(Text(200)),
  address_zip: Nullable(Text(20)),
  address_city: Nullable(Text(100)),
  address_country: Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2 (assigned codes only)' }),
  company_email: Nullable(Email()),
  company_phone: Nullable(Text(50)),
  company_website: Nullable(HttpUrl()),
  bank_name: Nullable(Text(200)),
  iban: Nullable(
    Type.String({
      minLength: 15,
      maxLength: 42,
      description: 'ISO 13616, checksum and country length checked; spaces removed, upper-cased',
    }),
  ),
  bic: Nullable(Type.String({ minLength: 8, maxLength: 14, description: 'ISO 9362, 8 or 11 characters; upper-cased' })),
  default_timezone: Type.String({
    minLength: 1,
    maxLength: 64,
    description: 'IANA time zone; stored in its canonical spelling (europe/berlin → Europe/Berlin)',
  }),
  default_language: StringEnum(LANGUAGES),
  default_currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code, e.g. EUR' }),
  date_format: StringEnum(DATE_FORMATS),
  working_hours_per_day: Decimal(2, 'hours as a decimal string, 1–24, e.g. "8.00" or "7.5"'),
  working_days_per_week: Type.Integer({ minimum: 1, maximum: 7 }),
  vacation_days_per_year: Type.Integer({ minimum: 0, maximum: 365 }),
  weekend_saturday: Type.Boolean(),
  weekend_sunday: Type.Boolean(),
  default_tax_rate: Decimal(3, 'VAT rate in percent as a decimal string, 0–100, e.g. "19.00"'),
  payment_terms_days: Type.Integer({ minimum: 0, maximum: 365 }),
  small_business: Type.Boolean({ description: '§19 UStG Kleinunternehmer: invoices without VAT' }),
  invoice_footer: Nullable(Type.String({ maxLength: 2000 })),
  employee_code_prefix: Prefix('prefix of new employee codes (KIT → KIT-0001)'),
  customer_number_prefix: Prefix('prefix of new customer numbers (KIT-CUS → KIT-CUS-000001)'),
  maintenance_mode: Type.Boolean({
    description: 'while on, every request of a user without "*" is 503 (health, docs and auth keep working)',
  }),
  allow_registration: Type.Boolean(),
  require_email_verification: Type.Boolean(),
  audit_retention_days: Type.Integer({
    minimum: 30,
    maximum: 36500,
    description: 'audit rows older than this are deleted daily (invoice, payment and expense rows: at least 8 years)',
  }),
};

export const SettingsUpdate = UpdateOf(writable, {
  $id: 'SettingsUpdate',
  description: 'Only the given fields change (PUT and PATCH alike).',
});
export type SettingsUpdateInput = Static<typeof SettingsUpdate>;

export const SettingsResponse = Type.Object(
  {
    company_name: Nullable(Type.String()),
    company_legal_form: Nullable(Type.String()),
    tax_number: Nullable(Type.String()),
    vat_id: Nullable(Type.String()),
    registration_number: Nullable(Type.String()),
    address_street: Nullable(Type.String()),
    address_zip: Nullable(Type.String()),
    address_city: Nullable(Type.String()),
    address_country: Type.String(),
    company_email: Nullable(Type.String()),
    company_phone: Nullable(Type.String()),
    company_website: Nullable(Type.String()),
    bank_name: Nullable(Type.String()),
    iban: Nullable(Type.String()),
    bic: Nullable(Type.String()),
    default_timezone: Type.String(),
    default_language: Type.String(),
    default_currency: Type.String(),
    date_format: Type.String(),
    working_hours_per_day: Type.String({ description: 'two decimals, e.g. "8.00"' }),
    working_days_per_week: Type.Integer(),
    vacation_days_per_year: Type.Integer(),
    weekend_saturday: Type.Boolean(),
    weekend_sunday: Type.Boolean(),
    default_tax_rate: Type.String({ description: 'two decimals, e.g. "19.00"' }),
    payment_terms_days: Type.Integer(),
    small_business: Type.Boolean(),
    invoice_footer: Nullable(Type.String()),
    employee_code_prefix: Type.String(),
    customer_number_prefix: Type.String(),
    maintenance_mode: Type.Boolean(),
    allow_registration: Type.Boolean(),
    require_email_verification: Type.Boolean(),
    audit_retention_days: Type.Integer(),
    updated_at: Timestamp(),
  },
  { $id: 'Settings' },
);
