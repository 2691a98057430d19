import { onConnectionClosed, type Sql } from './connect.ts';
import type { Logger } from '../ops/log.ts';

export interface PoolWarmerOptions {
  sql: Sql;
  /** Runs the statements traffic needs first on a connection new to the pool, so they are planned and its caches filled. */
  prepare: (conn: Sql) => Promise<void>;
  intervalMs: number;
  /** True while the database is not answering (the poller's failures): a round then waits for the next tick. */
  paused?: () => boolean;
  /** How long a round may take (busy connections, a slow database) before it gives up until the next one. */
  waitMs?: number;
  log: Logger;
}

export interface PoolWarmer {
  /** One round: a transaction on every connection of the pool (opening those not open) that prepares the new ones. True when it reached them all. */
  warm(): Promise<boolean>;
  /** A round every intervalMs after a connection closed (renewed, ended, lost): its replacement is opened and prepared before traffic meets it. */
  start(): void;
  stop(): Promise<void>;
  /** True once a round has reached and prepared the whole pool. */
  readonly ready: boolean;
}

const sleep = (ms: number) => new Promise<null>((r) => setTimeout(r, ms, null));

/**
 * Keeps a replica's pool open and warm (issue 25): a fresh connection costs about 18 ms to open,
 * and its first poll and post each took 10-20 ms more while caches filled and plans were made;
 * a burst that meets a cold pool queues behind that. A backend is known by its pid and its
 * server's start time, so one renewed (max_lifetime) or on a new primary is prepared again.
 */
export function createPoolWarmer(o: PoolWarmerOptions): PoolWarmer {
  const size = o.sql.options.max;
  const waitMs = o.waitMs ?? 5000;
  let prepared = new Set<string>();
  let ready = false;
  let timer: NodeJS.Timeout | null = null;
  let round: Promise<unknown> = Promise.resolve();
  // Idle connections stay open (src/db/connect.ts), so a steady pool needs no round at all.
  let changed = true;
  let unsubscribe = () => {};

  async function warm(): Promise<boolean> {
    // One short transaction per connection, all begun in one go: the driver gives each its own
    // connection (idle ones, then new ones, then busy ones after their queries), and holds it
    // for the transaction. Not reserve(): a reserved connection the server closes is handed back
    // to the pool as if open, and its next queries hang; a transaction fails with it instead.
    changed = false;
    const rounds = Array.from({ length: size }, () => o.sql.begin(async (tx) => {
      const [b] = await tx<{ backend: string }[]>`SELECT pg_backend_pid() || '@' || pg_postmaster_start_time() AS backend`;
      if (!prepared.has(b!.backend)) await o.prepare(tx as unknown as Sql);
      return b!.backend;
    }));
    const got = await Promise.race([Promise.allSettled(rounds), sleep(waitMs)]);
    if (got === null) {
      changed = true;
      return false;
    }
    const seen = new Set(got.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])));
    for (const b of seen) prepared.add(b);
    // Backends no longer seen are forgotten: the set stays the size of the pool.
    if (seen.size === size) prepared = seen;
    const failed = got.find((r) => r.status === 'rejected');
    if (failed || seen.size < size) changed = true;
    if (failed) throw failed.reason;
    if (seen.size === size) ready = true;
    return seen.size === size;
  }

  const tick = () => {
    // Ten transactions that can only fail would add to the driver's reconnect backoff, which posts share.
    if (o.paused?.() || !changed) {
      timer = setTimeout(tick, o.intervalMs);
      return;
    }
    round = warm().catch((err: Error) => o.log.warn('could not warm the database pool', { error: err.message })).finally(() => {
      if (timer) timer = setTimeout(tick, o.intervalMs);
    });
  };

  return {
    warm,
    start() {
      unsubscribe = onConnectionClosed(o.sql, () => void (changed = true));
      timer = setTimeout(tick, o.intervalMs);
    },
    async stop() {
      unsubscribe();
      if (timer) clearTimeout(timer);
      timer = null;
      await round;
    },
    get ready() {
      return ready;
    },
  };
}
