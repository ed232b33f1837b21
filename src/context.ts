import type { Config } from './config.ts';
import { AuditWriter } from './core/audit/audit.writer.ts';
import { auditRetentionJob } from './core/audit/audit-retention.ts';
import { LocalTokenService } from './core/auth/local-tokens.ts';
import { OidcClient } from './core/auth/oidc/oidc-client.ts';
import type { Database } from './core/db/database.ts';
import type { CoreDeps } from './core/deps.ts';
import { AppError } from './core/http/errors.ts';
import { JobScheduler } from './core/jobs/scheduler.ts';
import { LinkedEntityRegistry } from './core/links/linked-entities.ts';
import { createStorage } from './core/storage/create-storage.ts';
import { type CrmModule, createCrmModule } from './modules/backoffice/crm/index.ts';
import { createProjectsModule, type ProjectsModule } from './modules/backoffice/projects/index.ts';
import { createTimeTrackingModule, type TimeTrackingModule } from './modules/backoffice/time-tracking/index.ts';
import { createDocumentsModule, type DocumentsModule } from './modules/documents/index.ts';
import { createEmployeesModule, type EmployeesModule } from './modules/employees/index.ts';
import { createIdentityModule, type IdentityModule } from './modules/identity/index.ts';
import { SettingsService } from './modules/settings/settings.service.ts';

/** Everything a running server holds: core services and every module, wired once. */
export interface AppContext {
  core: CoreDeps;
  settings: SettingsService;
  employees: EmployeesModule;
  identity: IdentityModule;
  crm: CrmModule;
  projects: ProjectsModule;
  timeTracking: TimeTrackingModule;
  documents: DocumentsModule;
}

/** Wires the modules on an open, migrated database. Does not touch data (see bootstrap). */
export async function createContext(config: Config, db: Database): Promise<AppContext> {
  const settings = new SettingsService(db);
  const localTokens = new LocalTokenService(db, config.PUBLIC_URL, config.ACCESS_TOKEN_TTL_SECONDS);
  await localTokens.init();
  const core: CoreDeps = {
    config,
    db,
    audit: new AuditWriter(db),
    localTokens,
    oidc: createOidcClient(config),
    companyTimezone: () => settings.timezone(),
    startedAt: new Date(),
    jobs: new JobScheduler(db, () => settings.timezone(), config.JOBS_TICK_SECONDS),
    links: new LinkedEntityRegistry(),
    storage: createStorage(config),
  };
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
  return { core, settings, employees, identity, crm, projects: projectsModule, timeTracking, documents };
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
