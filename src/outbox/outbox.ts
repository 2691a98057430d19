import type { Sql } from '../db/connect.ts';
import type { Logger } from '../ops/log.ts';
import type { Metrics } from '../ops/metrics.ts';
import { createDispatcher, type Dispatcher, type Planner } from './dispatcher.ts';
import { startWorkers, type TaskHandler, type Workers } from './queue.ts';
import { startStaleJobSweep } from './stale-jobs.ts';

/** One kind of outbound work (Web Push, webhooks): what it makes of the log, and how it delivers. */
export interface OutboundKind {
  name: string;
  planner: Planner;
  tasks: Record<string, TaskHandler>;
  /** Run about once an hour by one of the sweeps (for example pruning what admins see). */
  hourly?: () => Promise<void>;
}

export interface OutboxOptions {
  databaseUrl: string | null;
  sql: Sql;
  log: Logger;
  metrics?: Metrics;
  kinds: OutboundKind[];
  /** This replica's place in the log (its poller's head): when it moves, the dispatcher looks. */
  head: () => { tx: bigint; id: bigint };
  dispatchIntervalMs?: number;
  /** A job locked longer than this belongs to a worker that died: src/outbox/stale-jobs.ts. */
  staleAfterMs: number;
}

export interface Outbox {
  dispatcher: Dispatcher | null;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const WATCH_MS = 50;

/**
 * A replica's part of outbound work: its queue workers (every replica runs jobs) and its
 * dispatcher (every replica tries; one at a time holds the lock). Nothing when no kind is on.
 */
export function createOutbox(o: OutboxOptions): Outbox {
  if (o.kinds.length === 0 || !o.databaseUrl) {
    if (o.kinds.length > 0) o.log.warn('outbound work is off: no database URL for the job queue');
    return { dispatcher: null, async start() {}, async stop() {} };
  }
  const dispatcher = createDispatcher({
    sql: o.sql, log: o.log, metrics: o.metrics,
    planners: o.kinds.map((k) => k.planner),
    intervalMs: o.dispatchIntervalMs ?? 1000,
  });
  let workers: Workers | null = null;
  let watch: NodeJS.Timeout | null = null;
  let seen = '';
  let stopSweep = async () => {};
  return {
    dispatcher,
    async start() {
      workers = await startWorkers({ databaseUrl: o.databaseUrl!, log: o.log, tasks: Object.fromEntries(o.kinds.flatMap((k) => Object.entries(k.tasks))) });
      await dispatcher.start();
      const tasks = o.kinds.flatMap((k) => Object.keys(k.tasks));
      const hourly = o.kinds.flatMap((k) => (k.hourly ? [k.hourly] : []));
      stopSweep = startStaleJobSweep({ sql: o.sql, log: o.log, tasks, staleAfterMs: o.staleAfterMs, hourly: async () => { for (const h of hourly) await h(); } });
      // The poller's head is memory: watching it costs nothing, and a move means new rows to plan.
      watch = setInterval(() => {
        const h = o.head();
        const now = `${h.tx}:${h.id}`;
        if (now !== seen) {
          seen = now;
          dispatcher.wake();
        }
      }, WATCH_MS);
    },
    async stop() {
      clearInterval(watch ?? undefined);
      await stopSweep();
      await dispatcher.stop();
      await workers?.stop();
    },
  };
}
