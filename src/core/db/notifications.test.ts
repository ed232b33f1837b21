import { tmpdir } from 'node:os';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../../../test/helpers.ts';
import { connectDatabase, openPglite } from './connect.ts';
import type { Database } from './database.ts';
import { Notifications } from './notifications.ts';

/** Resolves with the next payload on `channel`. */
function nextMessage(notifications: Notifications, channel: string): Promise<string> {
  return new Promise((resolve) => {
    let unlisten: (() => Promise<void>) | null = null;
    let received: string | null = null;
    void notifications
      .listen(channel, (payload) => {
        if (received !== null) return;
        received = payload;
        void unlisten?.();
        resolve(payload);
      })
      .then((fn) => {
        unlisten = fn;
        if (received !== null) void fn();
      });
  });
}

describe('notifications on PGlite (in-process)', () => {
  let db: Database;
  let notifications: Notifications;

  beforeAll(async () => {
    db = await connectDatabase({ dataDir: tmpdir(), pglite: await openPglite() });
    notifications = new Notifications(db);
    await notifications.start();
  });
  afterAll(async () => {
    await notifications.close();
    await db.close();
  });

  it('delivers at commit, never on rollback, and at once outside a transaction', async () => {
    const seen: string[] = [];
    const unlisten = await notifications.listen('test_channel', (payload) => {
      seen.push(payload);
    });
    await db.transaction(async () => {
      await notifications.notify('test_channel', 'committed');
      seen.push('inside');
    });
    await db
      .transaction(async () => {
        await notifications.notify('test_channel', 'rolled back');
        throw new Error('roll back');
      })
      .catch(() => undefined);
    await notifications.notify('test_channel', 'direct');
    expect(seen).toEqual(['inside', 'committed', 'direct']);

    await unlisten();
    await notifications.notify('test_channel', 'after unlisten');
    expect(seen).toEqual(['inside', 'committed', 'direct']);
    expect(notifications.status()).toMatchObject({ mode: 'in_process', connected: true });
  });

  it('keeps delivering when a handler throws', async () => {
    const seen: string[] = [];
    await notifications.listen('throwing', () => {
      throw new Error('handler bug');
    });
    await notifications.listen('throwing', (payload) => {
      seen.push(payload);
    });
    await notifications.notify('throwing', 'x');
    expect(seen).toEqual(['x']);
  });

  it('refuses bad channel names and oversized payloads', async () => {
    await expect(notifications.listen('Bad Channel', () => undefined)).rejects.toThrow(/invalid notification channel/);
    await expect(notifications.notify('x; drop table', '')).rejects.toThrow(/invalid notification channel/);
    await expect(notifications.notify('test_channel', 'x'.repeat(8000))).rejects.toThrow(/payload/);
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('notifications on PostgreSQL', () => {
  const opened: Array<{ close(): Promise<void> }> = [];
  let url: string;

  beforeAll(async () => {
    const fresh = await freshDatabase();
    if (!fresh.url) throw new Error('freshDatabase gave no url on PostgreSQL');
    url = fresh.url;
    opened.push(fresh.db);
  });
  afterAll(async () => {
    for (const item of opened.reverse()) await item.close();
  });

  async function instance(): Promise<{ db: Database; notifications: Notifications }> {
    const db = await connectDatabase({ databaseUrl: url, dataDir: tmpdir(), poolMax: 2 });
    const notifications = new Notifications(db, { minBackoffMs: 20, maxBackoffMs: 200 });
    opened.push(db, notifications);
    return { db, notifications };
  }

  it('delivers a committed message to another instance, and not a rolled-back one', async () => {
    const a = await instance();
    const b = await instance();
    await Promise.all([a.notifications.start(), b.notifications.start()]);
    const seen: string[] = [];
    await b.notifications.listen('cross_instance', (payload) => {
      seen.push(payload);
    });
    await a.db
      .transaction(async () => {
        await a.notifications.notify('cross_instance', 'rolled back');
        throw new Error('roll back');
      })
      .catch(() => undefined);
    const arrived = nextMessage(b.notifications, 'cross_instance');
    await a.db.transaction(async () => {
      await a.notifications.notify('cross_instance', 'committed');
    });
    expect(await arrived).toBe('committed');
    expect(seen).toEqual(['committed']);
    expect(b.notifications.status()).toMatchObject({ mode: 'postgres', connected: true });
  });

  it('reconnects after its connection is killed, listens again and reports the gap', async () => {
    const a = await instance();
    const b = await instance();
    await Promise.all([a.notifications.start(), b.notifications.start()]);
    await b.notifications.listen('survives', () => undefined);
    const reconnected = new Promise<void>((resolve) => b.notifications.onReconnect(resolve));

    // Kill every listener connection on this database (a's and b's), as a failover would.
    await a.db.root.execute(
      sql`select pg_terminate_backend(pid) from pg_stat_activity
          where datname = current_database() and application_name = 'workmate-os-listen'`,
    );
    await reconnected;
    expect(b.notifications.status()).toMatchObject({ connected: true, reconnects: 1 });

    const arrived = nextMessage(b.notifications, 'survives');
    await a.notifications.notify('survives', 'after reconnect');
    expect(await arrived).toBe('after reconnect');
  });
});
