export type Changes = Record<string, { old: unknown; new: unknown }>;

/** Never written to the audit log, whatever a module passes in. */
const SECRET_FIELDS = new Set(['password', 'password_hash', 'token', 'refresh_token', 'access_token', 'secret']);

function normalize(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  return value === undefined ? null : value;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));
}

/** `{field: {old, new}}` for each field that changed between two snake_case snapshots. */
export function diffChanges(before: Record<string, unknown>, after: Record<string, unknown>): Changes {
  const changes: Changes = {};
  for (const key of Object.keys(after)) {
    if (SECRET_FIELDS.has(key) || key === 'updated_at' || key === 'version') continue;
    if (!same(before[key], after[key])) changes[key] = { old: normalize(before[key]), new: normalize(after[key]) };
  }
  return changes;
}

/** The changes of a create (old null) or a delete (new null). */
export function snapshotChanges(record: Record<string, unknown>, direction: 'create' | 'delete'): Changes {
  const changes: Changes = {};
  for (const [key, value] of Object.entries(record)) {
    if (SECRET_FIELDS.has(key) || value === null || value === undefined) continue;
    changes[key] = direction === 'create' ? { old: null, new: normalize(value) } : { old: normalize(value), new: null };
  }
  return changes;
}

const NOT_AUDITED = new Set(['passwordHash', 'version']);

/** A Drizzle row as the snake_case record the audit log shows (secrets and counters left out). */
export function auditView(row: object): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (NOT_AUDITED.has(key)) continue;
    view[key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = value;
  }
  return view;
}
