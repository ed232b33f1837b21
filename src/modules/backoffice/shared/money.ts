import { type SchemaOptions, Type } from '@sinclair/typebox';

/** SPEC 1 money on input: a JSON string (a number is 422), at most 10 integer and 2 fraction digits. */
export const MONEY_PATTERN = '^-?\\d{1,10}(\\.\\d{1,2})?$';
/** The same, not negative (budgets, rates). */
export const NON_NEGATIVE_MONEY_PATTERN = '^\\d{1,10}(\\.\\d{1,2})?$';

export const Money = (options: SchemaOptions = {}) =>
  Type.String({ pattern: MONEY_PATTERN, description: 'decimal string, e.g. "1234.50"', ...options });
export const NonNegativeMoney = (options: SchemaOptions = {}) =>
  Type.String({ pattern: NON_NEGATIVE_MONEY_PATTERN, description: 'decimal string ≥ 0, e.g. "95.00"', ...options });
/** Money on output: always two decimals. */
export const MoneyOut = (options: SchemaOptions = {}) =>
  Type.String({ pattern: '^-?\\d+\\.\\d{2}$', description: 'two decimals, e.g. "1234.50"', ...options });

/**
 * A numeric(12,2) value as read from either driver → the two-decimal string. PostgreSQL already
 * returns numeric(12,2) with two decimals; sums and computed values are cast in SQL before this.
 */
export function moneyText(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const [whole = '0', fraction = ''] = value.split('.');
  return `${whole}.${fraction.padEnd(2, '0').slice(0, 2)}`;
}
