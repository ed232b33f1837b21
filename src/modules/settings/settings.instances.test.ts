import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, freshDatabase, testConfig } from '../../../test/helpers.ts';
import { connectDatabase } from '../../core/db/connect.ts';
import { createServer, type Server } from '../../server.ts';
import { SETTINGS_CHANNEL } from './settings.service.ts';

async function adminBearer(server: Server): Promise<string> {
  const admin = await server.ctx.employees.employees.findRowByEmail(ADMIN_EMAIL);
  if (!admin) throw new Error('no admin');
  return `Bearer ${(await server.ctx.core.localTokens.issue(admin.id)).token}`;
}

/** Resolves when the next settings-change message reaches `server` (after its cache was dropped). */
function nextSettingsMessage(server: Server): Promise<void> {
  return new Promise((resolve) => {
    void server.ctx.core.notifications.listen(SETTINGS_CHANNEL, () => resolve());
  });
}

describe.runIf(process.env.TEST_DATABASE_URL)('settings across two instances on one PostgreSQL', () => {
  const servers: Server[] = [];
  afterAll(async () => {
    for (const server of servers) await server.close();
  });

  it('a change on one instance reaches the other at once, cache and consumers included', async () => {
    const { db, url } = await freshDatabase();
    if (!url) throw new Error('freshDatabase gave no url on PostgreSQL');
    // A cache that would outlive the test: B can only see A's change through the notification.
    const config = testConfig({ SETTINGS_CACHE_SECONDS: '300' });
    const a = await createServer(config, { db, logger: false });
    servers.push(a);
    const db2 = await connectDatabase({ databaseUrl: url, dataDir: tmpdir(), poolMax: 5 });
    const b = await createServer(config, { db: db2, logger: false });
    servers.push(b);
    const [tokenA, tokenB] = [await adminBearer(a), await adminBearer(b)];

    // B has the settings cached before A changes them.
    expect((await b.ctx.settings.get()).customerNumberPrefix).toBe('KIT-CUS');
    const arrived = nextSettingsMessage(b);
    const res = await a.app.inject({
      method: 'PATCH',
      url: '/api/settings',
      headers: { authorization: tokenA },
      payload: { customer_number_prefix: 'ACME-CUS', payment_terms_days: 21 },
    });
    expect(res.statusCode, res.body).toBe(200);
    await arrived;
    const seen = await b.ctx.settings.get();
    expect(seen).toMatchObject({ customerNumberPrefix: 'ACME-CUS', paymentTermsDays: 21 });

    // B's consumers use the new value: a customer created through B gets the new prefix.
    const customer = await b.app.inject({
      method: 'POST',
      url: '/api/customers',
      headers: { authorization: tokenB },
      payload: { name: 'Across Instances GmbH' },
    });
    expect(customer.statusCode, customer.body).toBe(201);
    expect(customer.json().customer_number).toMatch(/^ACME-CUS-\d{6}$/);
    const read = await b.app.inject({ method: 'GET', url: '/api/settings', headers: { authorization: tokenB } });
    expect(read.headers.etag).toBe(res.headers.etag);

    // Maintenance switched on through A stops B's normal users at once.
    const role = await a.app.inject({
      method: 'POST',
      url: '/api/roles',
      headers: { authorization: tokenA },
      payload: { name: 'Reader', permissions: ['employees.read'] },
    });
    const employee = await a.app.inject({
      method: 'POST',
      url: '/api/employees',
      headers: { authorization: tokenA },
      payload: { first_name: 'Nor', last_name: 'Mal', email: 'normal@example.com', role_id: role.json().id },
    });
    const userB = `Bearer ${(await b.ctx.core.localTokens.issue(employee.json().id)).token}`;
    const list = () => b.app.inject({ method: 'GET', url: '/api/employees', headers: { authorization: userB } });
    expect((await list()).statusCode).toBe(200);
    const switched = nextSettingsMessage(b);
    const on = await a.app.inject({
      method: 'PATCH',
      url: '/api/settings',
      headers: { authorization: tokenA },
      payload: { maintenance_mode: true },
    });
    expect(on.statusCode).toBe(200);
    await switched;
    const blocked = await list();
    expect(blocked.statusCode).toBe(503);
    expect(blocked.headers['retry-after']).toBe('300');
  });
});
