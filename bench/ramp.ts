import { sleep } from './clients.ts';
import type { Post } from './ledger.ts';
import type { Database } from './cluster.ts';
import type { Row, Settings } from './rig-types.ts';
import { startRig } from './rig.ts';
import { finish } from './scenarios.ts';
import { startWindow, summarize, type Summary } from './stats.ts';

export interface Step { offered: number; acceptedPerSec: number; latency: Summary; pending: number; skipped: number }

export interface RampOptions extends Settings { start: number; factor: number; stepS: number; maxSteps: number; limitMs: number }

export interface RampResult { row: Row; steps: Step[] }

/**
 * (d) Raises the posting rate step by step until p99 passes the limit, the replicas stop keeping up
 * (posts pile up unanswered) or the steps run out. Posts still undelivered count with their age.
 */
export async function ramp(db: Database, o: RampOptions, log: (m: string) => void): Promise<RampResult> {
  const rig = await startRig(db, o, log);
  const steps: Step[] = [];
  try {
    await rig.writers.steady(o.start, 1, rig.rooms);
    await sleep(500);
    const from = performance.now();
    const end = await startWindow(rig.bases, rig.pids, db.sql, db.pidFile);
    const expected = expectation(rig.clients, o.replicas);
    // Steps follow each other without a pause; a step is judged once the next one has run.
    const judge = (t0: number, t1: number, rate: number, skipped: number): Step => {
      const now = performance.now();
      const mine = rig.ledger.posts.filter((p) => p.sentAt >= t0 && p.sentAt < t1);
      const answered = rig.ledger.posts.filter((p) => p.status === 201 && p.doneAt >= t0 && p.doneAt < t1).length;
      const latencies = rig.ledger.samples.filter((x) => x.sentAt >= t0 && x.sentAt < t1).map((x) => x.latency);
      // A post not yet everywhere has waited at least its age: count that as its latency.
      for (const p of mine) {
        const missing = p.status === 201 || p.status === 0 ? Math.max(0, expected(p) - p.deliveries) : 0;
        for (let k = 0; k < missing; k++) latencies.push(now - p.sentAt);
      }
      const step = { offered: rate, acceptedPerSec: answered / ((t1 - t0) / 1000), latency: summarize(latencies), pending: rig.ledger.pending, skipped };
      log(`  ramp ${rate} msg/s: accepted ${step.acceptedPerSec.toFixed(0)}/s, p50 ${step.latency.p50.toFixed(1)} ms, ` +
        `p99 ${step.latency.p99.toFixed(1)} ms, in flight ${step.pending}${skipped ? `, ${skipped} sends skipped` : ''}`);
      return step;
    };
    let rate = o.start;
    let previous: { t0: number; t1: number; rate: number; skipped: number } | null = null;
    for (let i = 0; i < o.maxSteps; i++) {
      const t0 = performance.now();
      const { skipped } = await rig.writers.steady(rate, o.stepS, rig.rooms);
      const current = { t0, t1: performance.now(), rate, skipped };
      if (previous) {
        const step = judge(previous.t0, previous.t1, previous.rate, previous.skipped);
        steps.push(step);
        if (step.latency.p99 > o.limitMs || step.skipped > 0) {
          previous = current;
          break;
        }
      }
      previous = current;
      rate = Math.round(rate * o.factor);
    }
    if (previous) {
      await sleep(o.limitMs + 200);
      steps.push(judge(previous.t0, previous.t1, previous.rate, previous.skipped));
    }
    const window = await end();
    const row = await finish(rig, { ...o, scenario: 'd', offered: `ramp ${o.start}..${steps.at(-1)?.offered ?? rate}` }, from, window);
    const ok = steps.filter((s) => s.latency.p99 <= o.limitMs);
    row.extra['max accepted msg/s with p99 <= 1 s'] = Math.round(Math.max(0, ...ok.map((s) => s.acceptedPerSec)));
    row.extra['peak accepted msg/s (any step)'] = Math.round(Math.max(0, ...steps.map((s) => s.acceptedPerSec)));
    row.extra['steps'] = steps.length;
    return { row, steps };
  } finally {
    await rig.close();
  }
}

/** For a post: how many streams should get it and count for latency (those on other replicas). */
function expectation(clients: { replica: number; room: string }[], replicas: number): (p: Post) => number {
  const holders = new Map<string, number[]>();
  for (const c of clients) {
    const per = holders.get(c.room) ?? new Array<number>(replicas).fill(0);
    per[c.replica]!++;
    holders.set(c.room, per);
  }
  return (p) => {
    const per = holders.get(p.room) ?? [];
    const all = per.reduce((a, b) => a + b, 0);
    return replicas > 1 ? all - (per[p.replica] ?? 0) : all;
  };
}
