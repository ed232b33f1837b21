import { desc } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { AppError } from '../http/errors.ts';
import { auditLogs } from './core.table.ts';
import { filterBound, likePattern, planList } from './list.ts';

const spec = {
  sortable: { occurred_at: auditLogs.occurredAt, action: auditLogs.action },
  searchable: [auditLogs.resourceName],
  equals: { action: auditLogs.action },
  ranges: { occurred_at: { column: auditLogs.occurredAt, kind: 'timestamp' as const } },
  defaultOrder: [desc(auditLogs.occurredAt), desc(auditLogs.id)],
  tieBreaker: auditLogs.id,
};

const dialect = new PgDialect();

describe('likePattern', () => {
  it('wraps the text in % for a substring match', () => {
    expect(likePattern('abc')).toBe('%abc%');
  });

  it('escapes %, _ and backslash so they match literally', () => {
    expect(likePattern('50%')).toBe('%50\\%%');
    expect(likePattern('a_b')).toBe('%a\\_b%');
    expect(likePattern('c:\\dir')).toBe('%c:\\\\dir%');
    expect(likePattern('%_\\')).toBe('%\\%\\_\\\\%');
  });
});

describe('planList', () => {
  it('uses the default order without a sort', () => {
    const plan = planList({ skip: 5, limit: 10 }, spec);
    expect(plan.orderBy).toBe(spec.defaultOrder);
    expect(plan.skip).toBe(5);
    expect(plan.limit).toBe(10);
    expect(plan.where).toBeUndefined();
  });

  it('turns a sort list into ORDER BY with the id as tie-breaker', () => {
    const plan = planList({ skip: 0, limit: 10, sort: '-occurred_at,action' }, spec);
    const rendered = plan.orderBy.map((o) => dialect.sqlToQuery(o).sql);
    expect(rendered).toEqual([
      '"audit_logs"."occurred_at" desc',
      '"audit_logs"."action" asc',
      '"audit_logs"."id" desc',
    ]);
  });

  it('rejects an unknown sort field with a 422 naming sort', () => {
    let error: unknown;
    try {
      planList({ skip: 0, limit: 10, sort: 'password' }, spec);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).status).toBe(422);
    expect((error as AppError).errors).toEqual([{ field: 'sort', message: expect.stringContaining('password') }]);
  });

  it('builds a WHERE with the escaped search and equality filters', () => {
    const plan = planList({ skip: 0, limit: 10, search: '5%', action: 'create' }, spec);
    if (!plan.where) throw new Error('expected a WHERE');
    const query = dialect.sqlToQuery(plan.where);
    expect(query.sql).toContain('ilike');
    expect(query.params).toEqual(['%5\\%%', 'create']);
  });

  it('reads timestamp ranges as instants, a bare date as midnight in the given zone', () => {
    const plan = planList(
      { skip: 0, limit: 10, occurred_at_from: '2026-03-30', occurred_at_to: '2026-04-01T12:00:00Z' },
      spec,
      [],
      { timeZone: 'Europe/Berlin' },
    );
    if (!plan.where) throw new Error('expected a WHERE');
    const query = dialect.sqlToQuery(plan.where);
    expect(query.sql).toBe('("audit_logs"."occurred_at" >= $1 and "audit_logs"."occurred_at" < $2)');
    expect(query.params).toEqual(['2026-03-29T22:00:00.000Z', '2026-04-01T12:00:00.000Z']);
  });

  it('refuses a bare date in a timestamp range when no time zone is given', () => {
    expect(() => planList({ skip: 0, limit: 10, occurred_at_from: '2026-03-30' }, spec)).toThrow(/timeZone/);
  });
});

function appErrorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('filterBound', () => {
  it('reads bare dates in the zone and timestamps as given', () => {
    expect(filterBound('x', '2026-03-30', 'Europe/Berlin').toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(filterBound('x', '2026-03-30T10:00+02:00', 'UTC').toISOString()).toBe('2026-03-30T08:00:00.000Z');
    expect(filterBound('x', '2024-02-29', 'UTC').toISOString()).toBe('2024-02-29T00:00:00.000Z');
  });

  it('rejects dates and times that do not exist with a 422 naming the field', () => {
    for (const value of [
      '2024-02-30',
      '2023-02-29',
      '2024-13-01',
      '2024-00-10',
      '2024-06-01T25:61:00Z',
      '2024-02-30T10:00:00Z',
    ]) {
      const error = appErrorOf(() => filterBound('created_at_from', value, 'Europe/Berlin'));
      expect(error.status, value).toBe(422);
      expect(error.errors?.[0]?.field, value).toBe('created_at_from');
    }
  });

  it('guards planList timestamp ranges too', () => {
    const error = appErrorOf(() =>
      planList({ skip: 0, limit: 10, occurred_at_to: '2024-06-31' }, spec, [], { timeZone: 'UTC' }),
    );
    expect(error.errors).toEqual([{ field: 'occurred_at_to', message: expect.any(String) }]);
  });
});
