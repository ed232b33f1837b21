import type { AuditWriter } from '../../core/audit/audit.writer.ts';
import { SYSTEM_CONTEXT } from '../../core/auth/principal.ts';
import type { Database } from '../../core/db/database.ts';
import type { JobDefinition } from '../../core/jobs/scheduler.ts';
import type { MailService } from '../../core/mail/mail.service.ts';
import { mailLanguage } from '../../core/mail/templates.ts';
import { todayIn } from '../../core/time.ts';
import type { EmployeeContact } from '../employees/index.ts';
import { reminderMail } from './reminder-mail.ts';
import type { RemindersRepository } from './reminders.repository.ts';
import { canOwnReminders } from './reminders.service.ts';

export const REMINDERS_JOB = 'reminders_daily';

export interface RemindersJobDeps {
  db: Database;
  audit: AuditWriter;
  reminders: RemindersRepository;
  mail: MailService;
  companyTimezone(): Promise<string>;
  employeeContacts(ids: string[]): Promise<EmployeeContact[]>;
}

/**
 * The daily reminder job (SPEC 3.3), at 07:00 company time and at start: open reminders due
 * before today become overdue (one audit row each, actor "system"); then every reminder due
 * today or earlier, not done and not yet notified, whose owner is active and has notifications
 * enabled, is mailed to the owner in their language. Each reminder is claimed
 * (`notified = true` where it was false) before its mail is sent, so two instances running the
 * job at once never mail it twice; a failed send gives the claim back and fails the run, which
 * the scheduler retries. Reminders of owners with notifications off stay `notified = false`.
 */
export function remindersDailyJob(deps: RemindersJobDeps): JobDefinition {
  return {
    name: REMINDERS_JOB,
    schedule: { dailyAt: '07:00' },
    runAtStart: true,
    async run({ log }) {
      const today = todayIn(await deps.companyTimezone());
      const overdue = await deps.db.transaction(async () => {
        const rows = await deps.reminders.markOverdue(today);
        for (const row of rows) {
          await deps.audit.record(SYSTEM_CONTEXT, {
            action: 'update',
            resourceType: 'reminder',
            resourceId: row.id,
            resourceName: row.title,
            changes: { status: { old: 'open', new: 'overdue' } },
          });
        }
        return rows.length;
      });

      const due = await deps.reminders.dueUnnotified(today);
      const owners = new Map(
        (await deps.employeeContacts(due.map((r) => r.ownerId))).map((owner) => [owner.id, owner]),
      );
      let sent = 0;
      let skipped = 0;
      const failures: string[] = [];
      for (const { id, ownerId } of due) {
        const owner = owners.get(ownerId);
        if (!canOwnReminders(owner) || !owner.notificationsEnabled) {
          skipped += 1;
          continue;
        }
        const reminder = await deps.reminders.claimNotification(id, today);
        if (!reminder) continue; // another instance has it, or it was completed meanwhile
        try {
          await deps.mail.send({
            to: owner.email,
            ...reminderMail.render(mailLanguage(owner.language), {
              firstName: owner.firstName,
              title: reminder.title,
              description: reminder.description,
              dueDate: reminder.dueDate,
              priority: reminder.priority,
              today,
            }),
          });
          sent += 1;
        } catch (error) {
          await deps.reminders.releaseNotification(id);
          const message = error instanceof Error ? error.message : String(error);
          failures.push(message);
          log.warn({ reminder_id: id, err: error }, 'reminder mail failed; it is retried on the next run');
        }
      }
      const summary = `${overdue} reminders overdue, ${sent} mails sent, ${skipped} skipped (notifications off or owner inactive)`;
      if (failures.length > 0) {
        throw new Error(`${summary}, ${failures.length} mails failed: ${failures[0]}`);
      }
      return summary;
    },
  };
}
