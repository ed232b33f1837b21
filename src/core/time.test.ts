import { describe, expect, it } from 'vitest';
import { filterInstant, isValidTimeZone, todayIn, weekStart, zonedMidnight } from './time.ts';

describe('zonedMidnight', () => {
  it('is midnight in the zone, across the spring DST change in Berlin', () => {
    // 2026-03-29 starts in CET (+01:00); the clocks jump at 02:00 that day.
    expect(zonedMidnight('2026-03-29', 'Europe/Berlin').toISOString()).toBe('2026-03-28T23:00:00.000Z');
    // The next day starts in CEST (+02:00).
    expect(zonedMidnight('2026-03-30', 'Europe/Berlin').toISOString()).toBe('2026-03-29T22:00:00.000Z');
  });

  it('handles the autumn DST change and zones on both sides of UTC', () => {
    // 2026-10-25: still CEST at midnight, CET from 03:00.
    expect(zonedMidnight('2026-10-25', 'Europe/Berlin').toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect(zonedMidnight('2026-10-26', 'Europe/Berlin').toISOString()).toBe('2026-10-25T23:00:00.000Z');
    expect(zonedMidnight('2026-01-15', 'UTC').toISOString()).toBe('2026-01-15T00:00:00.000Z');
    expect(zonedMidnight('2026-01-15', 'America/New_York').toISOString()).toBe('2026-01-15T05:00:00.000Z');
    expect(zonedMidnight('2026-07-01', 'Asia/Kolkata').toISOString()).toBe('2026-06-30T18:30:00.000Z');
  });

  it('crosses a year boundary', () => {
    expect(zonedMidnight('2027-01-01', 'Europe/Berlin').toISOString()).toBe('2026-12-31T23:00:00.000Z');
  });
});

describe('todayIn', () => {
  it('gives the date in the zone, not in UTC', () => {
    const lateUtc = new Date('2026-03-28T23:30:00Z');
    expect(todayIn('Europe/Berlin', lateUtc)).toBe('2026-03-29');
    expect(todayIn('UTC', lateUtc)).toBe('2026-03-28');
    expect(todayIn('America/Los_Angeles', new Date('2026-01-01T07:59:59Z'))).toBe('2025-12-31');
    expect(todayIn('America/Los_Angeles', new Date('2026-01-01T08:00:00Z'))).toBe('2026-01-01');
  });

  it('defaults to now', () => {
    const now = new Date();
    expect(todayIn('UTC')).toBe(now.toISOString().slice(0, 10));
  });
});

describe('filterInstant', () => {
  it('reads a bare date as midnight in the zone and an ISO timestamp as is', () => {
    expect(filterInstant('2026-03-30', 'Europe/Berlin').toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(filterInstant('2026-03-30T10:15:00Z', 'Europe/Berlin').toISOString()).toBe('2026-03-30T10:15:00.000Z');
    expect(filterInstant('2026-03-30T10:15:00+02:00', 'UTC').toISOString()).toBe('2026-03-30T08:15:00.000Z');
  });
});

describe('isValidTimeZone', () => {
  it('accepts IANA names and rejects others', () => {
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });
});

describe('weekStart', () => {
  it('is the Monday of the week, Monday itself included, across a month and a year end', () => {
    expect(weekStart('2026-03-30')).toBe('2026-03-30'); // a Monday
    expect(weekStart('2026-04-05')).toBe('2026-03-30'); // the Sunday after it
    expect(weekStart('2026-04-01')).toBe('2026-03-30');
    expect(weekStart('2027-01-01')).toBe('2026-12-28'); // a Friday
  });
});
