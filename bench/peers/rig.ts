import { BENCH_ROOMS, type Database } from '../cluster.ts';
import { closeClients, sleep } from '../clients.ts';
import { Ledger } from '../ledger.ts';
import type { Rig, Settings } from '../rig-types.ts';
import { PeerReader } from './client.ts';
import { PeerWriters } from './writers.ts';
import { startPeer } from './setup.ts';

export const READER_TOKEN = 'peer-reader';

/** Tokens of the peer's sessions (checked by the peer once per socket), made as the chat's writers register. */
export async function peerTokens(db: Database, writers: number): Promise<string[]> {
  const tokens = Array.from({ length: writers }, (_, i) => `peer-writer-${i + 1}`);
  for (const t of [...tokens, READER_TOKEN]) {
    await db.sql`INSERT INTO peer_sessions (token, name) VALUES (${t}, ${t.replace('peer-', '')}) ON CONFLICT DO NOTHING`;
  }
  return tokens;
}

/** Reader i reads room i mod rooms on node (i div rooms) mod nodes, as the chat's streams do. */
export async function openPeerReaders(
  count: number, rooms: string[], bases: string[], ledger: Ledger, parallel = 200, failover?: (i: number) => string[],
): Promise<PeerReader[]> {
  const readers = Array.from({ length: count }, (_, i) =>
    new PeerReader(Math.floor(i / rooms.length) % bases.length, rooms[i % rooms.length]!, ledger, failover?.(i) ?? []));
  for (let i = 0; i < readers.length; i += parallel) {
    await Promise.all(readers.slice(i, i + parallel).map((r) => r.open(bases[r.replica]!, READER_TOKEN)));
  }
  return readers;
}

/** The peer's side of a scenario: nodes, Redis, signed-in writers and readers, torn down by close(). */
export async function startPeerRig(db: Database, s: Settings, log: (m: string) => void): Promise<Rig> {
  const kind = s.peer ?? 'redis';
  const cluster = await startPeer(db, s.replicas, kind);
  const bases = cluster.nodes.map((n) => n.url);
  const ledger = new Ledger(s.replicas);
  let writers: PeerWriters | null = null;
  let clients: PeerReader[] = [];
  const close = async () => {
    closeClients(clients);
    writers?.close();
    await cluster.stop();
  };
  try {
    writers = await PeerWriters.connect(bases, await peerTokens(db, s.writers ?? 12), ledger);
    const rooms = BENCH_ROOMS.slice(0, s.rooms);
    const t0 = performance.now();
    clients = await openPeerReaders(s.clients, rooms, bases, ledger);
    log(`peer (${kind}): ${s.replicas} Socket.IO node(s) + Redis, ${clients.length} sockets open in ${Math.round(performance.now() - t0)} ms`);
    await sleep(300);
    return {
      bases, pids: [...cluster.nodes.map((n) => n.proc.pid!), cluster.redisPid], rooms, ledger, writers, clients,
      kill: (i) => cluster.nodes[i]!.proc.kill('SIGKILL'), close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
