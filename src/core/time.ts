const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Offset of `timeZone` from UTC at the instant `utcMs`, in milliseconds. */
function zoneOffsetMs(utcMs: number, timeZone: string): number {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(new Date(utcMs))
      .map((p) => [p.type, p.value]),
  );
  const n = (key: string) => Number(parts[key] ?? 0);
  const asUtc = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return asUtc - (utcMs - (utcMs % 1000));
}

/** The instant of midnight at the start of `date` (YYYY-MM-DD) in `timeZone`. */
export function zonedMidnight(date: string, timeZone: string): Date {
  return zonedInstant(date, '00:00', timeZone);
}

/** The instant of the wall-clock time `time` (HH:MM) on `date` (YYYY-MM-DD) in `timeZone`. */
export function zonedInstant(date: string, time: string, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [hh, mm] = time.split(':').map(Number) as [number, number];
  const guess = Date.UTC(y, m - 1, d, hh, mm);
  let instant = guess - zoneOffsetMs(guess, timeZone);
  // Across a DST change the offset at the guess differs from the one at the result; one more pass settles it.
  instant = guess - zoneOffsetMs(instant, timeZone);
  return new Date(instant);
}

/** A timestamp filter value: an ISO timestamp as is, a bare date as midnight in the company zone. */
export function filterInstant(value: string, timeZone: string): Date {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? zonedMidnight(value, timeZone) : new Date(value);
}

function localParts(timeZone: string, now: Date): Record<string, string> {
  return Object.fromEntries(
    formatter(timeZone)
      .formatToParts(now)
      .map((p) => [p.type, p.value]),
  );
}

/** Today's date (YYYY-MM-DD) in `timeZone`. */
export function todayIn(timeZone: string, now = new Date()): string {
  const parts = localParts(timeZone, now);
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** The wall-clock time (HH:MM, 24 h) in `timeZone`. */
export function clockIn(timeZone: string, now = new Date()): string {
  const parts = localParts(timeZone, now);
  return `${parts.hour}:${parts.minute}`;
}

/** The date `days` after `date` (YYYY-MM-DD), calendar arithmetic without time zones. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** The Monday (YYYY-MM-DD) of the week `date` lies in: weeks start on Monday (SPEC 1, Time). */
export function weekStart(date: string): string {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  return addDays(date, -((weekday + 6) % 7));
}

/**
 * The standard spelling of an IANA time zone name (`europe/berlin` → `Europe/Berlin`), or null.
 * Offsets such as `+01:00`, which newer Node versions accept, are not zone names.
 */
export function canonicalTimeZone(timeZone: string): string | null {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(timeZone)) return null;
  try {
    return formatter(timeZone).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

export function isValidTimeZone(timeZone: string): boolean {
  return canonicalTimeZone(timeZone) !== null;
}
