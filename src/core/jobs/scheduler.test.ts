import { tmpdir } from 'node:os';
import { and, eq, sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../../../test/helpers.ts';
import { auditRetentionJob } from '../audit/audit-retention.ts';
import { connectDatabase } from '../db/connect.ts';
import { auditLogs } from '../db/core.table.ts';
import type { Database } from '../db/database.ts';
import { registry } from '../observability/metrics.ts';
import { jobRuns } from './jobs.table.ts';
import { type JobDefinition, JobScheduler, nextRunAt, silentLogger } from './scheduler.ts';

let db: Database;
let url: string | undefined;
const berlin = async () => 'Europe/Berlin';

beforeAll(async () => {
  ({ db, url } = await freshDatabase());
});
afterAll(async () => {
  await db.close();
});

function countingJob(name: string, overrides: Partial<JobDefinition> = {}) {
  const calls: string[] = [];
  const job: JobDefinition = {
    name,
    schedule: { dailyAt: '00:00' },
    runAtStart: true,
    async run({ runKey }) {
      calls.push(runKey);
      await new Promise((r) => setTimeout(r, 20));
      return `ran ${runKey}`;
    },
    ...overrides,
  };
  return { job, calls };
}

describe('JobScheduler', () => {
  it('runs a daily job once across two schedulers started together, and not again on the next tick', async () => {
    const name = `daily-${uuidv7()}`;
    const a = countingJob(name);
    const b = countingJob(name);
    const one = new JobScheduler(db, berlin, 3600);
    const two = new JobScheduler(db, berlin, 3600);
    one.register(a.job);
    two.register(b.job);
    one.start(silent);
    two.start(silent);
    await Promise.all([one.idle(), two.idle()]);
    await Promise.all([one.runDue(), two.runDue()]);
    await Promise.all([one.stop(), two.stop()]);
    expect(a.calls.length + b.calls.length).toBe(1);
    const rows = await db.q.select().from(jobRuns).where(eq(jobRuns.job, name));
    expect(rows).toHaveLength(1);
    expect(rows[0]?.outcome).toBe('succeeded');
    expect(rows[0]?.runKey).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it.runIf(process.env.TEST_DATABASE_URL)(
    'claims once across two connection pools on PostgreSQL (two instances)',
    async () => {
      const other = await connectDatabase({ databaseUrl: url, dataDir: tmpdir(), poolMax: 4 });
      try {
        const name = `pg-${uuidv7()}`;
        const jobs = Array.from({ length: 6 }, () => countingJob(name));
        const schedulers = jobs.map((j, i) => {
          const s = new JobScheduler(i % 2 ? other : db, berlin, 3600);
          s.register(j.job);
          return s;
        });
        for (const s of schedulers) s.start(silent);
        await Promise.all(schedulers.map((s) => s.idle()));
        await Promise.all(schedulers.map((s) => s.stop()));
        expect(jobs.reduce((n, j) => n + j.calls.length, 0)).toBe(1);
      } finally {
        await other.close();
      }
    },
  );

  it('records a failure with its message, retries it a minute later and counts it in /metrics', async () => {
    const name = `failing-${uuidv7()}`;
    let attempts = 0;
    const scheduler = new JobScheduler(db, berlin, 3600);
    scheduler.register({
      name,
      schedule: { everyMinutes: 60 },
      runAtStart: true,
      async run() {
        attempts += 1;
        if (attempts === 1) throw new Error('SMTP down');
        return 'fine';
      },
    });
    scheduler.start(silent);
    await scheduler.idle();
    let [status] = await scheduler.status();
    expect(status?.last_run).toMatchObject({ outcome: 'failed', error: 'SMTP down', attempts: 1 });

    await scheduler.runDue(); // too early for a retry
    expect(attempts).toBe(1);
    await db.q
      .update(jobRuns)
      .set({ finishedAt: new Date(Date.now() - 120_000) })
      .where(eq(jobRuns.job, name));
    await scheduler.runDue();
    await scheduler.stop();
    expect(attempts).toBe(2);
    [status] = await scheduler.status();
    expect(status?.last_run).toMatchObject({ outcome: 'succeeded', error: null, attempts: 2, summary: 'fine' });
    expect(status?.schedule).toBe('every 60 minutes');
    const metrics = await registry.metrics();
    expect(metrics).toContain(`job_runs_total{job="${name}",outcome="failed"} 1`);
    expect(metrics).toContain(`job_runs_total{job="${name}",outcome="succeeded"} 1`);
  });

  it('takes over a run whose instance died (lease expired) but not a live one', async () => {
    const name = `lease-${uuidv7()}`;
    const { job, calls } = countingJob(name, { schedule: { everyMinutes: 10 }, leaseMinutes: 1 });
    const scheduler = new JobScheduler(db, berlin, 3600);
    scheduler.register(job);
    const slot = new Date(Math.floor(Date.now() / 600_000) * 600_000).toISOString();
    await db.q.insert(jobRuns).values({ job: name, runKey: slot, instance: 'dead-instance' });
    await scheduler.runDue();
    expect(calls).toHaveLength(0);
    await db.q
      .update(jobRuns)
      .set({ startedAt: new Date(Date.now() - 5 * 60_000) })
      .where(and(eq(jobRuns.job, name), eq(jobRuns.runKey, slot)));
    await scheduler.runDue();
    expect(calls).toEqual([slot]);
  });

  it('runNow runs under a manual key and returns the outcome', async () => {
    const name = `manual-${uuidv7()}`;
    const { job } = countingJob(name, { runAtStart: false });
    const scheduler = new JobScheduler(db, berlin, 3600);
    scheduler.register(job);
    const run = await scheduler.runNow(name);
    expect(run).toMatchObject({ outcome: 'succeeded', run_key: expect.stringMatching(/^manual:/) });
    expect(() => scheduler.register(job)).toThrow(/twice/);
  });

  it('computes the next daily slot in the company zone across a DST change', () => {
    // 2026-03-29 is the spring-forward day in Berlin: 06:00 local is 04:00 UTC after it.
    expect(nextRunAt({ dailyAt: '06:00' }, 'Europe/Berlin', new Date('2026-03-28T12:00:00Z')).toISOString()).toBe(
      '2026-03-29T04:00:00.000Z',
    );
    expect(nextRunAt({ dailyAt: '06:00' }, 'Europe/Berlin', new Date('2026-03-28T04:00:00Z')).toISOString()).toBe(
      '2026-03-28T05:00:00.000Z',
    );
    expect(nextRunAt({ everyMinutes: 5 }, 'UTC', new Date('2026-03-28T04:02:10Z')).toISOString()).toBe(
      '2026-03-28T04:05:00.000Z',
    );
  });
});

describe('audit retention job', () => {
  it('deletes rows older than the retention, keeps fiscal rows eight years', async () => {
    const tag = uuidv7();
    const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000);
    const row = (resourceType: string, age: number) => ({
      id: uuidv7(),
      occurredAt: daysAgo(age),
      actorType: 'system',
      action: 'create',
      resourceType,
      resourceName: tag,
    });
    await db.q
      .insert(auditLogs)
      .values([
        row('customer', 400),
        row('customer', 10),
        row('invoice', 400),
        row('payment', 9 * 366),
        row('expense', 5 * 365),
      ]);
    const scheduler = new JobScheduler(db, berlin, 3600);
    scheduler.register(auditRetentionJob(db, async () => 365));
    const run = await scheduler.runNow('audit_retention');
    expect(run.outcome).toBe('succeeded');
    const left = await db.q
      .select({ type: auditLogs.resourceType, at: auditLogs.occurredAt })
      .from(auditLogs)
      .where(eq(auditLogs.resourceName, tag))
      .orderBy(sql`${auditLogs.occurredAt} desc`);
    expect(left.map((r) => r.type)).toEqual(['customer', 'invoice', 'expense']);
  });
});

const silent = silentLogger();
