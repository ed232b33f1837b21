/** The languages mails are written in (an employee's `language`). */
export const MAIL_LANGUAGES = ['de', 'en'] as const;
export type MailLanguage = (typeof MAIL_LANGUAGES)[number];

/** An employee's or the company's language as a mail language; anything unknown is German. */
export function mailLanguage(value: string | null | undefined): MailLanguage {
  return value?.toLowerCase().startsWith('en') ? 'en' : 'de';
}

/** HTML that is already escaped (the result of the `html` tag); interpolating it does not escape again. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

function htmlValue(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(htmlValue).join('');
  return escapeHtml(String(value));
}

/**
 * Tagged template for mail HTML: every interpolated value is escaped unless it is itself the
 * result of `html` (so fragments nest); null, undefined and false render nothing, arrays are joined.
 * Templates therefore cannot forget to escape a user's text.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += htmlValue(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** A date (YYYY-MM-DD) as readers of the language write it: 24.12.2026 / 2026-12-24. */
export function formatDate(date: string, language: MailLanguage): string {
  if (language === 'en') return date;
  const [y, m, d] = date.split('-');
  return `${d}.${m}.${y}`;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** What one language of a template produces; `html` is the body, the layout wraps it. */
export interface TemplateParts {
  subject: string;
  text: string;
  html: SafeHtml;
}

export interface MailTemplate<V> {
  name: string;
  render(language: MailLanguage, vars: V): RenderedMail;
}

const FOOTER: Record<MailLanguage, string> = {
  de: 'Diese Nachricht wurde automatisch von WorkmateOS versendet.',
  en: 'This message was sent automatically by WorkmateOS.',
};

/**
 * A mail template in German and English. Each language is a typed function of the template's
 * variables; the HTML body is built with the escaping `html` tag and wrapped in one layout, the
 * text gets the same footer. Subjects are single lines.
 */
export function defineMailTemplate<V>(
  name: string,
  languages: Record<MailLanguage, (vars: V) => TemplateParts>,
): MailTemplate<V> {
  return {
    name,
    render(language, vars) {
      const parts = languages[language](vars);
      const subject = parts.subject.replace(/\s*[\r\n]+\s*/g, ' ').trim();
      return {
        subject,
        text: `${parts.text.trimEnd()}\n\n-- \n${FOOTER[language]}\n`,
        html: layout(language, subject, parts.html).value,
      };
    },
  };
}

function layout(language: MailLanguage, title: string, body: SafeHtml): SafeHtml {
  return html`<!DOCTYPE html>
<html lang="${language}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title></head>
<body style="font-family: Arial, Helvetica, sans-serif; font-size: 15px; line-height: 1.5; color: #303446;">
${body}
<p style="margin-top: 32px; font-size: 12px; color: #737994;">${FOOTER[language]}</p>
</body>
</html>
`;
}
