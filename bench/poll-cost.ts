// Measures what the poll interval costs an idle database: PostgreSQL CPU and commits per second
// for one replica at several intervals. Run: npx tsx bench/poll-cost.ts
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from '../src/db/connect.ts';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
import { devMetrics, spawnReplica } from '../src/dev/cluster.ts';

const TICKS = 100; // USER_HZ on Linux
const dir = mkdtempSync(path.join(tmpdir(), 'chat-pollcost-'));
const pg = await startEmbeddedPostgres({ dataDir: dir });
const sql = connect(pg.url, { max: 1 });
await migrate(sql);

// The postmaster's own time, what its exited backends left it (cutime, cstime) and its live backends.
function postgresCpuSeconds(): number {
  const stat = (pid: string) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  const master = pids.find((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(dir);
    } catch {
      return false;
    }
  })!;
  const m = stat(master);
  let ticks = Number(m[11]) + Number(m[12]) + Number(m[13]) + Number(m[14]);
  for (const pid of pids) {
    try {
      const f = stat(pid);
      if (f[1] === master) ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // the process ended while we looked
    }
  }
  return ticks / TICKS;
}
const commits = async () => Number((await sql<{ n: string }[]>`SELECT xact_commit AS n FROM pg_stat_database WHERE datname = current_database()`)[0]!.n);

console.log('| interval | polls/s (one replica) | database commits/s | PostgreSQL CPU (% of one core) |');
console.log('| --- | --- | --- | --- |');
for (const interval of [25, 50, 100, 250, 1000]) {
  const r = await spawnReplica(`cost-${interval}`, { DATABASE_URL: pg.url, POLL_INTERVAL_MS: String(interval), LOG_LEVEL: 'warn' });
  await r.ready();
  await new Promise((ok) => setTimeout(ok, 2000));
  const [c0, cpu0, t0] = [await commits(), postgresCpuSeconds(), performance.now()];
  await new Promise((ok) => setTimeout(ok, 10_000));
  const [c1, cpu1, t1] = [await commits(), postgresCpuSeconds(), performance.now()];
  const secs = (t1 - t0) / 1000;
  const polls = Number(/chat_polls_total\{[^}]*\} (\d+)/.exec(await devMetrics(r.url))![1]);
  console.log(`| ${interval} ms | ${(polls / ((t1 - t0) / 1000 + 2)).toFixed(1)} | ${((c1 - c0) / secs).toFixed(1)} | ${((100 * (cpu1 - cpu0)) / secs).toFixed(2)} % |`);
  r.kill('SIGTERM');
  await r.exited;
}
await sql.end();
await pg.stop();
rmSync(dir, { recursive: true, force: true });
