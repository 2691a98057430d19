import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devMetrics, spawnReplica, type ReplicaProcess } from '../../src/dev/cluster.ts';
import { connect } from '../../src/db/connect.ts';
import { encodeCursor } from '../../src/sync/cursor.ts';
import { freshDatabase } from '../support/db.ts';
import { signIn } from '../support/client.ts';

const rss = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
// Fetches the address every 20 ms until its standard input closes, then prints each latency. One
// fetch first, untimed, so the probe's own start (loading fetch, the first connection) is not counted.
const PROBE = `
  const times = []; let on = true; process.stdin.on('end', () => { on = false; }); process.stdin.resume();
  (async () => { await fetch(process.argv[1]).then((r) => r.text()); process.stderr.write('warm\\n'); while (on) { const t = performance.now(); await fetch(process.argv[1]).then((r) => r.text());
    times.push(performance.now() - t); await new Promise((r) => setTimeout(r, 20)); } console.log(times.join('\\n')); })();`;
const PROSE = 'Some **plain** words about the deploy, see https://example.com/x and `code`. ';
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;

/** Reads a room's stream from `after` until `want` messages (or its end), counting event names and bytes. */
async function catchUpStream(base: string, cookie: string, after: string, want: number): Promise<{ messages: number; reloads: number; bytes: number }> {
  const ctrl = new AbortController();
  const deadline = setTimeout(() => ctrl.abort(), 60_000);
  const res = await fetch(`${base}/rooms/general/events?after=${after}`, { headers: { cookie }, signal: ctrl.signal });
  let messages = 0;
  let reloads = 0;
  let bytes = 0;
  let tail = '';
  const decoder = new TextDecoder();
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      const text = tail + decoder.decode(chunk, { stream: true });
      // Whole lines only: the unfinished last one is carried to the next chunk and counted there.
      const whole = text.slice(0, text.lastIndexOf('\n') + 1);
      for (const m of whole.matchAll(/^event: (\w+)$/gm)) {
        if (m[1] === 'message') messages++;
        if (m[1] === 'reload') reloads++;
      }
      tail = text.slice(text.lastIndexOf('\n') + 1);
      if (messages >= want || reloads > 0) break;
    }
  } catch {
    // ended early: the counts say so
  }
  clearTimeout(deadline);
  ctrl.abort();
  return { messages, reloads, bytes };
}

// Issue 19: 60 streams resuming from about 340 messages of 3,000-4,000 characters back (under
// STREAM_CATCH_UP_MAX, so no reload) held /healthz for about a second. Measured from a process of its own.
describe('many catch-ups of big messages, just under the reload cap', () => {
  let replica: ReplicaProcess;
  let cookie: string;
  let from: string;
  const BACK = 340;
  beforeAll(async () => {
    const db = await freshDatabase();
    replica = await spawnReplica('bigcatch', {
      DATABASE_URL: db, LOG_LEVEL: 'warn', REGISTRATION: 'open', REGISTRATION_CHALLENGE: 'off',
      STREAM_LIMIT_USER: 'off', STREAM_LIMIT_ADDRESS: 'off',
    });
    await replica.ready();
    cookie = await signIn(replica.url);
    const sql = connect(db, { max: 1 });
    // Prose with some Markdown and links, 3,000-4,000 characters each.
    await sql`
      INSERT INTO messages (room_id, author_id, body)
      SELECT (SELECT id FROM rooms WHERE slug = 'general'), (SELECT min(id) FROM users),
             left(n || ' ' || repeat(${PROSE}, 60), 3000 + (n * 37) % 1000)
      FROM generate_series(1, ${BACK + 20}) n`;
    const [mark] = await sql<{ t: string; i: string }[]>`SELECT m.tx::text AS t, m.id::text AS i FROM messages m ORDER BY m.tx, m.id OFFSET 19 LIMIT 1`;
    from = encodeCursor({ tx: BigInt(mark!.t), id: BigInt(mark!.i) });
    await sql.end();
    for (let polled = 0; polled < BACK + 20; await new Promise((r) => setTimeout(r, 100))) {
      polled = Number(/^chat_messages_polled_total\{[^}]*\} (\d+)/m.exec(await devMetrics(replica.url))?.[1] ?? 0);
    }
  }, 120_000);
  afterAll(() => replica?.kill('SIGKILL'));

  it('keeps /healthz under 250 ms at its worst while 60 streams catch up from 340 big messages back, and each gets all 340', async () => {
    const before = rss(replica.proc.pid!);
    const probe = spawn(process.execPath, ['-e', PROBE, `${replica.url}/healthz`], { stdio: ['pipe', 'pipe', 'pipe'] });
    let probeOut = '';
    probe.stdout.on('data', (d: Buffer) => (probeOut += d.toString()));
    await new Promise((r) => probe.stderr.once('data', r));
    await new Promise((r) => setTimeout(r, 300));
    const started = performance.now();
    const streams = await Promise.all(Array.from({ length: 60 }, () => catchUpStream(replica.url, cookie, from, BACK)));
    const took = performance.now() - started;
    const peak = rss(replica.proc.pid!);
    await new Promise((r) => setTimeout(r, 200));
    probe.stdin.end();
    await new Promise((r) => probe.once('exit', r));
    const latencies = probeOut.trim().split('\n').map(Number);
    const mb = streams.reduce((n, s) => n + s.bytes, 0) / 1024 / 1024;
    console.log(`/healthz during 60 catch-ups of ${BACK} big messages (${mb.toFixed(0)} MiB in ${(took / 1000).toFixed(1)} s): median ${quantile(latencies, 0.5).toFixed(1)} ms, p95 ${quantile(latencies, 0.95).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms over ${latencies.length} probes; RSS ${before.toFixed(0)} -> ${peak.toFixed(0)} MiB`);
    console.log(`slowest probes (index: ms): ${latencies.map((l, i) => [i, l] as const).sort((x, y) => y[1] - x[1]).slice(0, 6).map(([i, l]) => `${i}: ${l.toFixed(0)}`).join(", ")}`);
    for (const s of streams) expect(s).toMatchObject({ messages: BACK, reloads: 0 });
    expect(latencies.length).toBeGreaterThan(5);
    expect(Math.max(...latencies)).toBeLessThan(250);
  }, 120_000);
});
