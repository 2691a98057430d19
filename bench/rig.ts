import { closeClients, openClients, sleep, type Reader } from './clients.ts';
import { BENCH_ROOMS, startReplicas, stopReplicas, type Database } from './cluster.ts';
import { Ledger } from './ledger.ts';
import type { Rig, Settings } from './rig-types.ts';
import { signIn, Writers } from './writers.ts';

export async function startRig(db: Database, s: Settings, log: (m: string) => void): Promise<Rig> {
  if (s.peer) return (await import('./peers/rig.ts')).startPeerRig(db, s, log);
  const replicas = await startReplicas(db, s.replicas, s);
  const bases = replicas.map((r) => r.url);
  const ledger = new Ledger(s.replicas);
  let writers: Writers | null = null;
  let clients: Reader[] = [];
  const close = async () => {
    closeClients(clients);
    writers?.close();
    await stopReplicas(replicas);
  };
  try {
    const names = Array.from({ length: s.writers ?? 12 }, (_, i) => `writer-${i + 1}`);
    // The first account of an empty chat is its admin: register it alone, then the others together.
    const first = await signIn(bases[0]!, names[0]!);
    const cookies = [first, ...await Promise.all(names.slice(1).map((n, i) => signIn(bases[(i + 1) % bases.length]!, n)))];
    writers = new Writers(bases, cookies, ledger);
    const rooms = BENCH_ROOMS.slice(0, s.rooms);
    const t0 = performance.now();
    clients = await openClients(s.clients, rooms, bases, ledger, await signIn(bases[0]!, 'reader'));
    log(`${s.replicas} replica(s), ${clients.length} streams open in ${Math.round(performance.now() - t0)} ms`);
    await sleep(300);
    const kill = (i: number) => replicas[i]!.kill('SIGKILL');
    return { bases, pids: replicas.map((r) => r.proc.pid!), rooms, ledger, writers, clients, kill, close };
  } catch (err) {
    await close();
    throw err;
  }
}
