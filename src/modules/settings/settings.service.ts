import type { AuditWriter } from '../../core/audit/audit.writer.ts';
import { auditView, diffChanges } from '../../core/audit/changes.ts';
import type { RequestContext } from '../../core/auth/principal.ts';
import type { Database } from '../../core/db/database.ts';
import type { Notifications } from '../../core/db/notifications.ts';
import type { PreconditionCheck } from '../../core/http/etag.ts';
import { SettingsRepository, type SettingsRow } from './settings.repository.ts';
import type { SettingsUpdateInput } from './settings.schemas.ts';
import { toSettingsColumns } from './settings.validation.ts';

export type { SettingsRow } from './settings.repository.ts';

/** Every instance drops its cached row when a message arrives here (sent at the change's commit). */
export const SETTINGS_CHANNEL = 'settings_changed';

/** The settings row as an ETag subject: `"settings-<version>"`. */
export const settingsEtagSubject = (row: SettingsRow) => ({ id: 'settings', version: row.version });

/**
 * The settings singleton, read through a short cache: every request reads it (maintenance mode)
 * and many need the time zone or a number prefix, few change it. A change drops the cache on this
 * instance at commit and on every other instance when the LISTEN/NOTIFY message arrives; the
 * lifetime (SETTINGS_CACHE_SECONDS, default 5) only bounds staleness while the listener connection is down.
 */
export class SettingsService {
  private readonly repo: SettingsRepository;
  private cached: { row: SettingsRow; at: number } | null = null;
  /** Bumped by invalidate(): a read that began before a change must not refill the cache with the old row. */
  private generation = 0;

  constructor(
    private readonly deps: { db: Database; audit: AuditWriter; notifications: Notifications; cacheMs: number },
  ) {
    this.repo = new SettingsRepository(deps.db);
  }

  /** Subscribes to changes made by other instances (at wiring time). */
  async watch(): Promise<void> {
    await this.deps.notifications.listen(SETTINGS_CHANNEL, () => this.invalidate());
    // Messages sent while the listener was reconnecting are lost: start from the database again.
    this.deps.notifications.onReconnect(() => this.invalidate());
  }

  ensureRow(): Promise<void> {
    return this.repo.ensureRow();
  }

  async get(): Promise<SettingsRow> {
    const cached = this.cached;
    if (cached && Date.now() - cached.at < this.deps.cacheMs) return cached.row;
    const generation = this.generation;
    const row = await this.repo.find();
    if (!row) throw new Error('settings row missing (bootstrap did not run)');
    if (generation === this.generation) this.cached = { row, at: Date.now() };
    return row;
  }

  invalidate(): void {
    this.generation += 1;
    this.cached = null;
  }

  async timezone(): Promise<string> {
    return (await this.get()).defaultTimezone;
  }

  /**
   * Changes the given fields (PUT and PATCH alike) with one audit row, and tells every instance
   * at commit. Values equal to the stored ones change nothing (no version bump, no audit row).
   */
  async update(ctx: RequestContext, input: SettingsUpdateInput, precondition: PreconditionCheck): Promise<SettingsRow> {
    const values = toSettingsColumns(input);
    const { db, audit, notifications } = this.deps;
    let changed = false;
    const row = await db.transaction(async () => {
      const before = await this.repo.lock();
      if (!before) throw new Error('settings row missing (bootstrap did not run)');
      precondition?.(settingsEtagSubject(before));
      if (Object.keys(diffChanges(auditView(before), auditView({ ...before, ...values }))).length === 0) return before;
      const after = await this.repo.update(values);
      await audit.record(ctx, {
        action: 'update',
        resourceType: 'settings',
        resourceId: '1',
        resourceName: 'settings',
        changes: diffChanges(auditView(before), auditView(after)),
      });
      await notifications.notify(SETTINGS_CHANNEL, String(after.version));
      changed = true;
      return after;
    });
    // After commit: a read on this instance must not wait for the notification's round trip.
    if (changed) this.invalidate();
    return row;
  }
}
