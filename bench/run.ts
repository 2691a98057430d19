import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { latencySeries, renderChart } from './chart.ts';
import { killAllReplicas, startDatabase, type Database } from './cluster.ts';
import { fanout, openFileLimit } from './fanout.ts';
import { measureFloor } from './floor.ts';
import { killTest } from './kill.ts';
import { mix } from './mix.ts';
import { comparisonMarkdown, peerScenario, peerTargets, printComparison, type Pair } from './peers/compare.ts';
import { ramp } from './ramp.ts';
import { markdown, printTable, writeDoc, type Report } from './report.ts';
import type { PeerKind, Row } from './rig-types.ts';
import { burst, steady } from './scenarios.ts';
import { machineBusy } from './stats.ts';
import { judge } from './targets.ts';

// npm run bench [-- --scenario a,b,burst,burst-delay,c,d,mix,kill,peer --notify on|off|both --replicas R --clients C --rooms N
//   --rate M --duration S --poll-interval MS --cpu-prof DIR]; with no options every scenario, both ways.
const { values: v } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'a,b,burst,burst-delay,c,d,mix,peer' },
    notify: { type: 'string', default: 'both' },
    replicas: { type: 'string' },
    clients: { type: 'string' },
    rooms: { type: 'string' },
    rate: { type: 'string' },
    duration: { type: 'string' },
    'poll-interval': { type: 'string', default: '100' },
    'cpu-prof': { type: 'string' },
    // Smoke tests on a busy machine: do not wait for it to calm down (the figures are then worth little).
    'skip-quiet': { type: 'boolean', default: false },
    // The loads the peer scenario runs (a comma list of a, burst, c, d, kill): all by default.
    'peer-loads': { type: 'string' },
  },
});
const num = (raw: string | undefined, fallback: number, min: number, max: number): number => {
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`expected a number from ${min} to ${max}, got "${raw}"`);
  return n;
};
const scenarios = v.scenario.split(',').map((s) => s.trim().toLowerCase());
const KNOWN = ['a', 'b', 'c', 'd', 'burst', 'burst-delay', 'mix', 'kill', 'peer'];
for (const s of scenarios) if (!KNOWN.includes(s)) throw new Error(`unknown scenario "${s}" (${KNOWN.join(', ')})`);
const modes = v.notify === 'both' ? [true, false] : v.notify === 'on' ? [true] : v.notify === 'off' ? [false] : null;
if (!modes) throw new Error('--notify takes on, off or both');
const pollIntervalMs = num(v['poll-interval'], 100, 5, 60_000);
const base = (replicas: number, clients: number, rooms: number) => ({
  replicas: num(v.replicas, replicas, 1, 16),
  clients: num(v.clients, clients, 0, 20_000),
  rooms: num(v.rooms, rooms, 1, 20),
  pollIntervalMs,
  cpuProfDir: v['cpu-prof'],
});
const log = (m: string) => console.log(`[bench] ${m}`);
const ulimit = openFileLimit();

/** Other work on the machine skews every figure: wait (a bounded while) for it to calm down. */
async function quiet(): Promise<void> {
  if (v['skip-quiet']) return;
  for (let i = 0; i < 12; i++) {
    const busy = await machineBusy(1000);
    if (busy < 25) return;
    log(`the machine is busy with other work (${busy.toFixed(0)}% of a core); waiting`);
    await new Promise((r) => setTimeout(r, 4000));
  }
}

async function scenario(db: Database, s: string, notify: boolean, ramps: Report['ramps'], peer?: PeerKind): Promise<Row> {
  await quiet();
  log(`scenario ${s}, ${peer ? `the peer (Socket.IO + ${peer === 'streams' ? 'Redis streams + recovery' : 'Redis adapter'})` : `NOTIFY ${notify ? 'on' : 'off'}`}`);
  const duration = num(v.duration, 10, 1, 600);
  if (s === 'a') return steady(db, { ...base(3, 100, 1), notify, peer, scenario: 'a', rate: num(v.rate, 20, 1, 50_000), durationS: duration }, log);
  if (s === 'b') return steady(db, { ...base(3, 1000, 10), notify, peer, scenario: 'b', rate: num(v.rate, 200, 1, 50_000), durationS: duration }, log);
  if (s === 'burst') return burst(db, { ...base(3, 100, 1), notify, peer, total: 480, inFlightPerWriter: 4 }, log);
  // The same burst with commits finishing out of order (issue 25): PostgreSQL's commit_delay 1 ms, commit_siblings 1.
  if (s === 'burst-delay') return burst(db, { ...base(3, 100, 1), notify, peer, total: 480, inFlightPerWriter: 4, commitDelayUs: 1000, scenario: 'burst-delay' }, log);
  if (s === 'mix') return mix(db, { ...base(3, 0, 3), notify, rate: num(v.rate, 150, 1, 50_000), durationS: duration, perRoomPerReplica: 5 }, log);
  if (s === 'kill') return killTest(db, { ...base(3, 0, 1), notify, peer, messages: 100, gapMs: 20, killAt: 30, readers: 10 }, log);
  if (s === 'c') {
    let streams = num(v.clients, 10_000, 1, 20_000);
    // Each stream is a file descriptor in the bench and in the replica; both inherit this limit.
    if (streams + 500 > ulimit) {
      log(`ulimit -n is ${ulimit}: opening ${ulimit - 500} streams instead of ${streams}; raise it with "ulimit -n 20000"`);
      streams = ulimit - 500;
    }
    return fanout(db, { streams, notify, pollIntervalMs, messages: 5, peer }, log);
  }
  const r = await ramp(db, { ...base(3, 30, 3), notify, peer, start: num(v.rate, 50, 1, 50_000), factor: 1.3, stepS: 3, maxSteps: 20, limitMs: 1000 }, log);
  if (!peer) ramps.push({ notify, steps: r.steps });
  return r.row;
}

async function main(): Promise<void> {
  const started = Date.now();
  await quiet();
  const floor = await measureFloor();
  log(`machine floor: process round trip ${floor.roundTripBusyMs.toFixed(2)} ms back to back, ${floor.roundTripIdleMs.toFixed(2)} ms 20 ms apart; ` +
    `socket write ${floor.writeUs.toFixed(1)} us each`);
  const db = await startDatabase();
  const rows: Row[] = [];
  const ramps: Report['ramps'] = [];
  let pairs: Pair[] = [];
  try {
    for (const s of scenarios.filter((x) => x !== 'peer')) for (const notify of s === 'kill' ? [true] : modes!) rows.push(await scenario(db, s, notify, ramps));
    if (scenarios.includes('peer')) pairs = await peerScenario(rows, (s, peer) => scenario(db, s, true, ramps, peer), log, v['peer-loads']?.split(','));
  } finally {
    await db.stop();
  }
  const args = process.argv.slice(2);
  const report: Report = {
    command: `npm run bench${args.length ? ' -- ' + args.join(' ') : ''}`,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    rows, ramps, ulimit, floor,
    targets: [...judge(rows, pollIntervalMs), ...peerTargets(pairs)],
    comparison: comparisonMarkdown(pairs),
  };
  console.log('\n' + printTable(rows) + '\n');
  if (pairs.length > 0) console.log('This chat (NOTIFY on) against the peers, ratio this/each peer:\n' + printComparison(pairs) + '\n');
  for (const t of report.targets) console.log(`${t.met ? 'met    ' : 'NOT MET'}  ${t.name}: ${t.measured}`);
  const docUrl = new URL('../Documentation/', import.meta.url);
  writeDoc(new URL('performance.md', docUrl).pathname, markdown(report));
  if (ramps.length > 0) writeFileSync(new URL('latency.svg', docUrl), renderChart('Latency against posting rate (ramp d)', latencySeries(ramps)));
  log(`done in ${Math.round((Date.now() - started) / 1000)} s; written to Documentation/performance.md${ramps.length ? ' and latency.svg' : ''}`);
}

// The bench stops by itself: a watchdog, and no replica or PostgreSQL left behind on any exit.
const watchdog = setTimeout(() => {
  console.error('[bench] took over 30 minutes; giving up');
  process.exit(1);
}, 30 * 60_000);
watchdog.unref();
process.on('exit', killAllReplicas);
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130));

main().then(
  () => process.exit(0),
  (err) => {
    console.error('[bench] failed:', (err as Error).stack ?? err);
    process.exit(1);
  },
);
