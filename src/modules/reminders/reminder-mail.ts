import { defineMailTemplate, formatDate, html } from '../../core/mail/templates.ts';

export interface ReminderMailVars {
  firstName: string;
  title: string;
  description: string | null;
  dueDate: string;
  priority: string;
  /** The company's today (YYYY-MM-DD): due today or overdue since the due date. */
  today: string;
}

const PRIORITY = {
  de: { low: 'niedrig', medium: 'mittel', high: 'hoch', critical: 'kritisch' },
  en: { low: 'low', medium: 'medium', high: 'high', critical: 'critical' },
} as const;

const label = (language: 'de' | 'en', priority: string) =>
  PRIORITY[language][priority as keyof (typeof PRIORITY)['de']] ?? priority;

/** The daily job's mail about one due or overdue reminder, in the owner's language. */
export const reminderMail = defineMailTemplate<ReminderMailVars>('reminder', {
  de: (v) => {
    const overdue = v.dueDate < v.today;
    const date = formatDate(v.dueDate, 'de');
    const when = overdue ? `ist seit dem ${date} überfällig` : 'ist heute fällig';
    return {
      subject: `${overdue ? 'Überfällig' : 'Erinnerung'}: ${v.title}`,
      text: [
        `Hallo ${v.firstName},`,
        '',
        `deine Erinnerung „${v.title}“ ${when}.`,
        ...(v.description ? ['', v.description] : []),
        '',
        `Fällig am: ${date}`,
        `Priorität: ${label('de', v.priority)}`,
      ].join('\n'),
      html: html`<p>Hallo ${v.firstName},</p>
<p>deine Erinnerung <strong>„${v.title}“</strong> ${when}.</p>
${v.description ? html`<p style="white-space: pre-line;">${v.description}</p>` : null}
<p>Fällig am: ${date}<br>Priorität: ${label('de', v.priority)}</p>`,
    };
  },
  en: (v) => {
    const overdue = v.dueDate < v.today;
    const date = formatDate(v.dueDate, 'en');
    const when = overdue ? `has been overdue since ${date}` : 'is due today';
    return {
      subject: `${overdue ? 'Overdue' : 'Reminder'}: ${v.title}`,
      text: [
        `Hello ${v.firstName},`,
        '',
        `your reminder "${v.title}" ${when}.`,
        ...(v.description ? ['', v.description] : []),
        '',
        `Due: ${date}`,
        `Priority: ${label('en', v.priority)}`,
      ].join('\n'),
      html: html`<p>Hello ${v.firstName},</p>
<p>your reminder <strong>"${v.title}"</strong> ${when}.</p>
${v.description ? html`<p style="white-space: pre-line;">${v.description}</p>` : null}
<p>Due: ${date}<br>Priority: ${label('en', v.priority)}</p>`,
    };
  },
});
