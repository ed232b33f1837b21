import { eq, sql } from 'drizzle-orm';
import type { Database } from '../../core/db/database.ts';
import { settings } from './settings.table.ts';
import type { SettingsColumns } from './settings.validation.ts';

export type SettingsRow = typeof settings.$inferSelect;

/** The one settings row (id 1); the only file that builds SQL for it. */
export class SettingsRepository {
  constructor(private readonly db: Database) {}

  async ensureRow(): Promise<void> {
    await this.db.q.insert(settings).values({ id: 1 }).onConflictDoNothing();
  }

  async find(): Promise<SettingsRow | null> {
    const [row] = await this.db.q.select().from(settings).where(eq(settings.id, 1));
    return row ?? null;
  }

  async lock(): Promise<SettingsRow | null> {
    const [row] = await this.db.q.select().from(settings).where(eq(settings.id, 1)).for('update');
    return row ?? null;
  }

  async update(values: SettingsColumns): Promise<SettingsRow> {
    const [row] = await this.db.q
      .update(settings)
      .set({ ...values, updatedAt: new Date(), version: sql`${settings.version} + 1` })
      .where(eq(settings.id, 1))
      .returning();
    if (!row) throw new Error('settings row missing (bootstrap did not run)');
    return row;
  }
}
