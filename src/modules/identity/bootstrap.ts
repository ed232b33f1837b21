import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import { hashPassword } from '../../core/auth/passwords.ts';
import { SYSTEM_CONTEXT } from '../../core/auth/principal.ts';
import type { Database } from '../../core/db/database.ts';
import type { EmployeesModule } from '../employees/index.ts';
import type { SettingsService } from '../settings/settings.service.ts';

/**
 * First start (SPEC 2.1): system roles, the settings row and, while no employee exists, the admin
 * KIT-0001 with ADMIN_PASSWORD or a generated password printed once. Safe to run on every start
 * and from several instances at once (one advisory lock; no-ops after the first time).
 */
export async function bootstrap(
  db: Database,
  modules: { employees: EmployeesModule; settings: SettingsService },
  admin: { email: string; password?: string },
  log: Pick<FastifyBaseLogger, 'warn' | 'info'>,
): Promise<void> {
  await db.transaction(async () => {
    if (db.kind === 'postgres') await db.q.execute(sql`select pg_advisory_xact_lock(727003)`);
    await modules.settings.ensureRow();
    await modules.employees.roles.ensureSystemRoles();
    const result = await db.q.execute(sql`select exists(select 1 from employees) as any`);
    const anyEmployee = (result as unknown as { rows: Array<{ any: boolean }> }).rows[0]?.any;
    if (anyEmployee) return;
    const adminRole = await modules.employees.roles.findByName('Admin');
    const password = admin.password ?? randomBytes(18).toString('base64url');
    const created = await modules.employees.employees.create(
      SYSTEM_CONTEXT,
      { first_name: 'Admin', last_name: 'WorkmateOS', email: admin.email, role_id: adminRole?.id ?? null },
      { passwordHash: await hashPassword(password) },
    );
    if (admin.password) {
      log.info(
        { email: created.email, employee_code: created.employeeCode },
        'created the admin account with ADMIN_PASSWORD',
      );
    } else {
      // Printed once, on purpose: nobody else knows it, and it is not stored anywhere in clear.
      log.warn(
        { email: created.email, employee_code: created.employeeCode, password },
        'created the admin account with a generated password; sign in and change it now',
      );
    }
  });
}
