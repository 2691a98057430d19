import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { eventually, signIn } from '../support/client.ts';
import { call, firstAdmin, makeBot } from './helpers.ts';
import { startReceiver } from './receiver.ts';

// Only loopback addresses are ever the target of a delivery here: no traffic may leave 127.0.0.0/8.
// Private and link-local literals appear only in the check made when a bot is created, which
// never connects (the guard judges the literal, or the names' addresses, before any socket).
describe('webhook URLs go through the outbound guard: nothing private, nothing redirected, no connection made', () => {
  let r: Replica;
  let allowed: Awaited<ReturnType<typeof startReceiver>>;
  let victim: Awaited<ReturnType<typeof startReceiver>>;
  let admin: string;
  let alice: string;
  beforeAll(async () => {
    [allowed, victim] = await Promise.all([startReceiver(), startReceiver()]);
    r = await startReplica(await freshDatabase(), { webhooks: true, rateLimitMessages: null, outboundAllow: [`127.0.0.1:${allowed.port}`] });
    admin = await firstAdmin(r.url);
    alice = await signIn(r.url, `alice_${process.pid}`);
  });
  afterAll(async () => {
    await r?.close();
    await Promise.all([allowed?.close(), victim?.close()]);
  });

  it('a bot cannot be made with a loopback, private, link-local or IPv6-mapped URL, a name that resolves to loopback, or plain http', async () => {
    const v = victim.port;
    const refused = [
      `https://127.0.0.1:${v}/`, `https://127.1:${v}/`, `https://2130706433:${v}/`, `https://0x7f000001:${v}/`, `https://[::1]:${v}/`,
      `https://[::ffff:127.0.0.1]:${v}/`, `https://[::ffff:7f00:1]:${v}/`, `https://localhost:${v}/`, `https://0.0.0.0:${v}/`,
      'https://10.1.2.3/', 'https://172.16.0.1/', 'https://192.168.1.10/', 'https://100.64.0.1/', 'https://169.254.169.254/latest/meta-data/',
      'https://[fe80::1]/', 'https://[fc00::1]/', 'https://[::ffff:10.0.0.1]/', 'https://[::ffff:169.254.169.254]/',
      `http://127.0.0.1:${v}/`, 'ftp://example.com/', 'not a url', `https://user:pw@127.0.0.1:${v}/`,
    ];
    for (const [i, url] of refused.entries()) {
      const res = await call(r.url, { cookie: admin }, 'POST', '/api/bots', { name: `bad${i}`, webhookUrl: url });
      expect(res.status, url).toBe(400);
    }
    expect(victim.connections).toBe(0);
  });

  it('a URL that turns private later (DNS) is refused at delivery, without a connection', async () => {
    const bot = await makeBot(r.url, admin, 'rebound', allowed.url);
    expect(bot.bot.webhookUrl).toBe(allowed.url);
    // As if its name now resolved to loopback: the URL names a host that does, on a port not allowed.
    await r.sql`UPDATE bots SET webhook_url = ${`https://localhost:${victim.port}/hook`} WHERE user_id = (SELECT id FROM users WHERE name = 'rebound')`;
    for (const url of [`https://localhost:${victim.port}/hook`, `https://[::ffff:127.0.0.1]:${victim.port}/hook`]) {
      await r.sql`UPDATE bots SET webhook_url = ${url} WHERE user_id = (SELECT id FROM users WHERE name = 'rebound')`;
      const body = `hello @rebound via ${url}`;
      expect((await call(r.url, { cookie: alice }, 'POST', '/rooms/general/messages', { body })).status).toBe(201);
      const [d] = await eventually(() => r.sql<{ status: string; error: string }[]>`
        SELECT d.status, d.error FROM webhook_deliveries d JOIN messages m ON m.id = d.message_id WHERE m.body = ${body}`, (rows) => rows[0]?.status === 'refused', 20_000);
      expect(d!.error).toMatch(/public address|not https|connected to/);
    }
    expect(victim.connections).toBe(0);
  });

  it('a redirect to a loopback address is not followed: the 3xx is a final answer and the target sees nothing', async () => {
    await makeBot(r.url, admin, 'redirected', allowed.url);
    allowed.answer = () => ({ status: 302, location: `http://127.0.0.1:${victim.port}/steal` });
    expect((await call(r.url, { cookie: alice }, 'POST', '/rooms/general/messages', { body: 'follow me @redirected' })).status).toBe(201);
    const [d] = await eventually(() => r.sql<{ status: string; http_status: number }[]>`
      SELECT d.status, d.http_status FROM webhook_deliveries d JOIN messages m ON m.id = d.message_id WHERE m.body = 'follow me @redirected'`,
    (rows) => rows[0]?.status === 'failed', 20_000);
    expect(d!.http_status).toBe(302);
    expect(allowed.received.filter((x) => x.body.toString().includes('follow me'))).toHaveLength(1);
    expect(victim.connections).toBe(0);
  });
});
