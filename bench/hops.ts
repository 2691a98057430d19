import { connect } from '../src/db/connect.ts';
import { attachmentsFor } from '../src/files/link.ts';
import { decodeCursor } from '../src/sync/cursor.ts';
import { postMessage } from '../src/messages/post.ts';
import { findSession } from '../src/accounts/sessions.ts';
import { SseClient, sleep } from './clients.ts';
import { killAllReplicas, startDatabase, startReplicas, stopReplicas } from './cluster.ts';
import { healthzRoundTrip } from './floor.ts';
import { Ledger } from './ledger.ts';
import { summarize } from './stats.ts';
import { signIn, Writers } from './writers.ts';

// npx tsx bench/hops.ts: the hops of one message at the paced load (20 ms apart), each timed on its
// own with the chat's own statements and functions, next to the whole path measured end to end.
const N = 200;
const GAP = 20;

async function time(name: string, f: () => Promise<unknown>, rows: string[][]): Promise<number> {
  const ts: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    await f();
    ts.push(performance.now() - t);
    await sleep(GAP);
  }
  const s = summarize(ts.slice(20));
  rows.push([name, s.p50.toFixed(2), s.p99.toFixed(2)]);
  console.error(`[hops] ${name}: ${s.p50.toFixed(2)} ms`);
  return s.p50;
}

async function main(): Promise<void> {
  console.error('[hops] starting');
  const db = await startDatabase();
  const replicas = await startReplicas(db, 2, { notify: true, pollIntervalMs: 100 });
  const [a, b] = replicas.map((r) => r.url) as [string, string];
  const sql = connect(db.url, { max: 2 });
  const listener = connect(db.url, { max: 2 });
  const rows: string[][] = [];
  try {
    const cookie = await signIn(a, 'writer-1');
    const token = decodeURIComponent(cookie.split('=')[1]!);
    const user = (await findSession(sql, token))!;
    await time('PostgreSQL round trip (SELECT 1)', () => sql`SELECT 1`, rows);
    await time('session check (live_session)', () => findSession(sql, token), rows);
    let last = '';
    await time('post_message(): access, rate, insert, commit', async () => {
      const r = await postMessage(sql, 'bench-02', user, 'probe', null);
      if (r.ok) last = r.message.id;
    }, rows);
    await time('NOTIFY sent (its own transaction)', () => sql`SELECT pg_notify('probe', '')`, rows);
    // Each wait ends at the matching payload, or after 200 ms (counted as lost).
    const waiting = new Map<string, () => void>();
    let n = 0;
    let lost = 0;
    await listener.listen('probe', (payload) => waiting.get(payload)?.());
    await time('NOTIFY sent until LISTEN heard it', () => new Promise<void>((resolve) => {
      const key = String(n++);
      const timer = setTimeout(() => (lost++, resolve()), 200);
      waiting.set(key, () => (clearTimeout(timer), resolve()));
      void sql`SELECT pg_notify('probe', ${key})`.execute();
    }), rows);
    if (lost > 0) console.error(`[hops] ${lost} notifications not heard within 200 ms`);
    const [pos] = await sql<{ tx: string; id: string }[]>`SELECT tx::text, id::text FROM messages WHERE id = ${last}`;
    const from = decodeCursor(`${BigInt(pos!.tx).toString(36)}-${(BigInt(pos!.id) - 1n).toString(36)}`)!;
    await time('poll: get_messages_after(), 1 new row', () =>
      sql`SELECT * FROM get_messages_after(${from.tx.toString()}::xid8, ${from.id.toString()}, 500)`, rows);
    await time('poll: attachments of the polled rows', () => attachmentsFor(sql, [last]), rows);
    rows.push(['GET /healthz on a replica (HTTP in and out, no work)', (await healthzRoundTrip(b)).toFixed(2), '']);

    const ledger = new Ledger(2);
    const stream = new SseClient(1, 'bench-01', ledger);
    await stream.open(b, await signIn(b, 'reader'));
    const writers = new Writers([a, b], [cookie], ledger);
    for (let i = 0; i < N; i++) {
      await writers.post('bench-01', cookie, 0);
      await sleep(GAP);
    }
    await sleep(500);
    const posts = ledger.posts.slice(20);
    const answered = summarize(posts.map((p) => p.doneAt - p.sentAt));
    const delivered = summarize(posts.filter((p) => p.deliveries > 0).map((p) => p.firstAt - p.sentAt));
    const after = summarize(posts.filter((p) => p.deliveries > 0).map((p) => p.firstAt - p.doneAt));
    rows.push(['whole POST, replica A (bench to answer)', answered.p50.toFixed(2), answered.p99.toFixed(2)]);
    rows.push(['POST sent to event on a stream of replica B', delivered.p50.toFixed(2), delivered.p99.toFixed(2)]);
    rows.push(['POST answered to event on replica B (can be < 0)', after.p50.toFixed(2), after.p99.toFixed(2)]);
    stream.close();
    writers.close();
  } finally {
    await listener.end({ timeout: 1 });
    await sql.end({ timeout: 1 });
    await stopReplicas(replicas);
    await db.stop();
  }
  console.log('| hop, 20 ms apart | p50 ms | p99 ms |\n| --- | --- | --- |');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

process.on('exit', killAllReplicas);
main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});
