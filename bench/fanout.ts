import { readFileSync } from 'node:fs';
import { checkDelivery, closeClients, drain, openClients, sleep, type Reader } from './clients.ts';
import { BENCH_ROOMS, startReplicas, stopReplicas, type Database } from './cluster.ts';
import { Ledger } from './ledger.ts';
import type { PeerKind, Row } from './rig-types.ts';
import { readProc, startWindow, summarize } from './stats.ts';
import { signIn, Writers } from './writers.ts';

export interface FanoutOptions { streams: number; notify: boolean; pollIntervalMs: number; messages: number; peer?: PeerKind }

interface Side { base: string; pid: number; writers: Writers; open: (n: number) => Promise<Reader[]>; stop: () => Promise<void> }

/** One chat replica, or one node of the peer (Socket.IO + Redis), with a writer and a way to open readers. */
async function side(db: Database, o: FanoutOptions, ledger: Ledger): Promise<Side> {
  if (o.peer) {
    const { startPeer } = await import('./peers/setup.ts');
    const { openPeerReaders, peerTokens } = await import('./peers/rig.ts');
    const { PeerWriters } = await import('./peers/writers.ts');
    const cluster = await startPeer(db, 1, o.peer);
    const base = cluster.nodes[0]!.url;
    const writers = await PeerWriters.connect([base], await peerTokens(db, 1), ledger);
    return { base, pid: cluster.nodes[0]!.proc.pid!, writers, open: (n) => openPeerReaders(n, [BENCH_ROOMS[0]!], [base], ledger, 250), stop: () => cluster.stop() };
  }
  const [replica] = await startReplicas(db, 1, o);
  const base = replica!.url;
  const writers = new Writers([base], [await signIn(base, 'writer-1')], ledger);
  const reader = await signIn(base, 'reader');
  return {
    base, pid: replica!.proc.pid!, writers,
    open: (n) => openClients(n, [BENCH_ROOMS[0]!], [base], ledger, reader, 250),
    stop: () => stopReplicas([replica!]),
  };
}

/** The open-file limit of this process; the replica inherits it. */
export function openFileLimit(): number {
  const m = /Max open files\s+(\d+|unlimited)/.exec(readFileSync('/proc/self/limits', 'utf8'));
  return m?.[1] === 'unlimited' ? Infinity : Number(m?.[1] ?? 1024);
}

/**
 * (c) One replica, N idle streams in one room: memory per stream, polls with and without the
 * streams, then single messages and the time until every stream has each of them.
 */
export async function fanout(db: Database, o: FanoutOptions, log: (m: string) => void): Promise<Row> {
  const ledger = new Ledger(1);
  const { base, pid, writers, open, stop } = await side(db, o, ledger);
  let clients: Reader[] = [];
  try {
    // Warm the replica (JIT, pools) before the baseline, so the baseline is not a cold process.
    for (let i = 0; i < 3; i++) await writers.post(BENCH_ROOMS[1]!);
    await sleep(1500);
    const idle = await startWindow([base], [pid], db.sql, db.pidFile);
    await sleep(3000);
    const without = await idle();
    const rss0 = readProc(pid).rssKb;

    const t0 = performance.now();
    clients = await open(o.streams);
    const openMs = performance.now() - t0;
    log(`${clients.length} streams open in ${Math.round(openMs)} ms`);
    await sleep(2000);
    const rss1 = readProc(pid).rssKb;
    const busy = await startWindow([base], [pid], db.sql, db.pidFile);
    await sleep(3000);
    const withStreams = await busy();

    // One warm-up message, then the measured ones, each alone on the wire.
    await writers.post(BENCH_ROOMS[0]!);
    await drain(clients, ledger, 10_000);
    const from = performance.now();
    const window = await startWindow([base], [pid], db.sql, db.pidFile);
    for (let i = 0; i < o.messages; i++) {
      await writers.post(BENCH_ROOMS[0]!);
      await drain(clients, ledger, 10_000);
      await sleep(500);
    }
    const w = await window();
    const d = checkDelivery(clients, ledger);
    const measured = ledger.posts.filter((p) => p.sentAt >= from);
    const all = measured.filter((p) => p.deliveries === clients.length);
    const toAll = summarize(all.map((p) => p.lastAt - p.sentAt));
    const spread = summarize(all.map((p) => p.lastAt - p.firstAt));
    return {
      scenario: 'c', peer: o.peer, notify: o.notify, replicas: 1, clients: clients.length, rooms: 1, offered: `${o.messages} single msgs`,
      accepted: measured.filter((p) => p.status === 201).length,
      acceptedPerSec: NaN,
      failed: measured.filter((p) => p.status !== 201).length,
      latency: summarize(ledger.samples.filter((x) => x.sentAt >= from).map((x) => x.latency)),
      lost: d.lost, duplicates: d.duplicates, outOfOrder: d.outOfOrder,
      window: w,
      extra: {
        'streams open': clients.length,
        'opening them took ms': Math.round(openMs),
        'replica RSS before / after, MB': `${(rss0 / 1024).toFixed(1)} / ${(rss1 / 1024).toFixed(1)}`,
        'RSS per idle stream, KB': +((rss1 - rss0) / clients.length).toFixed(1),
        'polls/s idle, 0 streams': +without.polls.toFixed(1),
        [`polls/s idle, ${clients.length} streams`]: +withStreams.polls.toFixed(1),
        'db xact/s idle, 0 / N streams': `${without.xacts.toFixed(1)} / ${withStreams.xacts.toFixed(1)}`,
        'replica CPU % idle, 0 / N streams': `${without.cpu[0]!.toFixed(1)} / ${withStreams.cpu[0]!.toFixed(1)}`,
        'POST -> all streams, ms p50 / max': `${toAll.p50.toFixed(1)} / ${toAll.max.toFixed(1)}`,
        'first -> last stream, ms p50 / max': `${spread.p50.toFixed(1)} / ${spread.max.toFixed(1)}`,
        'fan-out max ms': +toAll.max.toFixed(1),
        'messages that reached every stream': `${all.length} of ${measured.length}`,
      },
    };
  } finally {
    closeClients(clients);
    writers.close();
    await stop();
  }
}
