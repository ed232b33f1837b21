import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * One Prometheus registry per process. Metrics are module-level singletons because prom-client
 * refuses to register the same name twice, and tests build many apps in one process.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export const httpRequests = new Counter({
  name: 'http_requests_total',
  help: 'HTTP requests by route, method and status',
  labelNames: ['route', 'method', 'status'] as const,
  registers: [registry],
});

export const httpDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP request duration by route, method and status',
  labelNames: ['route', 'method', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

/** Label children per (route, method, status), so a request costs no label hashing. */
const requestSeries = new Map<string, { count: { inc(): void }; duration: { observe(v: number): void } }>();

export function recordRequest(route: string, method: string, status: number, seconds: number): void {
  const key = `${method} ${status} ${route}`;
  let series = requestSeries.get(key);
  if (!series) {
    const labels = { route, method, status: String(status) };
    series = { count: httpRequests.labels(labels), duration: httpDuration.labels(labels) };
    requestSeries.set(key, series);
  }
  series.count.inc();
  series.duration.observe(seconds);
}

export const dbQueryDuration = new Histogram({
  name: 'db_query_duration_seconds',
  help: 'Database query duration (PostgreSQL pool)',
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
  registers: [registry],
});

let poolStats: (() => { total: number; idle: number; waiting: number }) | null = null;

/** The PostgreSQL pool whose state db_pool_connections reports (the newest one wins). */
export function reportPool(stats: () => { total: number; idle: number; waiting: number }): void {
  poolStats = stats;
}

export const dbPool = new Gauge({
  name: 'db_pool_connections',
  help: 'PostgreSQL pool connections by state (total, idle, waiting)',
  labelNames: ['state'] as const,
  registers: [registry],
  collect() {
    if (!poolStats) return;
    const s = poolStats();
    this.set({ state: 'total' }, s.total);
    this.set({ state: 'idle' }, s.idle);
    this.set({ state: 'waiting' }, s.waiting);
  },
});

export const jobRunsTotal = new Counter({
  name: 'job_runs_total',
  help: 'Scheduled job runs by job and outcome (succeeded, failed) in this instance',
  labelNames: ['job', 'outcome'] as const,
  registers: [registry],
});

export const jobRunDuration = new Histogram({
  name: 'job_run_duration_seconds',
  help: 'Duration of scheduled job runs in this instance',
  labelNames: ['job'] as const,
  buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
  registers: [registry],
});

export const jobLastSuccess = new Gauge({
  name: 'job_last_success_timestamp_seconds',
  help: 'Unix time of the last successful run of each job in this instance',
  labelNames: ['job'] as const,
  registers: [registry],
});

export const openWebSockets = new Gauge({
  name: 'websocket_connections_open',
  help: 'Open WebSocket connections',
  registers: [registry],
});
