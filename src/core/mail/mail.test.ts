import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../../../test/helpers.ts';
import { startSmtpServer, type TestSmtpServer } from '../../../test/smtp.ts';
import { MailService } from './mail.service.ts';
import { defineMailTemplate, escapeHtml, formatDate, html, mailLanguage } from './templates.ts';

const greeting = defineMailTemplate<{ name: string; note: string }>('greeting', {
  de: (v) => ({
    subject: `Hallo ${v.name}`,
    text: `Hallo ${v.name},\n${v.note}`,
    html: html`<p>Hallo ${v.name},</p><p>${v.note}</p>`,
  }),
  en: (v) => ({
    subject: `Hello ${v.name}`,
    text: `Hello ${v.name},\n${v.note}`,
    html: html`<p>Hello ${v.name},</p><p>${v.note}</p>`,
  }),
});

let smtp: TestSmtpServer;
let outboxDir: string;

beforeAll(async () => {
  smtp = await startSmtpServer({ user: 'mailer', pass: 's3cret:pw' });
  outboxDir = join(await mkdtemp(join(tmpdir(), 'workmate-mail-')), 'outbox');
});
afterAll(() => smtp.close());

describe('templates', () => {
  it('escapes every interpolated value in HTML, nests fragments, keeps text as is', () => {
    const rendered = greeting.render('de', { name: '<b>Eve</b> & "Co"', note: "it's <script>alert(1)</script>" });
    expect(rendered.subject).toBe('Hallo <b>Eve</b> & "Co"');
    expect(rendered.text).toContain("it's <script>alert(1)</script>");
    expect(rendered.html).toContain('<p>Hallo &lt;b&gt;Eve&lt;/b&gt; &amp; &quot;Co&quot;,</p>');
    expect(rendered.html).toContain('it&#39;s &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(rendered.html).not.toContain('<script>');
    expect(rendered.html).toContain('<html lang="de">');
    expect(rendered.html).toContain('<title>Hallo &lt;b&gt;Eve&lt;/b&gt; &amp; &quot;Co&quot;</title>');
    expect(html`<i>${html`<b>${'<x>'}</b>`}</i>`.value).toBe('<i><b>&lt;x&gt;</b></i>');
    expect(html`${null}${undefined}${false}${[1, '<', 2]}`.value).toBe('1&lt;2');
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });

  it('renders the chosen language, keeps subjects on one line and adds the footer', () => {
    const en = greeting.render('en', { name: 'Ann\r\nBcc: x@evil.test', note: 'n' });
    expect(en.subject).toBe('Hello Ann Bcc: x@evil.test');
    expect(en.text).toMatch(/^Hello Ann/);
    expect(en.text).toContain('sent automatically by WorkmateOS');
    expect(en.html).toContain('<html lang="en">');
    expect(mailLanguage('en')).toBe('en');
    expect(mailLanguage('de')).toBe('de');
    expect(mailLanguage(null)).toBe('de');
    expect(formatDate('2026-12-24', 'de')).toBe('24.12.2026');
    expect(formatDate('2026-12-24', 'en')).toBe('2026-12-24');
  });
});

describe('MailService over SMTP', () => {
  it('delivers to a real SMTP server with login; the parsed message has subject, recipients and both bodies', async () => {
    const mail = new MailService({ smtpUrl: smtp.url, from: 'WorkmateOS <no-reply@workmate.test>', outboxDir });
    const before = smtp.received.length;
    const sent = await mail.send({
      to: 'anna@example.com',
      cc: 'boss@example.com',
      ...greeting.render('de', { name: 'Anna Müller', note: 'Grüße <3' }),
    });
    expect(sent.transport).toBe('smtp');
    expect(smtp.received).toHaveLength(before + 1);
    const { mail: parsed, rcptTo, user } = smtp.received[before] ?? expect.unreachable();
    expect(user).toBe('mailer');
    expect(rcptTo.sort()).toEqual(['anna@example.com', 'boss@example.com']);
    expect(parsed.subject).toBe('Hallo Anna Müller');
    expect(parsed.from?.value).toEqual([{ name: 'WorkmateOS', address: 'no-reply@workmate.test' }]);
    expect(parsed.text).toContain('Grüße <3');
    expect(parsed.html).toContain('Grüße &lt;3');
    expect(parsed.messageId).toBe(sent.messageId);
    expect(mail.health()).toMatchObject({
      status: 'ok',
      configured: true,
      transport: 'smtp',
      server: expect.stringMatching(/^smtp:\/\/127\.0\.0\.1:\d+$/),
      last_error: null,
    });
    expect(JSON.stringify(mail.health())).not.toContain('s3cret');
    mail.close();
  });

  it('rejects when the server refuses; the health report names the error until a send succeeds', async () => {
    const wrong = smtp.url.replace('s3cret%3Apw', 'wrong');
    const mail = new MailService({ smtpUrl: wrong, from: 'no-reply@workmate.test', outboxDir });
    await expect(mail.send({ to: 'a@example.com', subject: 's', text: 't', html: '<p>t</p>' })).rejects.toThrow();
    expect(mail.health()).toMatchObject({ status: 'error', last_error: expect.any(String), last_sent_at: null });
    mail.close();

    const flaky = new MailService({ smtpUrl: smtp.url, from: 'no-reply@workmate.test', outboxDir });
    smtp.failNext(1);
    await expect(flaky.send({ to: 'a@example.com', subject: 's', text: 't', html: 't' })).rejects.toThrow(/451/);
    expect(flaky.health().status).toBe('error');
    await flaky.send({ to: 'a@example.com', subject: 's', text: 't', html: 't' });
    expect(flaky.health()).toMatchObject({ status: 'ok', last_error: expect.stringContaining('451') });
    flaky.close();
  });
});

describe('MailService without SMTP (outbox)', () => {
  it('writes each message as a parseable .eml file and leaves no temporary file', async () => {
    const mail = new MailService({ from: 'WorkmateOS <no-reply@workmate.test>', outboxDir });
    const sent = await mail.send({
      to: 'bob@example.com',
      ...greeting.render('en', { name: 'Bob', note: 'Hi & bye' }),
      attachments: [{ filename: 'a.txt', content: Buffer.from('attached'), contentType: 'text/plain' }],
    });
    expect(sent.transport).toBe('outbox');
    const files = await readdir(outboxDir);
    expect(files.filter((f) => f.startsWith('.'))).toEqual([]);
    expect(files).toContain(sent.file?.split('/').pop());
    const parsed = await simpleParser(await readFile(sent.file ?? ''));
    expect(parsed.subject).toBe('Hello Bob');
    expect(parsed.to && 'text' in parsed.to ? parsed.to.text : '').toBe('bob@example.com');
    expect(parsed.text).toContain('Hi & bye');
    expect(parsed.html).toContain('Hi &amp; bye');
    expect(parsed.messageId).toBe(sent.messageId);
    expect(parsed.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([['a.txt', 'attached']]);
    expect(mail.health()).toMatchObject({ status: 'ok', configured: false, transport: 'outbox', outbox: outboxDir });
  });
});

describe('/health/ready', () => {
  it('reports the mail transport without affecting readiness', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'workmate-mail-app-'));
    const t = await startTestApp({ DATA_DIR: dataDir, SMTP_URL: 'smtp://127.0.0.1:1' });
    try {
      await expect(
        t.server.ctx.core.mail.send({ to: 'x@example.com', subject: 's', text: 't', html: 't' }),
      ).rejects.toThrow();
      const res = await t.request('GET', '/health/ready', { token: null });
      expect(res.statusCode).toBe(200);
      expect(res.json().smtp).toMatchObject({
        status: 'error',
        configured: true,
        transport: 'smtp',
        last_error: expect.any(String),
      });
    } finally {
      await t.close();
    }
    const outboxApp = await startTestApp({ DATA_DIR: dataDir });
    try {
      const res = await outboxApp.request('GET', '/health/ready', { token: null });
      expect(res.json().smtp).toMatchObject({ status: 'ok', transport: 'outbox', outbox: join(dataDir, 'outbox') });
    } finally {
      await outboxApp.close();
    }
  });
});
