import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devMetrics, spawnReplica, type ReplicaProcess } from '../../src/dev/cluster.ts';
import { connect } from '../../src/db/connect.ts';
import { encodeCursor } from '../../src/sync/cursor.ts';
import { readEvents } from '../../src/sync/event-parser.ts';
import { freshDatabase } from '../support/db.ts';
import { signIn } from '../support/client.ts';

// Allowed text that escapes worst: every character grows in the HTML (&quot; &lt;) and again in JSON.
const HEAVY = '"<'.repeat(1995);
const rss = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
// Fetches the address every 20 ms until its standard input closes, then prints each latency.
const PROBE = `
  const times = []; let on = true; process.stdin.on('end', () => { on = false; }); process.stdin.resume();
  (async () => { while (on) { const t = performance.now(); await fetch(process.argv[1]).then((r) => r.text());
    times.push(performance.now() - t); await new Promise((r) => setTimeout(r, 20)); } console.log(times.join('\\n')); })();`;

/** Reads an event stream without parsing its data: the event names, until \`want\` messages or its end. */
async function rawStream(base: string, cookie: string, after: string, want = Infinity): Promise<{ events: string[] }> {
  const ctrl = new AbortController();
  const deadline = setTimeout(() => ctrl.abort(), 30_000);
  const res = await fetch(`${base}/rooms/general/events?after=${after}`, { headers: { cookie }, signal: ctrl.signal });
  const events: string[] = [];
  let messages = 0;
  try {
    for await (const { event } of readEvents(res.body!)) {
      if (event === 'message' || event === 'reload') events.push(event);
      if (event === 'message' && ++messages >= want) break;
    }
  } catch (err) {
    // The server ended the stream early: the assertion on the events says so, with the replica's log.
    events.push(`ended early: ${(err as Error).message} after ${events.length}`);
  }
  clearTimeout(deadline);
  ctrl.abort();
  return { events };
}
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;
const median = (xs: number[]) => quantile(xs, 0.5);

describe('deep catch-ups against one replica process', () => {
  let replica: ReplicaProcess;
  let cookie: string;
  let midCursor: string;
  beforeAll(async () => {
    const db = await freshDatabase();
    replica = await spawnReplica('deep', {
      DATABASE_URL: db, LOG_LEVEL: 'warn', REGISTRATION: 'open', REGISTRATION_CHALLENGE: 'off',
      FEED_CAPACITY: '100', STREAM_CATCH_UP_MAX: '500', STREAM_LIMIT_USER: 'off', STREAM_LIMIT_ADDRESS: 'off',
    });
    await replica.ready();
    cookie = await signIn(replica.url);
    const sql = connect(db, { max: 1 });
    await sql`
      INSERT INTO messages (room_id, author_id, body)
      SELECT (SELECT id FROM rooms WHERE slug = 'general'), (SELECT min(id) FROM users), n || ' ' || ${HEAVY}
      FROM generate_series(1, 1000) n`;
    const [mid] = await sql<{ t: string; i: string }[]>`SELECT m.tx::text AS t, m.id::text AS i FROM messages m ORDER BY m.tx, m.id OFFSET 599 LIMIT 1`;
    midCursor = encodeCursor({ tx: BigInt(mid!.t), id: BigInt(mid!.i) });
    await sql.end();
    // The attack starts once the replica has polled (and rendered) all 1,000: a stream opened
    // before that would rightly get them live, not be told to reload.
    for (let polled = 0; polled < 1000; await new Promise((r) => setTimeout(r, 100))) {
      const text = await devMetrics(replica.url);
      polled = Number(/^chat_messages_polled_total\{[^}]*\} (\d+)/m.exec(text)?.[1] ?? 0);
    }
  }, 120_000);
  afterAll(() => replica?.kill('SIGKILL'));

  it('100 catch-ups from the start keep /healthz quick and memory bounded; those too far behind are told to reload', async () => {
    const before = rss(replica.proc.pid!);
    // The probe runs in a process of its own, so the clients' parsing here does not count against it.
    const probe = spawn(process.execPath, ['-e', PROBE, `${replica.url}/healthz`], { stdio: ['pipe', 'pipe', 'inherit'] });
    let probeOut = '';
    probe.stdout.on('data', (d: Buffer) => (probeOut += d.toString()));
    await new Promise((r) => setTimeout(r, 300));
    const far = await Promise.all(Array.from({ length: 100 }, () => rawStream(replica.url, cookie, '0-0')));
    const near = await Promise.all(Array.from({ length: 10 }, () => rawStream(replica.url, cookie, midCursor, 400)));
    const peak = rss(replica.proc.pid!);
    probe.stdin.end();
    await new Promise((r) => probe.once('exit', r));
    const latencies = probeOut.trim().split('\n').map(Number);
    console.log(`/healthz during 110 deep catch-ups: median ${median(latencies).toFixed(1)} ms, p95 ${quantile(latencies, 0.95).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms over ${latencies.length} probes; RSS ${before.toFixed(0)} -> ${peak.toFixed(0)} MiB`);
    for (const s of far) expect(s.events).toEqual(['reload']);
    const log = replica.logs.slice(-10).join('\n');
    for (const s of near) expect(s.events, log).toEqual(Array(400).fill('message'));
    expect(latencies.length).toBeGreaterThan(5);
    // This file runs alone, after the others (vitest.config.ts), so the probes time the replica.
    expect(Math.max(...latencies)).toBeLessThan(250);
    // Unbounded, the 100 far streams alone would hold 100 x 1,000 rendered messages (over 1 GB).
    // Growth measured 25-161 MiB over five runs: garbage the replica's GC has not yet collected.
    expect(peak - before).toBeLessThan(250);
  }, 90_000);

});
