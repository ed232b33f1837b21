import { index, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * One row per scheduled run of a job. The primary key (job, run_key) is the claim: the instance
 * whose INSERT … ON CONFLICT DO NOTHING returns a row runs it, every other instance skips it.
 */
export const jobRuns = pgTable(
  'job_runs',
  {
    job: text('job').notNull(),
    /** The schedule slot: a company-local date for daily jobs, the slot's start instant for interval jobs. */
    runKey: text('run_key').notNull(),
    instance: text('instance').notNull(),
    /** running | succeeded | failed */
    outcome: text('outcome').notNull().default('running'),
    attempts: integer('attempts').notNull().default(1),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
    summary: text('summary'),
    error: text('error'),
  },
  (t) => [primaryKey({ columns: [t.job, t.runKey] }), index('job_runs_job_started_idx').on(t.job, t.startedAt)],
);
