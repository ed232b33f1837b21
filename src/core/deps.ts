import type { Config } from '../config.ts';
import type { AuditWriter } from './audit/audit.writer.ts';
import type { LocalTokenService } from './auth/local-tokens.ts';
import type { OidcClient } from './auth/oidc/oidc-client.ts';
import type { Database } from './db/database.ts';
import type { Notifications } from './db/notifications.ts';
import type { JobScheduler } from './jobs/scheduler.ts';
import type { LinkedEntityRegistry } from './links/linked-entities.ts';
import type { MailService } from './mail/mail.service.ts';
import type { HealthRegistry } from './observability/health.ts';
import type { FileStorage } from './storage/storage.ts';

/** What core services give every module. Built once in main.ts (or by a test) and passed to buildApp. */
export interface CoreDeps {
  config: Config;
  db: Database;
  audit: AuditWriter;
  localTokens: LocalTokenService;
  /** The OpenID provider when OIDC_ISSUER is set (oidc mode), else null. */
  oidc: OidcClient | null;
  /** The company time zone (settings.default_timezone), cached by the settings module. */
  companyTimezone(): Promise<string>;
  startedAt: Date;
  /** Scheduled jobs, each run once per slot across instances; modules register theirs at wiring time. */
  jobs: JobScheduler;
  /** Record types reminders and documents may link to; each module registers its own. */
  links: LinkedEntityRegistry;
  /** Cross-instance LISTEN/NOTIFY (in-process on PGlite): cache invalidation, chat fan-out. */
  notifications: Notifications;
  /** Subsystem states shown by /health/ready and /api/system/status; register with `health.register(name, fn)`. */
  health: HealthRegistry;
  /** Outgoing mail: SMTP when SMTP_URL is set, else `.eml` files in `$DATA_DIR/outbox`. */
  mail: MailService;
  /** Uploaded files: a local directory or S3-compatible object storage (STORAGE). */
  storage: FileStorage;
}
