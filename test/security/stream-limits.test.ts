import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnReplica } from '../../src/dev/cluster.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { openStream, postJson, signIn } from '../support/client.ts';

// The attacks on streams that time nothing; stream-attacks.test.ts has those that do, and runs alone.

// Allowed text that escapes worst: every character grows in the HTML (&quot; &lt;) and again in JSON.
const HEAVY = '"<'.repeat(1995);

describe('a burst of heavy messages while a client is away', () => {
  let a: Replica;
  let b: Replica;
  beforeAll(async () => {
    const db = await freshDatabase();
    [a, b] = await Promise.all([startReplica(db, { rateLimitMessages: null }), startReplica(db, { rateLimitMessages: null, feedCapacity: 10 })]);
  });
  afterAll(() => Promise.all([a?.close(), b?.close()]));

  it('refuses control characters other than tabs and line breaks, which made frames six times their size', async () => {
    const cookie = await signIn(a.url);
    for (const body of ['\x01'.repeat(4000), 'bell\x07', 'escape \x1b[31m', 'del\x7f']) {
      const res = await postJson(a.url, cookie, 'general', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await postJson(a.url, cookie, 'general', 'tab\there\nand a new line')).status).toBe(201);
  });

  it('a client that reconnects after the burst gets every message, from memory and from the database', async () => {
    const one = await signIn(a.url);
    const two = await signIn(a.url);
    const first = await openStream(a.url, 'help', { cookie: one });
    await postJson(a.url, one, 'help', 'before the burst');
    const [seen] = await first.waitFor(1);
    first.close();
    const burst: string[] = [];
    for (let i = 0; i < 40; i++) {
      const res = await postJson(a.url, i % 2 ? one : two, 'help', `${i} ${HEAVY}`);
      burst.push(((await res.json()) as { message: { id: string } }).message.id);
    }
    // A holds the whole burst in memory; B (a feed of 10) must read most of it from the database.
    for (const r of [a, b]) {
      const resumed = await openStream(r.url, 'help', { cookie: two, lastEventId: seen!.id });
      const got = await resumed.waitFor(40, 15_000);
      resumed.close();
      expect(got.map((e) => e.message.id)).toEqual(burst);
    }
  });
});

describe('open streams per person and per address', () => {
  it('caps open streams per person and per address with a 429', async () => {
    const capped = await spawnReplica('capped', {
      DATABASE_URL: (await freshDatabase()), LOG_LEVEL: 'warn', REGISTRATION: 'open', REGISTRATION_CHALLENGE: 'off',
      STREAM_LIMIT_USER: '3', STREAM_LIMIT_ADDRESS: '5',
    });
    try {
      await capped.ready();
      const x = await signIn(capped.url);
      const y = await signIn(capped.url);
      const xs = await Promise.all(Array.from({ length: 4 }, () => openStream(capped.url, 'general', { cookie: x })));
      expect(xs.map((s) => s.status).sort()).toEqual([200, 200, 200, 429]);
      const ys = await Promise.all(Array.from({ length: 3 }, () => openStream(capped.url, 'general', { cookie: y })));
      expect(ys.map((s) => s.status).sort()).toEqual([200, 200, 429]);
      for (const s of [...xs, ...ys]) s.close();
    } finally {
      capped.kill('SIGKILL');
    }
  }, 60_000);
});
