import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import type { RenderedMail } from './templates.ts';

export interface MailAttachment {
  filename: string;
  content: Buffer;
  contentType?: string;
}

export interface OutgoingMail extends RenderedMail {
  to: string | string[];
  cc?: string | string[];
  replyTo?: string;
  attachments?: MailAttachment[];
}

export interface SentMail {
  messageId: string;
  transport: 'smtp' | 'outbox';
  /** The .eml file (outbox transport). */
  file?: string;
}

export interface MailOptions {
  /** smtp://user:pass@host:587 or smtps://…; unset → `.eml` files in `outboxDir`. */
  smtpUrl?: string;
  from: string;
  outboxDir: string;
}

/** SMTP is an external service: a hanging server must not hold a job for minutes (nodemailer's defaults). */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/**
 * Sends mails over SMTP (nodemailer), or, without SMTP_URL, writes each message as an RFC 822
 * `.eml` file to the outbox directory (written to a dot-file first and renamed, so a reader never
 * sees half a message). Remembers the last success and failure for /health/ready.
 */
export class MailService {
  private readonly smtp: Transporter | null;
  private readonly outbox: Transporter | null;
  private lastSentAt: Date | null = null;
  private lastError: { message: string; at: Date } | null = null;

  constructor(private readonly options: MailOptions) {
    this.smtp = options.smtpUrl ? nodemailer.createTransport({ url: options.smtpUrl, ...SMTP_TIMEOUTS }) : null;
    this.outbox = options.smtpUrl ? null : nodemailer.createTransport({ streamTransport: true, buffer: true });
  }

  get transport(): 'smtp' | 'outbox' {
    return this.smtp ? 'smtp' : 'outbox';
  }

  /** Sends one message; throws (and records the error for the health report) when it fails. */
  async send(mail: OutgoingMail): Promise<SentMail> {
    const message = {
      from: this.options.from,
      to: mail.to,
      cc: mail.cc,
      replyTo: mail.replyTo,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      attachments: mail.attachments,
    };
    try {
      const sent = this.smtp ? await this.sendSmtp(this.smtp, message) : await this.writeOutbox(message);
      this.lastSentAt = new Date();
      return sent;
    } catch (error) {
      this.lastError = { message: error instanceof Error ? error.message : String(error), at: new Date() };
      throw error;
    }
  }

  private async sendSmtp(smtp: Transporter, message: SendMailOptions): Promise<SentMail> {
    const info = await smtp.sendMail(message);
    return { messageId: info.messageId, transport: 'smtp' };
  }

  private async writeOutbox(message: SendMailOptions): Promise<SentMail> {
    if (!this.outbox) throw new Error('no outbox transport');
    const info = await this.outbox.sendMail(message);
    const dir = this.options.outboxDir;
    await mkdir(dir, { recursive: true });
    const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.eml`;
    const temp = join(dir, `.${name}.tmp`);
    const file = join(dir, name);
    try {
      await writeFile(temp, info.message as Buffer, { mode: 0o640 });
      await rename(temp, file);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return { messageId: info.messageId, transport: 'outbox', file };
  }

  /** For /health/ready: where mail goes and how the last attempt went. Never throws, never fails readiness. */
  health(): Record<string, unknown> {
    const base = this.smtp
      ? { transport: 'smtp', server: smtpServer(this.options.smtpUrl ?? '') }
      : { transport: 'outbox', outbox: this.options.outboxDir };
    const failing = this.lastError !== null && (this.lastSentAt === null || this.lastError.at > this.lastSentAt);
    return {
      status: failing ? 'error' : 'ok',
      configured: this.smtp !== null,
      ...base,
      last_sent_at: this.lastSentAt?.toISOString() ?? null,
      last_error: this.lastError?.message ?? null,
      last_error_at: this.lastError?.at.toISOString() ?? null,
    };
  }

  close(): void {
    this.smtp?.close();
  }
}

/** `smtp://host:port` of the configured URL, without credentials or query. */
function smtpServer(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return 'unparsable';
  }
}
