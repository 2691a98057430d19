import { checkDelivery, closeClients, drain, sleep, SseClient, type Reader } from './clients.ts';
import type { Database } from './cluster.ts';
import type { Row, Settings } from './rig-types.ts';
import { startRig } from './rig.ts';
import { startWindow, summarize } from './stats.ts';
import { signIn } from './writers.ts';

export interface KillOptions extends Settings { messages: number; gapMs: number; killAt: number; readers: number }

/**
 * A reader's node killed with the writer going on: the writer posts to replica 0, `readers` streams
 * read on replica 1, which gets SIGKILL after `killAt` posts; each reader reconnects to replica 2
 * (the chat with Last-Event-ID, as EventSource does; the Redis-adapter peer's sockets simply connect
 * again; the streams peer's offer their session id and last offset for connection-state recovery,
 * which the node can take up only if the killed node saved the session: it cannot).
 * Lost = accepted posts a reader never got.
 */
export async function killTest(db: Database, o: KillOptions, log: (m: string) => void): Promise<Row> {
  const rig = await startRig(db, { ...o, clients: 0 }, log);
  let readers: Reader[] = [];
  try {
    const room = rig.rooms[0]!;
    if (o.peer) {
      const { openPeerReaders } = await import('./peers/rig.ts');
      readers = await openPeerReaders(o.readers, [room], [rig.bases[1]!], rig.ledger, 200, () => [rig.bases[2]!]);
      for (const r of readers) Object.assign(r, { replica: 1 });
    } else {
      const cookie = await signIn(rig.bases[0]!, 'reader');
      const streams = Array.from({ length: o.readers }, () => new SseClient(1, room, rig.ledger, [rig.bases[2]!]));
      await Promise.all(streams.map((s) => s.open(rig.bases[1]!, cookie)));
      readers = streams;
    }
    rig.clients.push(...readers);
    await sleep(300);
    const from = performance.now();
    const end = await startWindow([rig.bases[0]!, rig.bases[2]!], [rig.pids[0]!, rig.pids[2]!], db.sql, db.pidFile);
    const posts: Promise<void>[] = [];
    for (let i = 0; i < o.messages; i++) {
      if (i === o.killAt) {
        rig.kill(1);
        log(`  killed the readers' ${o.peer ? 'node' : 'replica'} after ${i} posts`);
      }
      posts.push(rig.writers.post(room, undefined, 0));
      await sleep(o.gapMs);
    }
    await Promise.all(posts);
    const window = await end();
    await drain(readers, rig.ledger, 10_000);
    const d = checkDelivery(readers, rig.ledger);
    const accepted = rig.ledger.posts.filter((p) => p.sentAt >= from && p.status === 201).length;
    const reconnects = readers.reduce((n, r) => n + ((r as { reconnects?: number }).reconnects ?? 0), 0);
    const recovered = readers.reduce((n, r) => n + ((r as { recovered?: number }).recovered ?? 0), 0);
    return {
      scenario: 'kill', peer: o.peer, notify: o.notify, replicas: o.replicas, clients: readers.length, rooms: 1,
      offered: `${o.messages} msgs ${o.gapMs} ms apart, readers' node killed after ${o.killAt}`,
      accepted, acceptedPerSec: accepted / (window.ms / 1000), failed: o.messages - accepted,
      latency: summarize(rig.ledger.samples.filter((x) => x.sentAt >= from).map((x) => x.latency)),
      lost: d.lost, duplicates: d.duplicates, outOfOrder: d.outOfOrder, window,
      extra: {
        'readers reconnected': `${reconnects} of ${readers.length}`, 'lost per reader': +(d.lost / Math.max(1, readers.length)).toFixed(1),
        ...(o.peer === 'streams' ? { 'sessions recovered': `${recovered} of ${reconnects}` } : {}),
      },
    };
  } finally {
    closeClients(readers);
    await rig.close();
  }
}
