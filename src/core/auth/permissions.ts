/** The permission catalog (SPEC 2.5): every key a role may hold, with what it allows. */
export const PERMISSION_CATALOG: ReadonlyArray<{ key: string; description: string }> = [
  { key: 'employees.read', description: 'Read employees and departments' },
  { key: 'employees.write', description: 'Create and change employees and departments, set passwords' },
  { key: 'employees.delete', description: 'Deactivate employees, delete departments' },
  { key: 'employees.personal', description: 'See personal fields of other employees (HR)' },
  { key: 'admin.roles.read', description: 'Read roles and the permission catalog' },
  { key: 'admin.roles.write', description: 'Create, change and delete roles' },
  { key: 'admin.audit.read', description: 'Read the audit log' },
  { key: 'admin.settings.write', description: 'Change system settings' },
  { key: 'admin.system.read', description: 'Read system status and infrastructure services' },
  { key: 'admin.system.write', description: 'Manage infrastructure services' },
  { key: 'admin.integrations.write', description: 'Manage API keys and webhooks' },
  { key: 'documents.read', description: 'Read documents' },
  { key: 'documents.write', description: 'Upload and change documents' },
  { key: 'documents.delete', description: 'Delete documents' },
  { key: 'documents.confidential', description: 'See confidential documents of others' },
  { key: 'reminders.read', description: 'Read own reminders' },
  { key: 'reminders.write', description: 'Create and change own reminders' },
  { key: 'reminders.manage', description: "Read and change others' reminders" },
  { key: 'dashboards.read', description: 'Read own dashboards' },
  { key: 'dashboards.write', description: 'Create and change own dashboards' },
  { key: 'backoffice.crm.read', description: 'Read customers, contacts and activities' },
  { key: 'backoffice.crm.write', description: 'Create and change customers, contacts and activities' },
  { key: 'backoffice.crm.delete', description: 'Archive customers, delete contacts and activities' },
  { key: 'backoffice.projects.read', description: 'Read projects' },
  { key: 'backoffice.projects.write', description: 'Create and change projects' },
  { key: 'backoffice.projects.delete', description: 'Archive projects' },
  { key: 'backoffice.time_tracking.write', description: 'Track and change own time entries' },
  { key: 'backoffice.time_tracking.view', description: "Read everyone's time entries" },
  { key: 'backoffice.time_tracking.approve', description: 'Approve time entries' },
  { key: 'backoffice.time_tracking.manage', description: "Change everyone's time entries" },
  { key: 'backoffice.invoices.read', description: 'Read invoices and payments' },
  { key: 'backoffice.invoices.write', description: 'Create and change invoice drafts and payments' },
  { key: 'backoffice.invoices.finalize', description: 'Finalize, send and cancel invoices' },
  { key: 'backoffice.invoices.delete', description: 'Delete invoice drafts and payments' },
  { key: 'backoffice.finance.read', description: 'Read expenses and finance figures' },
  { key: 'backoffice.finance.write', description: 'Create and change expenses' },
  { key: 'backoffice.finance.delete', description: 'Delete expenses' },
  { key: 'backoffice.finance.reimburse', description: 'Mark expenses reimbursed' },
  { key: 'backoffice.chat.read', description: 'Read project chat' },
  { key: 'backoffice.chat.write', description: 'Write project chat messages' },
  { key: 'backoffice.chat.moderate', description: "Edit and delete others' chat messages" },
];

const CATALOG_KEYS = PERMISSION_CATALOG.map((p) => p.key);

/**
 * Whether one granted key or pattern covers the required key: `*` covers everything; `a.b.*`
 * every key strictly below `a.b`; `a.b` itself and every key below it. Nothing else.
 */
export function grants(granted: string, required: string): boolean {
  if (granted === '*') return true;
  if (granted.endsWith('.*')) return required.startsWith(granted.slice(0, -1));
  return required === granted || required.startsWith(`${granted}.`);
}

export function hasPermission(granted: readonly string[], required: string): boolean {
  for (const g of granted) if (grants(g, required)) return true;
  return false;
}

/** A key a role may store: `*`, a catalog key, or a pattern/prefix covering at least one catalog key. */
export function isValidPermission(key: string): boolean {
  if (key === '*') return true;
  if (!/^[a-z_]+(\.[a-z_]+)*(\.\*)?$/.test(key)) return false;
  return CATALOG_KEYS.some((catalogKey) => grants(key, catalogKey));
}

/**
 * Whether someone holding `granted` may hand out `requested` (to a role or, through a role, to a
 * person): nobody grants more than they hold. `*` can only be granted by `*`; a pattern needs
 * every catalog key it covers.
 */
export function coversAll(granted: readonly string[], requested: readonly string[]): boolean {
  if (granted.includes('*')) return true;
  for (const key of requested) {
    if (key === '*') return false;
    const covered = CATALOG_KEYS.filter((catalogKey) => grants(key, catalogKey));
    if (!covered.every((catalogKey) => hasPermission(granted, catalogKey))) return false;
  }
  return true;
}

/** Keys that confer control over the system itself: whoever holds them can widen any access. */
const PRIVILEGED_KEYS = ['admin.roles.write', 'admin.settings.write', 'admin.system.write', 'admin.integrations.write'];

/**
 * Whether someone holding `granted` may give a person a role holding `requested`, or manage the
 * account of a person holding it. HR hands out business roles every day, so only `*` and the
 * privileged keys must be covered: nobody makes themself or a friend an administrator.
 */
export function coversPrivileged(granted: readonly string[], requested: readonly string[]): boolean {
  if (granted.includes('*')) return true;
  for (const key of requested) {
    if (key === '*') return false;
    for (const privileged of PRIVILEGED_KEYS) {
      if (grants(key, privileged) && !hasPermission(granted, privileged)) return false;
    }
  }
  return true;
}
