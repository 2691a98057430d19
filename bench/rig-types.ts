import type { Reader } from './clients.ts';
import type { Ledger } from './ledger.ts';
import type { Summary, Window } from './stats.ts';
import type { Writers } from './writers.ts';

// The shapes shared by the chat's rig (rig.ts) and the peer's (peers/rig.ts), kept apart so neither imports the other.

/**
 * The peers the bench compares with (bench/peers/): Socket.IO with the Redis adapter (issue 15), and
 * Socket.IO with the Redis streams adapter and connection-state recovery (issue 25).
 */
export type PeerKind = 'redis' | 'streams';

export interface Settings {
  replicas: number;
  clients: number;
  rooms: number;
  notify: boolean;
  pollIntervalMs: number;
  writers?: number;
  cpuProfDir?: string;
  /** Run this peer (bench/peers/) instead of the chat. */
  peer?: PeerKind;
}

/** One scenario's set-up: replicas, signed-in writers and open streams, all torn down by close(). */
export interface Rig {
  bases: string[];
  pids: number[];
  rooms: string[];
  ledger: Ledger;
  writers: Writers;
  clients: Reader[];
  /** SIGKILL for one replica (or peer node). */
  kill(i: number): void;
  close(): Promise<void>;
}

/** One line of the results table. */
export interface Row {
  scenario: string;
  /** A row of this peer, not of the chat. */
  peer?: PeerKind;
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

/** CPU milliseconds per accepted post over the window: all replicas (or peer nodes and Redis) together, and PostgreSQL. */
export function cpuPerPost(r: Row): { replicas: number; pg: number } {
  const per = (pct: number) => (r.accepted > 0 ? ((pct / 100) * r.window.ms) / r.accepted : NaN);
  return { replicas: per(r.window.cpu.reduce((a, b) => a + b, 0)), pg: per(r.window.pgCpu) };
}
