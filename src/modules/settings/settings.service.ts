import { eq } from 'drizzle-orm';
import type { Database } from '../../core/db/database.ts';
import { settings } from './settings.table.ts';

export type SettingsRow = typeof settings.$inferSelect;

const CACHE_MS = 5_000;

/**
 * The settings singleton, read through a short cache: many requests need the time zone or a
 * number prefix, few change them. A change on another instance is seen within CACHE_MS.
 */
export class SettingsService {
  private cached: { row: SettingsRow; at: number } | null = null;

  constructor(private readonly db: Database) {}

  async ensureRow(): Promise<void> {
    await this.db.q.insert(settings).values({ id: 1 }).onConflictDoNothing();
  }

  async get(): Promise<SettingsRow> {
    if (this.cached && Date.now() - this.cached.at < CACHE_MS) return this.cached.row;
    const [row] = await this.db.q.select().from(settings).where(eq(settings.id, 1));
    if (!row) throw new Error('settings row missing (bootstrap did not run)');
    this.cached = { row, at: Date.now() };
    return row;
  }

  invalidate(): void {
    this.cached = null;
  }

  async timezone(): Promise<string> {
    return (await this.get()).defaultTimezone;
  }
}
