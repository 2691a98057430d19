import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Sql } from '../../src/db/connect.ts';
import { createLogger } from '../../src/ops/log.ts';
import { loadConfig } from '../../src/config.ts';
import { DEV_METRICS_TOKEN, devMetrics } from '../../src/dev/cluster.ts';
import { createChat, listen, type Chat } from '../../src/server.ts';
import { privateCluster } from '../support/db.ts';
import { openStream, postJson, signIn } from '../support/client.ts';
import type { Server } from 'node:http';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a write transaction left open elsewhere', () => {
  let cluster: Awaited<ReturnType<typeof privateCluster>>;
  let db: string;
  let sql: Sql;
  let chat: Chat;
  let server: Server;
  let base: string;
  const lines: string[] = [];
  beforeAll(async () => {
    // Its own PostgreSQL: the open transaction below would hold back every database in the cluster.
    cluster = await privateCluster();
    db = cluster.url;
    sql = connect(db);
    const config = { ...loadConfig({}), pollIntervalMs: 50, syncLagWarnMs: 500, rateLimitMessages: null, replicaName: 'lag', metricsToken: DEV_METRICS_TOKEN };
    chat = createChat(config, sql, createLogger('lag', 'info', (l) => lines.push(l)));
    await chat.start();
    server = await listen(chat, 0, '127.0.0.1');
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await chat.stop();
    server.closeAllConnections();
    server.close();
    await sql.end();
    await cluster.stop();
  });

  it('holds messages back, but not silently: the lag shows in /metrics and a warning is logged, and all arrive once it ends', async () => {
    const cookie = await signIn(base);
    const stream = await openStream(base, 'general', { cookie });
    // Like an admin's pgAdmin tab with an uncommitted INSERT.
    const admin = connect(db, { max: 1 });
    const held = await admin.reserve();
    await held`BEGIN`;
    await held`INSERT INTO rooms (slug, title) VALUES ('pending', 'Pending')`;
    const res = await postJson(base, cookie, 'general', 'stuck behind the open transaction');
    expect(res.status).toBe(201);
    const posted = ((await res.json()) as { message: { cursor: string } }).message;
    // The page its author lands on shows it already; its live cursor stays before it, so the
    // stream still brings it (and the script skips the copy it already shows).
    const page = await fetch(`${base}/rooms/general`, { headers: { cookie } }).then((x) => x.text());
    expect(page).toContain('stuck behind the open transaction');
    const liveCursor = /class="room"[^>]*data-cursor="([^"]+)"/.exec(page)![1];
    expect(liveCursor).not.toBe(posted.cursor);
    await sleep(1800);
    expect(stream.events).toHaveLength(0);
    const metrics = await devMetrics(base);
    const lag = Number(/chat_sync_lag_ms\{[^}]*\} ([\d.]+)/.exec(metrics)![1]);
    expect(lag).toBeGreaterThan(500);
    expect(lines.some((l) => l.includes('"level":"warn"') && l.includes('sync lag'))).toBe(true);

    await held`ROLLBACK`;
    held.release();
    await admin.end();
    const [event] = await stream.waitFor(1, 3000);
    expect(event!.message.body).toBe('stuck behind the open transaction');
    stream.close();
  });
});
