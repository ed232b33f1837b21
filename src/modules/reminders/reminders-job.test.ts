import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRowsFor, startTestApp, type TestApp, type TestUser, testConfig } from '../../../test/helpers.ts';
import { type ReceivedMail, startSmtpServer, type TestSmtpServer } from '../../../test/smtp.ts';
import { connectDatabase } from '../../core/db/connect.ts';
import { jobRuns } from '../../core/jobs/jobs.table.ts';
import { addDays, todayIn } from '../../core/time.ts';
import { createServer, type Server } from '../../server.ts';
import { REMINDERS_JOB } from './index.ts';

let smtp: TestSmtpServer;
let t: TestApp;
let today: string;

beforeAll(async () => {
  smtp = await startSmtpServer();
  const dataDir = await mkdtemp(join(tmpdir(), 'workmate-reminders-'));
  t = await startTestApp({ SMTP_URL: smtp.url, DATA_DIR: dataDir });
  today = todayIn(await t.server.ctx.core.companyTimezone());
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

async function createReminder(app: TestApp, user: TestUser, fields: Record<string, unknown>) {
  const res = await app.request('POST', '/api/reminders', {
    token: user.token,
    body: { title: `R ${randomUUID().slice(0, 8)}`, due_date: today, ...fields },
  });
  if (res.statusCode !== 201) throw new Error(`reminder create failed: ${res.statusCode} ${res.body}`);
  return res.json() as { id: string; title: string; status: string };
}

async function getReminder(user: TestUser, id: string) {
  return (await t.request('GET', `/api/reminders/${id}`, { token: user.token })).json();
}

/** The mails since `from` that went to `email`. */
const mailsTo = (email: string, from = 0): ReceivedMail[] =>
  smtp.received.slice(from).filter((m) => m.rcptTo.includes(email));

const runJob = () => t.server.ctx.core.jobs.runNow(REMINDERS_JOB);

describe('daily reminder job', () => {
  it('marks open reminders past due as overdue and mails each due reminder once, in the owner’s language', async () => {
    const anna = await t.userWith(['reminders.*'], { first_name: 'Anna', language: 'de' });
    const bob = await t.userWith(['reminders.*'], { first_name: 'Bob', language: 'en' });
    const quiet = await t.userWith(['reminders.*'], { notifications_enabled: false });

    // Created as due tomorrow, then moved into the past behind the API's back: still "open", as
    // a reminder is when the day turns over.
    const late = await createReminder(t, anna, { title: 'Steuer <b>&</b> Co', due_date: addDays(today, 1) });
    await t.db.root.execute(sql`update reminders set due_date = ${addDays(today, -1)} where id = ${late.id}`);
    const dueToday = await createReminder(t, anna, { title: 'Heute fällig', description: 'Bitte <anrufen>' });
    const future = await createReminder(t, anna, { due_date: addDays(today, 1) });
    const done = await createReminder(t, anna, { due_date: addDays(today, -3), status: 'done' });
    const english = await createReminder(t, bob, { title: 'Call back', priority: 'critical' });
    const muted = await createReminder(t, quiet, {});

    const before = smtp.received.length;
    const run = await runJob();
    expect(run.outcome, run.error ?? '').toBe('succeeded');
    expect(run.summary).toMatch(/1 reminders overdue, 3 mails sent, 1 skipped/);

    expect(await getReminder(anna, late.id)).toMatchObject({ status: 'overdue', notified: true });
    expect(await getReminder(anna, dueToday.id)).toMatchObject({ status: 'open', notified: true });
    expect(await getReminder(anna, future.id)).toMatchObject({ status: 'open', notified: false });
    expect(await getReminder(anna, done.id)).toMatchObject({ status: 'done', notified: false });
    expect(await getReminder(bob, english.id)).toMatchObject({ notified: true });
    expect(await getReminder(quiet, muted.id)).toMatchObject({ notified: false });

    const overdueAudit = await auditRowsFor(t, 'reminder', late.id);
    expect(overdueAudit[0]).toMatchObject({
      action: 'update',
      actor_type: 'system',
      actor_id: null,
      changes: { status: { old: 'open', new: 'overdue' } },
    });

    expect(smtp.received.length - before).toBe(3);
    const annas = mailsTo(anna.email, before);
    expect(annas.map((m) => m.mail.subject).sort()).toEqual([
      'Erinnerung: Heute fällig',
      'Überfällig: Steuer <b>&</b> Co',
    ]);
    const overdueMail = annas.find((m) => m.mail.subject?.startsWith('Überfällig'))?.mail;
    expect(overdueMail?.text).toContain('Hallo Anna,');
    expect(overdueMail?.text).toContain(`ist seit dem ${addDays(today, -1).split('-').reverse().join('.')} überfällig`);
    expect(overdueMail?.html).toContain('Steuer &lt;b&gt;&amp;&lt;/b&gt; Co');
    expect(overdueMail?.html).not.toContain('<b>&</b>');
    const todayMail = annas.find((m) => m.mail.subject === 'Erinnerung: Heute fällig')?.mail;
    expect(todayMail?.text).toContain('ist heute fällig');
    expect(todayMail?.text).toContain('Bitte <anrufen>');
    expect(todayMail?.html).toContain('Bitte &lt;anrufen&gt;');
    expect(todayMail?.to && 'text' in todayMail.to ? todayMail.to.text : '').toBe(anna.email);

    const [bobs] = mailsTo(bob.email, before);
    expect(bobs?.mail.subject).toBe('Reminder: Call back');
    expect(bobs?.mail.text).toContain('Hello Bob,');
    expect(bobs?.mail.text).toContain('is due today');
    expect(bobs?.mail.text).toContain('Priority: critical');
    expect(mailsTo(quiet.email, before)).toEqual([]);

    // A second run sends nothing more.
    const again = await runJob();
    expect(again.outcome).toBe('succeeded');
    expect(again.summary).toMatch(/0 reminders overdue, 0 mails sent/);
    expect(smtp.received.length - before).toBe(3);
  });

  it('gives the claim back when sending fails, fails the run, and the next run sends it', async () => {
    const carla = await t.userWith(['reminders.*'], { first_name: 'Carla' });
    const reminder = await createReminder(t, carla, { title: 'Wird wiederholt' });
    const before = smtp.received.length;
    smtp.failNext(1);
    const failed = await runJob();
    expect(failed.outcome).toBe('failed');
    expect(failed.error).toMatch(/1 mails failed/);
    expect(await getReminder(carla, reminder.id)).toMatchObject({ notified: false });
    expect(mailsTo(carla.email, before)).toEqual([]);

    const retried = await runJob();
    expect(retried.outcome).toBe('succeeded');
    expect(await getReminder(carla, reminder.id)).toMatchObject({ notified: true });
    expect(mailsTo(carla.email, before).map((m) => m.mail.subject)).toEqual(['Erinnerung: Wird wiederholt']);
  });

  it('skips owners who are deactivated, and reminds again after the due date moves', async () => {
    const dora = await t.userWith(['reminders.*'], { first_name: 'Dora' });
    const leaver = await t.userWith(['reminders.*']);
    const reminder = await createReminder(t, dora, { title: 'Verschoben' });
    const orphan = await createReminder(t, leaver, {});
    expect((await t.request('DELETE', `/api/employees/${leaver.id}`)).statusCode).toBe(204);
    const before = smtp.received.length;
    await runJob();
    expect(mailsTo(dora.email, before)).toHaveLength(1);
    expect(mailsTo(leaver.email, before)).toEqual([]);
    expect((await t.request('GET', `/api/reminders/${orphan.id}`)).json().notified).toBe(false);

    // Postponed to tomorrow: open, not notified, and not mailed today.
    const moved = await t.request('PATCH', `/api/reminders/${reminder.id}`, {
      token: dora.token,
      body: { due_date: addDays(today, 1) },
    });
    expect(moved.json()).toMatchObject({ status: 'open', notified: false });
    await runJob();
    expect(mailsTo(dora.email, before)).toHaveLength(1);
  });

  it('is registered to run daily and at start', async () => {
    const [status] = (await t.server.ctx.core.jobs.status()).filter((s) => s.name === REMINDERS_JOB);
    expect(status?.schedule).toMatch(/^daily at 07:00 /);
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('two instances on one PostgreSQL', () => {
  it('run the daily job once (one job_runs row for today) and mail each due reminder exactly once', async () => {
    const mailbox = await startSmtpServer();
    const dataDir = await mkdtemp(join(tmpdir(), 'workmate-reminders-pg-'));
    const env = { SMTP_URL: mailbox.url, DATA_DIR: dataDir };
    // The first instance seeds the data with its jobs off, so nothing runs before the reminders exist.
    const seed = await startTestApp(env);
    const servers: Server[] = [];
    try {
      const users = await Promise.all([seed.userWith(['reminders.*']), seed.userWith(['reminders.*'])]);
      const due = [];
      for (const [i, user] of users.entries()) {
        for (let n = 0; n < 3; n++) due.push(await createReminder(seed, user, { title: `Doppelt ${i}-${n}` }));
      }
      const url = seed.databaseUrl;
      if (!url) throw new Error('no database url on PostgreSQL');
      const start = async () =>
        createServer(testConfig({ ...env, JOBS_ENABLED: 'true' }), {
          db: await connectDatabase({ databaseUrl: url, dataDir, poolMax: 4 }),
          logger: false,
        });
      const started = await Promise.allSettled([start(), start()]);
      for (const r of started) if (r.status === 'fulfilled') servers.push(r.value);
      expect(started.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
      const [a, b] = servers as [Server, Server];
      // The start-up runs go on in the background; wait until both instances are done with them.
      await Promise.all([a.ctx.core.jobs.idle(), b.ctx.core.jobs.idle()]);

      const runs = await seed.db.q
        .select()
        .from(jobRuns)
        .where(and(eq(jobRuns.job, REMINDERS_JOB), eq(jobRuns.runKey, today)));
      expect(runs).toHaveLength(1);
      expect(runs[0]?.outcome).toBe('succeeded');
      const subjects = () => mailbox.received.map((m) => m.mail.subject).sort();
      expect(subjects()).toEqual(due.map((r) => `Erinnerung: ${r.title}`).sort());

      // Both instances running the job at the same moment still mail each new reminder once.
      const more = [];
      for (const user of users) more.push(await createReminder(seed, user, { title: `Parallel ${user.id}` }));
      const results = await Promise.all([a, b].map((s) => s.ctx.core.jobs.runNow(REMINDERS_JOB)));
      expect(results.map((r) => r.outcome)).toEqual(['succeeded', 'succeeded']);
      expect(subjects()).toEqual([...due, ...more].map((r) => `Erinnerung: ${r.title}`).sort());
    } finally {
      for (const server of servers) await server.close();
      await seed.close();
      await mailbox.close();
    }
  });
});
