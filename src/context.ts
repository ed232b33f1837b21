import { join } from 'node:path';
import type { Config } from './config.ts';
import { AuditWriter } from './core/audit/audit.writer.ts';
import { auditRetentionJob } from './core/audit/audit-retention.ts';
import { LocalTokenService } from './core/auth/local-tokens.ts';
import { OidcClient } from './core/auth/oidc/oidc-client.ts';
import type { Database } from './core/db/database.ts';
import { Notifications } from './core/db/notifications.ts';
import type { CoreDeps } from './core/deps.ts';
import { AppError } from './core/http/errors.ts';
import { JobScheduler } from './core/jobs/scheduler.ts';
import { LinkedEntityRegistry } from './core/links/linked-entities.ts';
import { MailService } from './core/mail/mail.service.ts';
import { HealthRegistry } from './core/observability/health.ts';
import { createStorage } from './core/storage/create-storage.ts';
import { type CrmModule, createCrmModule } from './modules/backoffice/crm/index.ts';
import { createProjectsModule, ProjectFigures, type ProjectsModule } from './modules/backoffice/projects/index.ts';
import {
  createTimeTrackingModule,
  TimeFigures,
  type TimeTrackingModule,
} from './modules/backoffice/time-tracking/index.ts';
import { createDashboardsModule, type DashboardsModule } from './modules/dashboards/index.ts';
import { createDocumentsModule, type DocumentsModule } from './modules/documents/index.ts';
import { createEmployeesModule, type EmployeesModule } from './modules/employees/index.ts';
import { createIdentityModule, type IdentityModule } from './modules/identity/index.ts';
import { createRemindersModule, ReminderFigures, type RemindersModule } from './modules/reminders/index.ts';
import { createSettingsModule, type SettingsModule, type SettingsService } from './modules/settings/index.ts';
import { createSystemModule, type SystemModule } from './modules/system/index.ts';

/** Everything a running server holds: core services and every module, wired once. */
export interface AppContext {
  core: CoreDeps;
  settings: SettingsService;
  settingsModule: SettingsModule;
  system: SystemModule;
  employees: EmployeesModule;
  identity: IdentityModule;
  crm: CrmModule;
  projects: ProjectsModule;
  timeTracking: TimeTrackingModule;
  reminders: RemindersModule;
  dashboards: DashboardsModule;
  documents: DocumentsModule;
}

/** Wires the modules on an open, migrated database. Does not touch data (see bootstrap). */
export async function createContext(config: Config, db: Database): Promise<AppContext> {
  const audit = new AuditWriter(db);
  const notifications = new Notifications(db);
  const settingsModule = await createSettingsModule({
    db,
    audit,
    notifications,
    cacheMs: config.SETTINGS_CACHE_SECONDS * 1000,
  });
  const settings = settingsModule.settings;
  const localTokens = new LocalTokenService(db, config.PUBLIC_URL, config.ACCESS_TOKEN_TTL_SECONDS);
  await localTokens.init();
  const core: CoreDeps = {
    config,
    db,
    audit,
    localTokens,
    oidc: createOidcClient(config),
    companyTimezone: () => settings.timezone(),
    startedAt: new Date(),
    jobs: new JobScheduler(db, () => settings.timezone(), config.JOBS_TICK_SECONDS),
    links: new LinkedEntityRegistry(),
    notifications,
    health: new HealthRegistry(),
    mail: new MailService({
      smtpUrl: config.SMTP_URL,
      from: config.MAIL_FROM,
      outboxDir: join(config.dataDir, 'outbox'),
    }),
    storage: await createStorage(config),
  };
  const oidc = core.oidc;
  if (oidc) core.health.register('identity_provider', () => oidc.health());
  core.health.register('smtp', async () => core.mail.health());
  core.health.register('storage', () => core.storage.health());
  core.jobs.register(auditRetentionJob(db, async () => (await settings.get()).auditRetentionDays));
  let identity: IdentityModule | null = null;
  const employees = createEmployeesModule(core, {
    codePrefix: async () => (await settings.get()).employeeCodePrefix,
    onRoleChanged: () => identity?.identity.forgetPrincipals(),
  });
  identity = createIdentityModule(core, employees.employees, employees.roles);
  // Modules built on top of others hand figures back late-bound (CRM ← projects ← time tracking).
  let projects: ProjectsModule | null = null;
  const crm = createCrmModule(core, {
    numberPrefix: async () => (await settings.get()).customerNumberPrefix,
    figures: () =>
      projects && {
        activeProjectsCount: (customerId) =>
          projects?.projects.activeCountForCustomer(customerId) ?? Promise.resolve(0),
      },
  });
  let timeTracking: TimeTrackingModule | null = null;
  const projectsModule = createProjectsModule(core, {
    customers: crm.customers,
    time: () => timeTracking?.projectFigures ?? null,
  });
  projects = projectsModule;
  timeTracking = createTimeTrackingModule(core, {
    projects: projectsModule.projects,
    assertEmployeeExists: async (id) => {
      await employees.employees.get(id);
    },
  });
  const documents = createDocumentsModule(core, {
    customerExists: (id) => crm.customers.exists(id),
    employeeExists: (id) =>
      employees.employees.get(id).then(
        () => true,
        (error: unknown) => {
          if (error instanceof AppError && error.status === 404) return false;
          throw error;
        },
      ),
    assertEmployeeExists: async (id) => {
      await employees.employees.get(id);
    },
    assertCustomerExists: (id) => crm.customers.assertExists(id),
    assertProjectExists: (id) => projectsModule.projects.assertExists(id),
  });
  const reminders = createRemindersModule(core, {
    employeeContacts: (ids) => employees.employees.contacts(ids),
  });
  const dashboards = createDashboardsModule(core);
  // The summary's sections, each shown only to holders of its permission; invoices and finance add theirs here.
  dashboards.registerSection({
    name: 'reminders',
    permission: 'reminders.read',
    schema: ReminderFigures,
    compute: (principal) => reminders.reminders.figures(principal.id),
  });
  dashboards.registerSection({
    name: 'time',
    permission: 'backoffice.time_tracking.write',
    schema: TimeFigures,
    compute: (principal) => timeTracking.time.dashboardFigures(principal.id),
  });
  dashboards.registerSection({
    name: 'projects',
    permission: 'backoffice.projects.read',
    schema: ProjectFigures,
    compute: () => projectsModule.projects.dashboardFigures(),
  });
  const system = createSystemModule(core);
  return {
    core,
    settings,
    settingsModule,
    system,
    employees,
    identity,
    crm,
    projects: projectsModule,
    timeTracking,
    reminders,
    dashboards,
    documents,
  };
}

/** The IdP client when OIDC_ISSUER is set; discovery starts in the background at once. */
function createOidcClient(config: Config): OidcClient | null {
  if (!config.OIDC_ISSUER || !config.OIDC_CLIENT_ID) return null;
  const oidc = new OidcClient({
    issuer: config.OIDC_ISSUER,
    clientId: config.OIDC_CLIENT_ID,
    clientSecret: config.OIDC_CLIENT_SECRET,
    keyFile: config.OIDC_KEY_FILE,
    redirectUri: config.OIDC_REDIRECT_URI,
    postLogoutRedirectUri: config.OIDC_POST_LOGOUT_REDIRECT_URI,
    projectId: config.OIDC_PROJECT_ID,
    scopes: config.OIDC_SCOPES.split(/\s+/).filter(Boolean),
  });
  oidc.start();
  return oidc;
}
