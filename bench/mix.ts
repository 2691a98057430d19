import { sleep } from './clients.ts';
import { BENCH_ROOMS, startReplicas, stopReplicas, type Database } from './cluster.ts';
import { MixLedger, MixWriters, type Kind } from './mix-load.ts';
import { checkMix, MixStream } from './mix-stream.ts';
import type { Row, Settings } from './rig-types.ts';
import { startWindow, summarize } from './stats.ts';
import { signIn } from './writers.ts';

export interface MixOptions extends Settings { rate: number; durationS: number; perRoomPerReplica: number }

/**
 * Posts, edits and reactions over 3 replicas (issue 11): on every replica, `perRoomPerReplica`
 * streams of each room and as many of GET /events (every room). Each stream must get every
 * accepted event of its rooms once, in cursor order, with the same cursor as every other stream.
 */
export async function mix(db: Database, o: MixOptions, log: (m: string) => void): Promise<Row> {
  const replicas = await startReplicas(db, o.replicas, o);
  const bases = replicas.map((r) => r.url);
  const ledger = new MixLedger();
  const streams: MixStream[] = [];
  let writers: MixWriters | null = null;
  try {
    const first = await signIn(bases[0]!, 'writer-1');
    const cookies = [first, ...await Promise.all(Array.from({ length: 11 }, (_, i) => signIn(bases[(i + 1) % bases.length]!, `writer-${i + 2}`)))];
    writers = new MixWriters(bases, cookies, ledger);
    const reader = await signIn(bases[0]!, 'reader');
    const rooms = BENCH_ROOMS.slice(0, o.rooms);
    for (let r = 0; r < bases.length; r++) {
      for (const room of [...rooms, '*']) for (let k = 0; k < o.perRoomPerReplica; k++) streams.push(new MixStream(r, room, ledger));
    }
    await Promise.all(streams.map((s) => s.open(bases[s.replica]!, reader)));
    log(`${bases.length} replicas, ${streams.length} streams (room streams and GET /events on each)`);
    await sleep(300);
    await writers.run(o.rate, 1, rooms);
    await sleep(1000);
    const from = performance.now();
    const end = await startWindow(bases, replicas.map((r) => r.proc.pid!), db.sql, db.pidFile);
    const { skipped } = await writers.run(o.rate, o.durationS, rooms);
    const window = await end();
    // Wait (bounded) for the answers, then for every stream to hold every accepted event.
    const deadline = performance.now() + 10_000;
    while (ledger.pending > 0 && performance.now() < deadline) await sleep(20);
    let d = checkMix(streams, ledger);
    while (d.lost.message + d.lost.edit + d.lost.reaction > 0 && performance.now() < deadline) {
      await sleep(100);
      d = checkMix(streams, ledger);
    }
    const measured = [...ledger.ops.values()].filter((op) => op.sentAt >= from);
    const ok = measured.filter((op) => op.status >= 200 && op.status < 300);
    const samples = ledger.samples.filter((x) => x.sentAt >= from);
    const extra: Row['extra'] = {};
    for (const kind of ['message', 'edit', 'reaction'] as Kind[]) {
      const s = summarize(samples.filter((x) => x.kind === kind).map((x) => x.latency));
      const n = ok.filter((op) => op.kind === kind).length;
      extra[`${kind}: accepted, p50 / p99 ms, lost`] = `${n}, ${s.p50.toFixed(1)} / ${s.p99.toFixed(1)}, ${d.lost[kind]}`;
    }
    extra['events with another cursor on another stream'] = d.cursorMismatch;
    if (skipped > 0) extra['sends skipped (too many in flight)'] = skipped;
    if (d.ended > 0) extra['streams that ended early'] = d.ended;
    return {
      scenario: 'mix', notify: o.notify, replicas: o.replicas, clients: streams.length, rooms: o.rooms,
      offered: `${o.rate} ops (1/3 each)`, accepted: ok.length, acceptedPerSec: ok.length / (window.ms / 1000),
      failed: measured.length - ok.length, latency: summarize(samples.map((x) => x.latency)),
      lost: d.lost.message + d.lost.edit + d.lost.reaction, duplicates: d.duplicates, outOfOrder: d.outOfOrder + d.cursorMismatch,
      window, extra,
    };
  } finally {
    for (const s of streams) s.close();
    writers?.close();
    await stopReplicas(replicas);
  }
}
