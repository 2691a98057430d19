// What presence costs the database (issue 11, must-show 5): 100 people with 200 streams open on
// two replicas, at the default heartbeat, for a minute; then every person switches rooms once.
// Prints rows written, statements and WAL per online person per minute, and the polls per second
// per replica with and without them. Run: npx tsx bench/presence.ts [seconds=60] [people=100]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from '../src/db/connect.ts';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
import { devMetrics, spawnReplica } from '../src/dev/cluster.ts';
import { readEvents } from '../src/sync/event-parser.ts';
import { signIn } from '../test/support/client.ts';

const SECONDS = Number(process.argv[2] ?? 60);
const PEOPLE = Number(process.argv[3] ?? 100);
const ROOMS = ['general', 'help', 'ops'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const dir = mkdtempSync(path.join(tmpdir(), 'chat-presence-'));
const pg = await startEmbeddedPostgres({ dataDir: dir });
const sql = connect(pg.url, { max: 1 });
await migrate(sql);
const env = {
  DATABASE_URL: pg.url, LOG_LEVEL: 'warn', REGISTRATION: 'open', REGISTRATION_CHALLENGE: 'off', RATE_LIMIT_REGISTER: 'off',
  RATE_LIMIT_SIGNIN_ADDRESS: 'off', STREAM_LIMIT_ADDRESS: 'off', ...(process.env.PRESENCE_INTERVAL_MS ? { PRESENCE_INTERVAL_MS: process.env.PRESENCE_INTERVAL_MS } : {}),
};
const replicas = await Promise.all(['pa', 'pb'].map((n) => spawnReplica(`presence-${n}`, env)));
await Promise.all(replicas.map((r) => r.ready()));

interface Counters { rows: number; ins: number; upd: number; del: number; other: number; commits: number; wal: number; fpi: number; vacuums: number; polls: number[]; events: number }
let events = 0;
async function counters(): Promise<Counters> {
  const [t] = await sql<{ ins: string; upd: string; del: string; other: string }[]>`
    SELECT sum(n_tup_ins) FILTER (WHERE mine) AS ins, sum(n_tup_upd) FILTER (WHERE mine) AS upd, sum(n_tup_del) FILTER (WHERE mine) AS del,
           sum(n_tup_ins + n_tup_upd + n_tup_del) FILTER (WHERE NOT mine) AS other
    FROM (SELECT *, relname IN ('presence', 'presence_replicas') AS mine FROM pg_stat_user_tables) t`;
  const [d] = await sql<{ commits: string; wal: string; fpi: string; vacuums: string }[]>`
    SELECT xact_commit AS commits, pg_current_wal_lsn() - '0/0'::pg_lsn AS wal, (SELECT wal_fpi FROM pg_stat_wal) AS fpi,
           (SELECT sum(autovacuum_count + autoanalyze_count) FROM pg_stat_all_tables) AS vacuums
    FROM pg_stat_database WHERE datname = current_database()`;
  const polls = await Promise.all(replicas.map(async (r) =>
    Number(/chat_polls_total\{[^}]*\} (\d+)/.exec(await devMetrics(r.url))?.[1] ?? 0)));
  const ins = Number(t!.ins), upd = Number(t!.upd), del = Number(t!.del);
  return { rows: ins + upd + del, ins, upd, del, other: Number(t!.other), commits: Number(d!.commits), wal: Number(d!.wal), fpi: Number(d!.fpi), vacuums: Number(d!.vacuums), polls, events };
}
// Table statistics reach pg_stat_user_tables when a backend goes idle, up to 10 s late: measure
// whole windows much longer than that, in the steady state.
async function window(label: string, seconds: number, during?: () => Promise<void>) {
  const a = await counters();
  const started = performance.now();
  await during?.();
  await sleep(seconds * 1000 - (performance.now() - started));
  const b = await counters();
  const secs = (performance.now() - started) / 1000;
  const perMin = (n: number) => ((n * 60) / secs / PEOPLE).toFixed(2);
  console.log(`| ${label} | ${secs.toFixed(0)} s | ${perMin(b.rows - a.rows)} (ins ${b.ins - a.ins}, upd ${b.upd - a.upd}, del ${b.del - a.del}) | ${b.other - a.other} | ${((b.commits - a.commits) / secs).toFixed(1)} | ${perMin((b.wal - a.wal) / 1024)} KiB (${b.fpi - a.fpi} full pages; ${b.vacuums - a.vacuums} autovacuum or analyze runs) | ${b.polls.map((p, i) => ((p - a.polls[i]!) / secs).toFixed(1)).join(' / ')} | ${b.events - a.events} |`);
}

const cookies: string[] = [];
for (let i = 0; i < PEOPLE; i++) cookies.push(await signIn(replicas[i % 2]!.url, `p${i}`));
console.log(`| window | length | rows written per online person per minute (presence tables) | rows written, other tables | commits/s (whole database) | WAL per person per minute | polls/s, replica A / B | presence events received |`);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
await window('no streams open', Math.min(SECONDS, 20));

// Each person: a room stream on A, and the page's every-room stream (naming a room) on B.
const streams: AbortController[][] = [];
function open(i: number, room: string): AbortController[] {
  return [`${replicas[0]!.url}/rooms/${room}/events`, `${replicas[1]!.url}/events?room=${room}`].map((url) => {
    const ctrl = new AbortController();
    void fetch(url, { headers: { cookie: cookies[i]! }, signal: ctrl.signal }).then(async (res) => {
      for await (const e of readEvents(res.body!)) if (e.event === 'presence') events++;
    }).catch(() => {});
    return ctrl;
  });
}
for (let i = 0; i < PEOPLE; i++) streams.push(open(i, ROOMS[i % ROOMS.length]!));
await sleep(12_000);
const count = async () => (await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM presence`)[0]!.n;
console.log(`(presence rows once open: ${await count()})`);
await window(`${PEOPLE} people, ${2 * PEOPLE} streams, nobody moves`, SECONDS);
await window(`every person switches room once`, SECONDS, async () => {
  for (let i = 0; i < PEOPLE; i++) {
    for (const c of streams[i]!) c.abort();
    streams[i] = open(i, ROOMS[(i + 1) % ROOMS.length]!);
    await sleep(20);
  }
});
console.log(`\npresence rows at the end: ${await count()} (${PEOPLE} people x 2 replicas); heartbeat ${env.PRESENCE_INTERVAL_MS ?? 'default'} ms`);
for (const r of replicas) for (const l of r.logs.filter((x) => x.includes('presence'))) console.log(r.name, l);

for (const s of streams.flat()) s.abort();
for (const r of replicas) r.kill('SIGTERM');
await Promise.all(replicas.map((r) => r.exited));

// One heartbeat statement alone, with the people above unchanged: its WAL, just after a checkpoint
// (full-page images) and in the steady state. The windows above also hold autovacuum's WAL.
const ids = (await sql<{ id: string }[]>`SELECT id::text FROM users ORDER BY id`).map((r) => r.id);
const rooms = (await sql<{ id: number }[]>`SELECT id FROM rooms ORDER BY id LIMIT 3`).map((r) => r.id);
const beat = () => sql`SELECT * FROM presence_beat('probe', 12500, ${ids}::bigint[], ${ids.map((_, i) => rooms[i % 3]!)}::int[])`;
const lsn = async () => Number((await sql<{ n: string }[]>`SELECT pg_current_wal_lsn() - '0/0'::pg_lsn AS n`)[0]!.n);
await beat();
await sql`CHECKPOINT`;
for (const label of ['first 10 after a checkpoint', 'next 10', 'next 10']) {
  const l0 = await lsn();
  for (let i = 0; i < 10; i++) await beat();
  console.log(`WAL per heartbeat statement with ${ids.length} unchanged pairs, ${label}: ${(((await lsn()) - l0) / 10).toFixed(0)} bytes`);
}
await sql.end();
await pg.stop();
rmSync(dir, { recursive: true, force: true });
