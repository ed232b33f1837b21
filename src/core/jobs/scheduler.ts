import { hostname } from 'node:os';
import { and, desc, eq, inArray, lt, or, sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import { v7 as uuidv7 } from 'uuid';
import type { Database } from '../db/database.ts';
import { jobLastSuccess, jobRunDuration, jobRunsTotal } from '../observability/metrics.ts';
import { addDays, clockIn, todayIn, zonedInstant } from '../time.ts';
import { jobRuns } from './jobs.table.ts';

/** When a job runs: every N minutes (slots aligned to the epoch), or once a day at a company-local time. */
export type JobSchedule = { everyMinutes: number } | { dailyAt: string };

export interface JobRunContext {
  /** The claimed slot (company-local date for daily jobs, slot start for interval jobs, `manual:…`). */
  runKey: string;
  log: FastifyBaseLogger;
}

export interface JobDefinition {
  name: string;
  schedule: JobSchedule;
  /** Also claim the current slot when the instance starts (a daily job then catches up after downtime). */
  runAtStart?: boolean;
  /** A run still `running` after this long is taken as crashed and may be claimed again (default 30). */
  leaseMinutes?: number;
  /** Returns a one-line summary for the status page (e.g. "3 reminders overdue, 2 mails"). */
  run(ctx: JobRunContext): Promise<string | undefined>;
}

export interface JobRunStatus {
  run_key: string;
  outcome: 'running' | 'succeeded' | 'failed';
  instance: string;
  attempts: number;
  started_at: string;
  finished_at: string | null;
  summary: string | null;
  error: string | null;
}

export interface JobStatus {
  name: string;
  schedule: string;
  last_run: JobRunStatus | null;
  next_run_at: string | null;
}

const MAX_ATTEMPTS = 3;
const RETRY_AFTER_FAILURE_MS = 60_000;
const KEEP_INTERVAL_RUNS_DAYS = 30;

type Claim = 'claimed' | 'settled' | 'busy';

/**
 * Runs each registered job once per schedule slot across every instance on one database: a run is
 * claimed by inserting its (job, run_key) row, which only one INSERT … ON CONFLICT DO NOTHING wins
 * — the same on PGlite and PostgreSQL. A failed run is retried (up to three attempts, a minute
 * apart) and a run whose instance died is taken over after its lease, by whichever instance ticks
 * first. Outcomes land in job_runs (for /api/system/status) and in the job metrics.
 */
export class JobScheduler {
  readonly instance = `${hostname()}:${process.pid}:${uuidv7().slice(-6)}`;
  private readonly jobs = new Map<string, JobDefinition>();
  /** Per job, the last slot this instance saw settled (run by anyone, or given up). */
  private readonly settledKey = new Map<string, string>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly starting = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private log: FastifyBaseLogger | null = null;
  private stopped = false;

  constructor(
    private readonly db: Database,
    private readonly companyTimezone: () => Promise<string>,
    private readonly tickSeconds: number,
  ) {}

  register(job: JobDefinition): void {
    if (this.jobs.has(job.name)) throw new Error(`job ${job.name} registered twice`);
    if ('dailyAt' in job.schedule && !/^([01]\d|2[0-3]):[0-5]\d$/.test(job.schedule.dailyAt)) {
      throw new Error(`job ${job.name}: dailyAt must be HH:MM`);
    }
    this.jobs.set(job.name, job);
  }

  names(): string[] {
    return [...this.jobs.keys()];
  }

  /**
   * Starts ticking; jobs with runAtStart claim their current slot right away, in the background
   * (a slow probe must not delay listening). `idle()` waits for those runs.
   */
  start(log: FastifyBaseLogger): void {
    this.log = log;
    this.stopped = false;
    for (const job of this.jobs.values()) {
      if (!job.runAtStart) continue;
      const run = this.currentSlot(job)
        .then((slot) => this.tryRun(job, slot))
        .catch((error: unknown) => log.error({ err: error, job: job.name }, 'job start failed'))
        .finally(() => this.starting.delete(run));
      this.starting.add(run);
    }
    this.schedule();
  }

  /** Resolves when no run of this instance is in progress (start-up runs included). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.starting, ...this.running.values()]);
  }

  /** Stops ticking and waits for runs in progress in this instance. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.idle();
  }

  /** Runs a job now under its own `manual:` key (on demand, and in tests) and returns the outcome. */
  async runNow(name: string, log?: FastifyBaseLogger): Promise<JobRunStatus> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`unknown job ${name}`);
    const runKey = `manual:${new Date().toISOString()}:${uuidv7().slice(-8)}`;
    await this.tryRun(job, runKey, log);
    const [row] = await this.db.q
      .select()
      .from(jobRuns)
      .where(and(eq(jobRuns.job, name), eq(jobRuns.runKey, runKey)));
    if (!row) throw new Error(`job ${name} left no run row`);
    return toRunStatus(row);
  }

  /** Every registered job with its latest run (by any instance) and its next slot. */
  async status(): Promise<JobStatus[]> {
    const names = this.names();
    if (names.length === 0) return [];
    const rows = await this.db.q
      .selectDistinctOn([jobRuns.job])
      .from(jobRuns)
      .where(inArray(jobRuns.job, names))
      .orderBy(jobRuns.job, desc(jobRuns.startedAt));
    const latest = new Map(rows.map((r) => [r.job, r]));
    const timeZone = await this.companyTimezone();
    return names.map((name) => {
      const job = this.jobs.get(name) as JobDefinition;
      const row = latest.get(name);
      return {
        name,
        schedule: describe(job.schedule, timeZone),
        last_run: row ? toRunStatus(row) : null,
        next_run_at: nextRunAt(job.schedule, timeZone, new Date()).toISOString(),
      };
    });
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.runDue().finally(() => this.schedule());
    }, this.tickSeconds * 1000);
    this.timer.unref();
  }

  /** Runs every job whose current slot is due and not yet settled (what each tick does). */
  async runDue(): Promise<void> {
    for (const job of this.jobs.values()) {
      if (this.stopped) return;
      try {
        const slot = await this.dueSlot(job);
        if (slot && this.settledKey.get(job.name) !== slot) await this.tryRun(job, slot);
      } catch (error) {
        this.log?.error({ err: error, job: job.name }, 'job scheduling failed');
      }
    }
  }

  /** The slot the job is due for now, or null (a daily job before its time of day). */
  private async dueSlot(job: JobDefinition): Promise<string | null> {
    if ('everyMinutes' in job.schedule) return intervalSlot(job.schedule.everyMinutes, new Date());
    const timeZone = await this.companyTimezone();
    return clockIn(timeZone) >= job.schedule.dailyAt ? todayIn(timeZone) : null;
  }

  private async currentSlot(job: JobDefinition): Promise<string> {
    if ('everyMinutes' in job.schedule) return intervalSlot(job.schedule.everyMinutes, new Date());
    return todayIn(await this.companyTimezone());
  }

  private async tryRun(job: JobDefinition, runKey: string, log = this.log): Promise<void> {
    if (this.running.has(job.name)) return;
    const claim = await this.claim(job, runKey);
    if (claim === 'settled') this.settledKey.set(job.name, runKey);
    if (claim !== 'claimed') return;
    const run = this.execute(job, runKey, log).finally(() => this.running.delete(job.name));
    this.running.set(job.name, run);
    await run;
  }

  private async claim(job: JobDefinition, runKey: string): Promise<Claim> {
    const inserted = await this.db.q
      .insert(jobRuns)
      .values({ job: job.name, runKey, instance: this.instance })
      .onConflictDoNothing()
      .returning({ job: jobRuns.job });
    if (inserted.length > 0) return 'claimed';
    const leaseMs = (job.leaseMinutes ?? 30) * 60_000;
    const now = Date.now();
    // Take over a failed run (a minute later, at most three attempts) or one whose instance died.
    const retaken = await this.db.q
      .update(jobRuns)
      .set({
        outcome: 'running',
        instance: this.instance,
        attempts: sql`${jobRuns.attempts} + 1`,
        startedAt: new Date(now),
        finishedAt: null,
        error: null,
      })
      .where(
        and(
          eq(jobRuns.job, job.name),
          eq(jobRuns.runKey, runKey),
          or(
            and(
              eq(jobRuns.outcome, 'failed'),
              lt(jobRuns.attempts, MAX_ATTEMPTS),
              lt(jobRuns.finishedAt, new Date(now - RETRY_AFTER_FAILURE_MS)),
            ),
            and(eq(jobRuns.outcome, 'running'), lt(jobRuns.startedAt, new Date(now - leaseMs))),
          ),
        ),
      )
      .returning({ job: jobRuns.job });
    if (retaken.length > 0) return 'claimed';
    const [row] = await this.db.q
      .select({ outcome: jobRuns.outcome, attempts: jobRuns.attempts })
      .from(jobRuns)
      .where(and(eq(jobRuns.job, job.name), eq(jobRuns.runKey, runKey)));
    const done = row?.outcome === 'succeeded' || (row?.outcome === 'failed' && row.attempts >= MAX_ATTEMPTS);
    return done ? 'settled' : 'busy';
  }

  private async execute(job: JobDefinition, runKey: string, log: FastifyBaseLogger | null): Promise<void> {
    const started = performance.now();
    const childLog = (log ?? this.log)?.child({ job: job.name, run_key: runKey });
    let outcome: 'succeeded' | 'failed' = 'succeeded';
    let summary: string | null = null;
    let error: string | null = null;
    try {
      summary = (await job.run({ runKey, log: childLog ?? silentLogger() })) ?? null;
    } catch (e) {
      outcome = 'failed';
      error = e instanceof Error ? e.message : String(e);
      childLog?.error({ err: e }, 'job failed');
    }
    const seconds = (performance.now() - started) / 1000;
    jobRunsTotal.inc({ job: job.name, outcome });
    jobRunDuration.observe({ job: job.name }, seconds);
    if (outcome === 'succeeded') {
      jobLastSuccess.set({ job: job.name }, Date.now() / 1000);
      this.settledKey.set(job.name, runKey);
    }
    childLog?.info({ outcome, duration_ms: Math.round(seconds * 1000), summary }, 'job run');
    await this.db.q
      .update(jobRuns)
      .set({ outcome, finishedAt: new Date(), summary, error: error?.slice(0, 2000) ?? null })
      .where(and(eq(jobRuns.job, job.name), eq(jobRuns.runKey, runKey)));
    if ('everyMinutes' in job.schedule && outcome === 'succeeded') {
      const cutoff = new Date(Date.now() - KEEP_INTERVAL_RUNS_DAYS * 86_400_000);
      await this.db.q.delete(jobRuns).where(and(eq(jobRuns.job, job.name), lt(jobRuns.startedAt, cutoff)));
    }
  }
}

function intervalSlot(everyMinutes: number, now: Date): string {
  const period = everyMinutes * 60_000;
  return new Date(Math.floor(now.getTime() / period) * period).toISOString();
}

function describe(schedule: JobSchedule, timeZone: string): string {
  return 'everyMinutes' in schedule
    ? `every ${schedule.everyMinutes} minutes`
    : `daily at ${schedule.dailyAt} ${timeZone}`;
}

/** The next slot start. Daily: today's or tomorrow's HH:MM in the company zone. */
export function nextRunAt(schedule: JobSchedule, timeZone: string, now: Date): Date {
  if ('everyMinutes' in schedule) {
    const period = schedule.everyMinutes * 60_000;
    return new Date((Math.floor(now.getTime() / period) + 1) * period);
  }
  const today = todayIn(timeZone, now);
  const at = (date: string) => zonedInstant(date, schedule.dailyAt, timeZone);
  const candidate = at(today);
  return candidate > now ? candidate : at(addDays(today, 1));
}

function toRunStatus(row: typeof jobRuns.$inferSelect): JobRunStatus {
  return {
    run_key: row.runKey,
    outcome: row.outcome as JobRunStatus['outcome'],
    instance: row.instance,
    attempts: row.attempts,
    started_at: row.startedAt.toISOString(),
    finished_at: row.finishedAt?.toISOString() ?? null,
    summary: row.summary,
    error: row.error,
  };
}

/** A logger that drops everything (runs started without one, and tests). */
export function silentLogger(): FastifyBaseLogger {
  const noop = () => undefined;
  const logger = {
    level: 'silent',
    fatal: noop,
    error: noop,
    warn: noop,
    info: noop,
    debug: noop,
    trace: noop,
    silent: noop,
    child: () => logger,
  };
  return logger as unknown as FastifyBaseLogger;
}
