import { AppError, type FieldError } from '../../core/http/errors.ts';
import { isCountryCode } from '../../core/iso-codes.ts';
import { canonicalTimeZone } from '../../core/time.ts';
import { bicProblem, ibanProblem, normalizeBic, normalizeIban } from './bank-codes.ts';
import type { SettingsUpdateInput } from './settings.schemas.ts';
import type { settings } from './settings.table.ts';

export type SettingsColumns = Partial<typeof settings.$inferInsert>;

/** JSON field → column; every writable field, in the order of SPEC 3.6. */
const COLUMNS: Array<[keyof SettingsUpdateInput, keyof SettingsColumns]> = [
  ['company_name', 'companyName'],
  ['company_legal_form', 'companyLegalForm'],
  ['tax_number', 'taxNumber'],
  ['vat_id', 'vatId'],
  ['registration_number', 'registrationNumber'],
  ['address_street', 'addressStreet'],
  ['address_zip', 'addressZip'],
  ['address_city', 'addressCity'],
  ['address_country', 'addressCountry'],
  ['company_email', 'companyEmail'],
  ['company_phone', 'companyPhone'],
  ['company_website', 'companyWebsite'],
  ['bank_name', 'bankName'],
  ['iban', 'iban'],
  ['bic', 'bic'],
  ['default_timezone', 'defaultTimezone'],
  ['default_language', 'defaultLanguage'],
  ['default_currency', 'defaultCurrency'],
  ['date_format', 'dateFormat'],
  ['working_hours_per_day', 'workingHoursPerDay'],
  ['working_days_per_week', 'workingDaysPerWeek'],
  ['vacation_days_per_year', 'vacationDaysPerYear'],
  ['weekend_saturday', 'weekendSaturday'],
  ['weekend_sunday', 'weekendSunday'],
  ['default_tax_rate', 'defaultTaxRate'],
  ['payment_terms_days', 'paymentTermsDays'],
  ['small_business', 'smallBusiness'],
  ['invoice_footer', 'invoiceFooter'],
  ['employee_code_prefix', 'employeeCodePrefix'],
  ['customer_number_prefix', 'customerNumberPrefix'],
  ['maintenance_mode', 'maintenanceMode'],
  ['allow_registration', 'allowRegistration'],
  ['require_email_verification', 'requireEmailVerification'],
  ['audit_retention_days', 'auditRetentionDays'],
];

/** A decimal string (already shape-checked by the schema) within [min, max], as numeric(…, 2) text. */
function decimalIn(value: string, min: number, max: number): string | null {
  const n = Number(value);
  if (!(n >= min && n <= max)) return null;
  const [whole = '0', fraction = ''] = value.split('.');
  return `${Number(whole)}.${fraction.padEnd(2, '0')}`;
}

type Rule = (value: string) => { value: string } | { problem: string };

/** Normalization and checks the schema cannot express, per field (values are non-null strings). */
const RULES: Partial<Record<keyof SettingsUpdateInput, Rule>> = {
  company_email: (v) => ({ value: v.toLowerCase() }),
  vat_id: (v) => ({ value: v.toUpperCase() }),
  iban: (v) => {
    const iban = normalizeIban(v);
    const problem = ibanProblem(iban);
    return problem ? { problem } : { value: iban };
  },
  bic: (v) => {
    const bic = normalizeBic(v);
    const problem = bicProblem(bic);
    return problem ? { problem } : { value: bic };
  },
  address_country: (v) => (isCountryCode(v) ? { value: v } : { problem: 'is not an ISO 3166-1 alpha-2 country code' }),
  default_timezone: (v) => {
    const zone = canonicalTimeZone(v);
    return zone ? { value: zone } : { problem: 'is not an IANA time zone' };
  },
  working_hours_per_day: (v) => {
    const value = decimalIn(v, 1, 24);
    return value ? { value } : { problem: 'must be between 1 and 24' };
  },
  default_tax_rate: (v) => {
    const value = decimalIn(v, 0, 100);
    return value ? { value } : { problem: 'must be between 0 and 100' };
  },
};

/**
 * The columns to write for a validated update body: normalized (e-mail lower-cased, IBAN and BIC
 * without spaces and upper-cased, time zone canonical, decimals with two places) and checked
 * beyond the schema. Throws one 422 naming every bad field.
 */
export function toSettingsColumns(input: SettingsUpdateInput): SettingsColumns {
  const values: Record<string, unknown> = {};
  const errors: FieldError[] = [];
  for (const [field, column] of COLUMNS) {
    const raw = input[field];
    if (raw === undefined) continue;
    const rule = RULES[field];
    if (rule && typeof raw === 'string') {
      const result = rule(raw);
      if ('problem' in result) {
        errors.push({ field, message: result.problem });
        continue;
      }
      values[column] = result.value;
    } else values[column] = raw;
  }
  if (errors.length > 0) {
    const detail = errors.map((e) => `${e.field}: ${e.message}`).join('; ');
    throw new AppError(422, 'validation_failed', detail, errors);
  }
  return values as SettingsColumns;
}
