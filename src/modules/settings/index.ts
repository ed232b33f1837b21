import type { FastifyInstance } from 'fastify';
import type { AuditWriter } from '../../core/audit/audit.writer.ts';
import type { Database } from '../../core/db/database.ts';
import type { Notifications } from '../../core/db/notifications.ts';
import { settingsRoutes } from './settings.routes.ts';
import { SettingsResponse, SettingsUpdate } from './settings.schemas.ts';
import { SettingsService } from './settings.service.ts';

export type { SettingsRow, SettingsService } from './settings.service.ts';

export interface SettingsModule {
  settings: SettingsService;
  routes(app: FastifyInstance): Promise<void>;
}

/**
 * The company settings (SPEC 3.6). Built before CoreDeps, because core reads the company time zone
 * from it; it therefore takes the few core pieces it needs directly.
 */
export async function createSettingsModule(deps: {
  db: Database;
  audit: AuditWriter;
  notifications: Notifications;
  cacheMs: number;
}): Promise<SettingsModule> {
  const settings = new SettingsService(deps);
  await settings.watch();
  return {
    settings,
    async routes(app) {
      app.addSchema(SettingsResponse);
      app.addSchema(SettingsUpdate);
      await settingsRoutes(app, settings);
    },
  };
}
