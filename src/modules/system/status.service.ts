import { sql } from 'drizzle-orm';
import { appliedMigration, expectedMigrationCount, migrationTag } from '../../core/db/migrate.ts';
import type { CoreDeps } from '../../core/deps.ts';
import { VERSION } from '../../version.ts';
import type { InfraServicesService } from './infra-services.service.ts';

/** GET /api/system/status: what an operator checks first (SPEC 3.5). */
export class SystemStatusService {
  constructor(
    private readonly deps: CoreDeps,
    private readonly services: InfraServicesService,
  ) {}

  async status() {
    const { db, jobs, notifications, health, startedAt } = this.deps;
    const database = await this.database();
    // Without a database the job and service figures cannot be read; say so instead of failing.
    const [jobStatus, services, subsystems] = await Promise.all([
      database.reachable ? jobs.status() : [],
      database.reachable ? this.services.counts() : { total: 0, active: 0, inactive: 0, error: 0 },
      health.collect(),
    ]);
    return {
      version: VERSION,
      started_at: startedAt,
      uptime_seconds: Math.floor((Date.now() - startedAt.getTime()) / 1000),
      node_version: process.version,
      database: { kind: db.kind, ...database },
      notifications: notifications.status(),
      jobs: jobStatus,
      services,
      subsystems,
    };
  }

  private async database() {
    try {
      await this.deps.db.root.execute(sql`select 1`);
    } catch {
      return { reachable: false, migrations: null, error: 'unreachable' };
    }
    try {
      const applied = await appliedMigration(this.deps.db);
      return {
        reachable: true,
        migrations: {
          applied: applied.count,
          expected: expectedMigrationCount(),
          latest: migrationTag(applied.latestAt),
        },
      };
    } catch {
      return { reachable: true, migrations: null, error: 'migration state unreadable' };
    }
  }
}
