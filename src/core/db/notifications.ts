import type { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import pg from 'pg';
import type { Database } from './database.ts';

/** Receives a notification's payload. A throw or rejection is logged, never passed on. */
export type NotificationHandler = (payload: string) => void | Promise<void>;

type Log = Pick<FastifyBaseLogger, 'warn' | 'error' | 'info'>;

/** Lower-case identifiers only: LISTEN needs an identifier, pg_notify a string, and both must agree. */
const CHANNEL = /^[a-z][a-z0-9_]{0,62}$/;
/** PostgreSQL refuses payloads of 8000 bytes or more. */
const MAX_PAYLOAD_BYTES = 7999;

export interface NotificationsOptions {
  /** First reconnect delay after a dropped listener connection; doubles up to maxBackoffMs. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface NotificationsStatus {
  mode: 'postgres' | 'in_process';
  connected: boolean;
  channels: string[];
  reconnects: number;
}

function assertChannel(channel: string): void {
  if (!CHANNEL.test(channel)) throw new Error(`invalid notification channel "${channel}" (use [a-z][a-z0-9_]*)`);
}

/**
 * Cross-instance notifications through PostgreSQL LISTEN/NOTIFY (cache invalidation, chat fan-out).
 *
 * `notify()` runs `pg_notify` on the current transaction, so a message is delivered when that
 * transaction commits and dropped when it rolls back; outside a transaction it goes at once.
 * On PostgreSQL one dedicated connection (not from the pool: a pooled client would lose its
 * LISTENs when released) listens for every channel a handler is registered for; when it drops, it
 * reconnects with exponential backoff, LISTENs again, and calls the `onReconnect` handlers —
 * messages sent while it was away are lost, so consumers resynchronise there (e.g. drop a cache).
 * On PGlite (one process, one session) the same SQL delivers in-process through PGlite's own
 * listen(), with the same at-commit semantics.
 *
 * Handlers are registered at wiring time; `start()` (server start) opens the listener.
 */
export class Notifications {
  private readonly handlers = new Map<string, Set<NotificationHandler>>();
  private readonly reconnectHandlers = new Set<() => void>();
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;
  private log: Log | null = null;
  private started = false;
  private closed = false;
  private client: pg.Client | null = null;
  private everConnected = false;
  private failures = 0;
  private reconnects = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private connecting: Promise<void> | null = null;
  private readonly pgliteUnlisten = new Map<string, () => Promise<void>>();

  constructor(
    private readonly db: Database,
    options: NotificationsOptions = {},
  ) {
    this.minBackoffMs = options.minBackoffMs ?? 250;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
  }

  /** Sends on the current transaction (delivered at commit), or at once outside one. */
  async notify(channel: string, payload = ''): Promise<void> {
    assertChannel(channel);
    if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES) {
      throw new Error(`notification payload over ${MAX_PAYLOAD_BYTES} bytes; send an id and let listeners read`);
    }
    await this.db.q.execute(sql`select pg_notify(${channel}, ${payload})`);
  }

  /**
   * Calls `handler` for every message on `channel` (from any instance, including this one).
   * Returns a function that removes the handler. Do not call it inside a transaction on PGlite.
   */
  async listen(channel: string, handler: NotificationHandler): Promise<() => Promise<void>> {
    assertChannel(channel);
    let set = this.handlers.get(channel);
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
      if (this.started && !this.closed) await this.subscribe(channel);
    }
    set.add(handler);
    const handlers = set;
    return async () => {
      handlers.delete(handler);
      if (handlers.size > 0 || this.handlers.get(channel) !== handlers) return;
      this.handlers.delete(channel);
      if (this.started && !this.closed) await this.unsubscribe(channel);
    };
  }

  /** Called after the listener connection came back: messages may have been missed meanwhile. */
  onReconnect(handler: () => void): () => void {
    this.reconnectHandlers.add(handler);
    return () => this.reconnectHandlers.delete(handler);
  }

  /** Opens the listener; a failure to connect is logged and retried, never thrown. */
  async start(log?: Log): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.log = log ?? null;
    if (this.db.kind === 'pglite') {
      for (const channel of this.handlers.keys()) await this.subscribe(channel);
      return;
    }
    await this.connect();
  }

  status(): NotificationsStatus {
    const inProcess = this.db.kind === 'pglite';
    return {
      mode: inProcess ? 'in_process' : 'postgres',
      connected: inProcess ? this.started && !this.closed : this.client !== null,
      channels: [...this.handlers.keys()].sort(),
      reconnects: this.reconnects,
    };
  }

  /** Stops listening (before the database closes). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    await this.connecting?.catch(() => undefined);
    for (const unlisten of this.pgliteUnlisten.values()) await unlisten().catch(() => undefined);
    this.pgliteUnlisten.clear();
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private dispatch(channel: string, payload: string): void {
    const handlers = this.handlers.get(channel);
    if (!handlers) return;
    for (const handler of [...handlers]) {
      try {
        const result = handler(payload);
        if (result instanceof Promise) {
          result.catch((error: unknown) => this.log?.error({ err: error, channel }, 'notification handler failed'));
        }
      } catch (error) {
        this.log?.error({ err: error, channel }, 'notification handler failed');
      }
    }
  }

  private async subscribe(channel: string): Promise<void> {
    if (this.db.kind === 'pglite') {
      const pglite = this.db.driver.pglite as PGlite;
      if (this.pgliteUnlisten.has(channel)) return;
      this.pgliteUnlisten.set(channel, await pglite.listen(channel, (payload) => this.dispatch(channel, payload)));
      return;
    }
    // Not connected: connect() LISTENs to every registered channel once it is.
    const client = this.client;
    if (client) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`).catch(() => undefined);
  }

  private async unsubscribe(channel: string): Promise<void> {
    if (this.db.kind === 'pglite') {
      const unlisten = this.pgliteUnlisten.get(channel);
      this.pgliteUnlisten.delete(channel);
      await unlisten?.();
      return;
    }
    await this.client?.query(`UNLISTEN ${pg.escapeIdentifier(channel)}`).catch(() => undefined);
  }

  private connect(): Promise<void> {
    this.connecting ??= this.openListener().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async openListener(): Promise<void> {
    const pool = this.db.driver.pool;
    if (!pool) throw new Error('PostgreSQL pool missing');
    const client = new pg.Client({ ...pool.options, application_name: 'workmate-os-listen' });
    let lost = false;
    const onLost = (error?: Error) => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = null;
      client.removeAllListeners('notification');
      void client.end().catch(() => undefined);
      if (this.closed) return;
      this.log?.warn({ err: error }, 'notification listener connection lost; reconnecting');
      this.scheduleReconnect();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => this.dispatch(message.channel, message.payload ?? ''));
    try {
      await client.connect();
      if (this.closed) {
        await client.end();
        return;
      }
      // Set first, so a listen() arriving meanwhile LISTENs itself (a second LISTEN is a no-op).
      this.client = client;
      for (const channel of [...this.handlers.keys()]) {
        await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      }
    } catch (error) {
      onLost(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    // After a drop (or a failed first attempt) caches may hold what a missed message would have cleared.
    const missedSome = this.everConnected || this.failures > 0;
    this.failures = 0;
    this.everConnected = true;
    if (missedSome) {
      this.reconnects += 1;
      this.log?.info({ reconnects: this.reconnects }, 'notification listener reconnected');
      for (const handler of [...this.reconnectHandlers]) {
        try {
          handler();
        } catch (error) {
          this.log?.error({ err: error }, 'reconnect handler failed');
        }
      }
    }
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    const base = Math.min(this.maxBackoffMs, this.minBackoffMs * 2 ** this.failures);
    this.failures += 1;
    // ±20 % jitter, so instances that lost the database together do not return in lockstep.
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect();
    }, delay);
    this.reconnectTimer.unref();
  }
}
