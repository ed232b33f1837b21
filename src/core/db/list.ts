import type { InferSelectModel } from 'drizzle-orm';
import { type AnyColumn, and, asc, desc, eq, gte, ilike, lt, lte, or, type SQL, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { validationError } from '../http/errors.ts';
import { filterInstant } from '../time.ts';
import type { Database } from './database.ts';

export interface ListQueryInput {
  skip: number;
  limit: number;
  sort?: string;
  search?: string;
  [filter: string]: unknown;
}

export interface ListSpec {
  /** JSON field name → column, the only fields `sort` accepts. */
  sortable: Record<string, AnyColumn | SQL>;
  /** Columns `search` matches case-insensitively. */
  searchable: Array<AnyColumn | SQL>;
  /** Filter name → column compared for equality. */
  equals?: Record<string, AnyColumn>;
  /** Range filters `<name>_from`/`<name>_to`; dates are inclusive at both ends, timestamps exclusive at `_to`. */
  ranges?: Record<string, { column: AnyColumn; kind: 'date' | 'timestamp' }>;
  /** The stable default order: newest first with the id as tie-breaker. */
  defaultOrder: SQL[];
  /** Tie-breaker appended to any custom sort so pages never overlap. */
  tieBreaker: AnyColumn;
}

export interface ListPlan {
  where: SQL | undefined;
  orderBy: SQL[];
  skip: number;
  limit: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  skip: number;
  limit: number;
}

/** `%`, `_` and `\` are literal in a user's search text. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Turns the validated list query into WHERE and ORDER BY. Extra conditions (record-level rules,
 * custom filters) are passed in by the repository and ANDed in. A timestamp range reads its
 * query text as an instant, a bare date as midnight in `options.timeZone` (the company zone).
 */
export function planList(
  query: ListQueryInput,
  spec: ListSpec,
  extra: Array<SQL | undefined> = [],
  options: { timeZone?: string } = {},
): ListPlan {
  const conditions: Array<SQL | undefined> = [...extra];
  if (query.search) {
    const pattern = likePattern(query.search);
    conditions.push(or(...spec.searchable.map((column) => ilike(column as AnyColumn, pattern))));
  }
  for (const [name, column] of Object.entries(spec.equals ?? {})) {
    const value = query[name];
    if (value !== undefined) conditions.push(eq(column, value));
  }
  for (const [name, { column, kind }] of Object.entries(spec.ranges ?? {})) {
    const from = rangeBound(`${name}_from`, query[`${name}_from`], kind, options.timeZone);
    const to = rangeBound(`${name}_to`, query[`${name}_to`], kind, options.timeZone);
    if (from !== undefined) conditions.push(gte(column, from));
    if (to !== undefined) conditions.push(kind === 'date' ? lte(column, to) : lt(column, to));
  }
  return {
    where: and(...conditions),
    orderBy: query.sort ? parseSort(query.sort, spec) : spec.defaultOrder,
    skip: query.skip,
    limit: query.limit,
  };
}

/**
 * A timestamp filter's text as an instant (a bare date: midnight in `timeZone`). 422 naming the
 * field for a date or time that does not exist (`2024-02-30`, `T25:61`), which a pattern lets pass.
 */
export function filterBound(field: string, value: string, timeZone: string): Date {
  const instant = filterInstant(value, timeZone);
  if (Number.isNaN(instant.getTime()) || !isCalendarDate(value.slice(0, 10))) {
    throw validationError(field, 'is not a valid date or ISO timestamp');
  }
  return instant;
}

function isCalendarDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const probe = new Date(Date.UTC(y, m - 1, d));
  return probe.getUTCMonth() === m - 1 && probe.getUTCDate() === d;
}

/** Query text → the value a range compares with: timestamp columns want a Date, not a string. */
function rangeBound(field: string, value: unknown, kind: 'date' | 'timestamp', timeZone?: string): unknown {
  if (kind !== 'timestamp' || typeof value !== 'string') return value;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value) && !timeZone) {
    throw new Error('planList: a date in a timestamp range needs options.timeZone (the company time zone)');
  }
  return filterBound(field, value, timeZone ?? 'UTC');
}

function parseSort(sort: string, spec: ListSpec): SQL[] {
  const order: SQL[] = [];
  for (const part of sort.split(',')) {
    const descending = part.startsWith('-');
    const field = descending ? part.slice(1) : part;
    const column = spec.sortable[field];
    if (!column) {
      throw validationError('sort', `unknown sort field "${field}"; allowed: ${Object.keys(spec.sortable).join(', ')}`);
    }
    order.push(descending ? desc(column) : asc(column));
  }
  order.push(desc(spec.tieBreaker));
  return order;
}

/** Total count with the same filter, as a number on both drivers. */
export const countAll = sql<number>`count(*)`.mapWith(Number);

/**
 * One page of whole rows of `table` for the plan, and the total: the list query of every repository
 * whose items are its table's rows (lists with joins or rows shaped in SQL write their own).
 */
export async function selectPage<T extends PgTable>(
  db: Database,
  table: T,
  plan: ListPlan,
): Promise<Page<InferSelectModel<T>>> {
  const source = table as PgTable;
  const [rows, [count]] = await Promise.all([
    db.q
      .select()
      .from(source)
      .where(plan.where)
      .orderBy(...plan.orderBy)
      .offset(plan.skip)
      .limit(plan.limit),
    db.q.select({ n: countAll }).from(source).where(plan.where),
  ]);
  return { items: rows as InferSelectModel<T>[], total: count?.n ?? 0, skip: plan.skip, limit: plan.limit };
}
