import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnReplica, type ReplicaProcess } from '../../src/dev/cluster.ts';
import { freshDatabase } from '../support/db.ts';
import { openStream, postJson, signIn } from '../support/client.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const env = (db: string, extra: Record<string, string> = {}) => ({ DATABASE_URL: db, RATE_LIMIT_MESSAGES: 'off', LOG_LEVEL: 'warn', REGISTRATION: 'open', REGISTRATION_CHALLENGE: 'off', ...extra });

describe('replicas as separate processes', () => {
  let db: string;
  const started: ReplicaProcess[] = [];
  const start = async (name: string, extra?: Record<string, string>) => {
    const r = await spawnReplica(name, env(db, extra));
    started.push(r);
    await r.ready();
    return r;
  };
  beforeAll(async () => {
    db = await freshDatabase();
  });
  afterAll(() => {
    for (const r of started) r.kill('SIGKILL');
  });

  it('kill -9 of the replica a client streams from: it resumes on another with Last-Event-ID, 0 lost, 0 duplicated', async () => {
    const [a, b, c] = await Promise.all([start('kill-a'), start('kill-b'), start('kill-c')]);
    const cookie = await signIn(b.url);
    const stream = await openStream(a.url, 'general', { cookie });
    const accepted: string[] = [];
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing && i < 400; i++) {
        const target = i % 2 ? b : c;
        const res = await postJson(target.url, cookie, 'general', `m${i}`);
        if (res.status === 201) accepted.push(((await res.json()) as { message: { id: string } }).message.id);
        await sleep(5);
      }
    })();
    await stream.waitFor(20);
    a.kill('SIGKILL');
    await stream.ended;
    const resumed = await openStream(b.url, 'general', { cookie, lastEventId: stream.events.at(-1)!.id });
    await sleep(500);
    writing = false;
    await writer;
    const got = [...stream.events, ...(await resumed.waitFor(accepted.length - stream.events.length))];
    await sleep(300);
    const ids = [...stream.events, ...resumed.events].map((e) => e.message.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...accepted].sort());
    expect(got.length).toBe(accepted.length);
    resumed.close();
  });

  it('SIGTERM: not ready within 1 s, streams end with a retry hint, exit 0 within the grace period', async () => {
    const r = await start('term', { DRAIN_DELAY_MS: '1500' });
    const cookie = await signIn(r.url);
    const stream = await openStream(r.url, 'general', { cookie });
    const raw = await fetch(`${r.url}/rooms/help/events`, { headers: { cookie } });
    const sentAt = Date.now();
    r.kill('SIGTERM');
    let notReadyAfter = Infinity;
    while (Date.now() - sentAt < 1000) {
      const res = await fetch(`${r.url}/readyz`).catch(() => null);
      if (res?.status === 503) {
        notReadyAfter = Date.now() - sentAt;
        break;
      }
      await sleep(20);
    }
    expect(notReadyAfter).toBeLessThan(1000);
    // Still serving during the drain, so the proxy has time to notice.
    expect((await fetch(`${r.url}/healthz`)).status).toBe(200);
    await stream.ended;
    const text = await raw.text();
    expect(text.trimEnd().endsWith('retry: 500')).toBe(true);
    const code = await r.exited;
    expect(code).toBe(0);
    expect(Date.now() - sentAt).toBeLessThan(1500 + 5000);
  });

  it('three replicas booting together on an empty database run the migrations once and all come up', async () => {
    const { emptyDatabase } = await import('../support/db.ts');
    db = await emptyDatabase();
    const trio = await Promise.all(['boot-1', 'boot-2', 'boot-3'].map((n) => spawnReplica(n, env(db))));
    started.push(...trio);
    await Promise.all(trio.map((r) => r.ready(60_000)));
    const cookie = await signIn(trio[0]!.url);
    for (const r of trio) expect((await fetch(`${r.url}/api/rooms`, { headers: { cookie } }).then((x) => x.json()) as { rooms: unknown[] }).rooms.length).toBeGreaterThan(0);
    // Concurrent runs would collide on schema_migrations' primary key and crash a replica.
    const { connect } = await import('../../src/db/connect.ts');
    const { migrationFiles } = await import('../../src/db/migrate.ts');
    const sql = connect(db, { max: 1 });
    const rows = await sql<{ version: string }[]>`SELECT version FROM schema_migrations`;
    await sql.end();
    expect(rows.map((r) => r.version).sort()).toEqual(migrationFiles());
    for (const r of trio) expect(r.proc.exitCode).toBeNull();
  });

  it('a room inserted straight into the database is served by every replica within a few seconds', async () => {
    const trio = started.slice(-3);
    const cookie = await signIn(trio[0]!.url);
    const { connect } = await import('../../src/db/connect.ts');
    const sql = connect(db, { max: 1 });
    await sql`INSERT INTO rooms (slug, title) VALUES ('late-room', 'Late room')`;
    await sql.end();
    const deadline = Date.now() + 3000;
    for (const r of trio) {
      while ((await fetch(`${r.url}/rooms/late-room`, { headers: { cookie } })).status !== 200) {
        expect(Date.now()).toBeLessThan(deadline);
        await sleep(50);
      }
    }
  });
});
