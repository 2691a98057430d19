import { checkDelivery, drain, sleep } from './clients.ts';
import type { Database } from './cluster.ts';
import type { Rig, Row, Settings } from './rig-types.ts';
import { startRig } from './rig.ts';
import { healthzRoundTrip } from './floor.ts';
import { startWindow, summarize } from './stats.ts';

export interface SteadyOptions extends Settings {
  scenario: string;
  rate: number;
  durationS: number;
}

const WARM_UP_S = 1;
const DRAIN_MS = 10_000;

/** Fills in a row from what the rig recorded since `from` (latency) and in total (loss). */
export async function finish(rig: Rig, s: Settings & { scenario: string; offered: string }, from: number, window: Row['window']): Promise<Row> {
  await drain(rig.clients, rig.ledger, DRAIN_MS);
  const d = checkDelivery(rig.clients, rig.ledger);
  const measured = rig.ledger.posts.filter((p) => p.sentAt >= from);
  const accepted = measured.filter((p) => p.status === 201).length;
  return {
    scenario: s.scenario, peer: s.peer, notify: s.notify, replicas: s.replicas, clients: s.clients, rooms: s.rooms, offered: s.offered,
    accepted,
    acceptedPerSec: accepted / (window.ms / 1000),
    failed: measured.length - accepted,
    latency: summarize(rig.ledger.samples.filter((x) => x.sentAt >= from).map((x) => x.latency)),
    lost: d.lost,
    duplicates: d.duplicates,
    outOfOrder: d.outOfOrder,
    window,
    extra: d.ended > 0 ? { 'streams that ended early': d.ended } : {},
  };
}

/** (a) and (b): posts at a fixed rate to random rooms and replicas, after a short warm-up. */
export async function steady(db: Database, o: SteadyOptions, log: (m: string) => void): Promise<Row> {
  const rig = await startRig(db, o, log);
  try {
    await rig.writers.steady(o.rate, WARM_UP_S, rig.rooms);
    const healthz = await healthzRoundTrip(rig.bases[0]!);
    await drain(rig.clients, rig.ledger, DRAIN_MS);
    const from = performance.now();
    const end = await startWindow(rig.bases, rig.pids, db.sql, db.pidFile);
    const { skipped } = await rig.writers.steady(o.rate, o.durationS, rig.rooms);
    const window = await end();
    const row = await finish(rig, { ...o, offered: String(o.rate) }, from, window);
    if (skipped > 0) row.extra['sends skipped (too many in flight)'] = skipped;
    const answered = rig.ledger.posts.filter((p) => p.sentAt >= from && p.status === 201).map((p) => p.doneAt - p.sentAt);
    row.extra['POST answered, ms p50 / p99'] = `${summarize(answered).p50.toFixed(1)} / ${summarize(answered).p99.toFixed(1)}`;
    row.extra['GET /healthz on a replica, 20 ms apart, ms p50'] = +healthz.toFixed(2);
    return row;
  } finally {
    await rig.close();
  }
}

export interface BurstOptions extends Settings {
  total: number;
  inFlightPerWriter: number;
  /** The row's name: 'burst' unless given. */
  scenario?: string;
  /** PostgreSQL's commit_delay in µs (with commit_siblings 1) for this scenario only: commits then finish out of order. */
  commitDelayUs?: number;
}

/** Sets commit_delay and commit_siblings for the whole server while `run` runs, then puts them back. */
async function withCommitDelay<T>(db: Database, us: number, run: () => Promise<T>): Promise<T> {
  const set = async (delay: number, siblings: number) => {
    await db.sql.unsafe(`ALTER SYSTEM SET commit_delay = ${delay}`);
    await db.sql.unsafe(`ALTER SYSTEM SET commit_siblings = ${siblings}`);
    await db.sql`SELECT pg_reload_conf()`;
  };
  await set(us, 1);
  try {
    return await run();
  } finally {
    await set(0, 5);
  }
}

/** Burst: every writer keeps a few posts in flight until the total is posted, all into one room. */
export async function burst(db: Database, o: BurstOptions, log: (m: string) => void): Promise<Row> {
  if (o.commitDelayUs) return withCommitDelay(db, o.commitDelayUs, () => burst(db, { ...o, commitDelayUs: 0 }, log));
  const rig = await startRig(db, o, log);
  try {
    // Warm-up: a small burst, not counted for latency.
    await rig.writers.burst(48, rig.rooms[0]!, 1);
    await drain(rig.clients, rig.ledger, DRAIN_MS);
    await sleep(200);
    const from = performance.now();
    const end = await startWindow(rig.bases, rig.pids, db.sql, db.pidFile);
    await rig.writers.burst(o.total, rig.rooms[0]!, o.inFlightPerWriter);
    const window = await end();
    const writers = o.writers ?? 12;
    const row = await finish(rig, {
      ...o, scenario: o.scenario ?? 'burst', offered: `${o.total} msgs, ${writers}x${o.inFlightPerWriter} in flight`,
    }, from, window);
    row.extra['burst took ms'] = Math.round(window.ms);
    return row;
  } finally {
    await rig.close();
  }
}
