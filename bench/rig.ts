import type { ReplicaProcess } from '../src/dev/cluster.ts';
import { closeClients, openClients, sleep, type SseClient } from './clients.ts';
import { BENCH_ROOMS, startReplicas, stopReplicas, type Database } from './cluster.ts';
import { Ledger } from './ledger.ts';
import type { Summary, Window } from './stats.ts';
import { signIn, Writers } from './writers.ts';

export interface Settings {
  replicas: number;
  clients: number;
  rooms: number;
  notify: boolean;
  pollIntervalMs: number;
  writers?: number;
  cpuProfDir?: string;
}

/** One scenario's set-up: replicas, signed-in writers and open streams, all torn down by close(). */
export interface Rig {
  replicas: ReplicaProcess[];
  bases: string[];
  pids: number[];
  rooms: string[];
  ledger: Ledger;
  writers: Writers;
  clients: SseClient[];
  close(): Promise<void>;
}

export async function startRig(db: Database, s: Settings, log: (m: string) => void): Promise<Rig> {
  const replicas = await startReplicas(db, s.replicas, s);
  const bases = replicas.map((r) => r.url);
  const ledger = new Ledger(s.replicas);
  let writers: Writers | null = null;
  let clients: SseClient[] = [];
  const close = async () => {
    closeClients(clients);
    writers?.close();
    await stopReplicas(replicas);
  };
  try {
    const names = Array.from({ length: s.writers ?? 12 }, (_, i) => `writer-${i + 1}`);
    const cookies = await Promise.all(names.map((n, i) => signIn(bases[i % bases.length]!, n)));
    writers = new Writers(bases, cookies, ledger);
    const rooms = BENCH_ROOMS.slice(0, s.rooms);
    const t0 = performance.now();
    clients = await openClients(s.clients, rooms, bases, ledger, await signIn(bases[0]!, 'reader'));
    log(`${s.replicas} replica(s), ${clients.length} streams open in ${Math.round(performance.now() - t0)} ms`);
    await sleep(300);
    return { replicas, bases, pids: replicas.map((r) => r.proc.pid!), rooms, ledger, writers, clients, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** One line of the results table. */
export interface Row {
  scenario: string;
  notify: boolean;
  replicas: number;
  clients: number;
  rooms: number;
  /** Offered posting rate (msg/s), or a description for bursts. */
  offered: string;
  accepted: number;
  acceptedPerSec: number;
  failed: number;
  latency: Summary;
  lost: number;
  duplicates: number;
  outOfOrder: number;
  window: Window;
  /** Scenario-specific figures, shown under the table. */
  extra: Record<string, string | number>;
}

export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
