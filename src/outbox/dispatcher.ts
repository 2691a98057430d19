import type { TransactionSql } from 'postgres';
import type { Sql } from '../db/connect.ts';
import type { Logger } from '../ops/log.ts';
import type { Metrics } from '../ops/metrics.ts';

/** One row of the log as get_messages_after() hands it out (the columns a planner may need). */
export interface LogRow {
  tx: string;
  id: string;
  kind: string;
  room: string | null;
  author: string | null;
  body: string | null;
  roomId: number | null;
  userId: string | null;
  messageId: string | null;
  deleted: boolean;
}

/** One delivery to make: a task of the queue, its payload, and the key that makes it happen once. */
export interface Job {
  task: string;
  /** Unique per piece of work and target, e.g. push:<message>:<subscription>. */
  key: string;
  payload: unknown;
  maxAttempts?: number;
}

export type Tx = TransactionSql;

/**
 * Decides what outbound work some rows of the log make. It runs inside the dispatcher's
 * transaction (read what it needs through `tx`) and must not reach outside the database: the
 * deliveries themselves are the queue's jobs.
 */
export type Planner = (tx: Tx, rows: LogRow[]) => Promise<Job[]>;

export interface DispatcherOptions {
  sql: Sql;
  planners: Planner[];
  log: Logger;
  metrics?: Metrics;
  /** Its row in outbox_cursors; one per dispatcher. */
  name?: string;
  /** A look at the log this often even when nothing wakes it. */
  intervalMs?: number;
  batch?: number;
}

export interface Dispatcher {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Something new is in the log (this replica's poll saw it): look soon. */
  wake(): void;
  /** One pass; the rows read, or null when another replica holds the dispatcher's lock. */
  dispatchOnce(): Promise<number | null>;
}

const MAX_ATTEMPTS = 12;

/**
 * The log is the outbox (DESIGN.md, "Outbound work"). One replica at a time (a transaction-scoped
 * advisory lock: released by commit, rollback, or the death of its connection) reads the log after
 * the dispatcher's stored cursor, lets the planners turn rows into jobs, adds them to the queue
 * keyed per piece of work and target (a key already queued is not added again), and moves the
 * cursor, all in one transaction. Either all of that commits or none of it: a replica killed
 * mid-way loses nothing and the next holder does the same rows again. The post path does nothing.
 */
export function createDispatcher(o: DispatcherOptions): Dispatcher {
  const name = o.name ?? 'outbox';
  const batch = o.batch ?? 500;
  let timer: NodeJS.Timeout | null = null;
  let soon: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = true;

  const dispatchOnce = async (): Promise<number | null> => {
    return o.sql.begin(async (tx) => {
      const [got] = await tx<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(hashtext('outbox_cursors'), hashtext(${name})) AS locked`;
      if (!got!.locked) return null;
      const [at] = await tx<{ tx: string; id: string }[]>`SELECT tx::text, id::text FROM outbox_cursors WHERE name = ${name}`;
      if (!at) return 0;
      const rows = await tx<LogRow[]>`
        SELECT tx::text, id::text, kind, room, author, body, room_id AS "roomId", user_id::text AS "userId",
               message_id::text AS "messageId", deleted
        FROM get_messages_after(${at.tx}::xid8, ${at.id}::bigint, ${batch})`;
      if (rows.length === 0) return 0;
      const jobs: Job[] = [];
      for (const plan of o.planners) jobs.push(...(await plan(tx, rows)));
      if (jobs.length > 0) {
        const specs = jobs.map((j) => ({ task: j.task, key: j.key, payload: j.payload ?? {}, max_attempts: j.maxAttempts ?? MAX_ATTEMPTS }));
        await tx`
          SELECT count(graphile_worker.add_job(j.task, j.payload, max_attempts => j.max_attempts, job_key => j.key, job_key_mode => 'unsafe_dedupe'))
          FROM json_to_recordset(${JSON.stringify(specs)}::text::json) AS j (task text, key text, payload json, max_attempts integer)`;
      }
      const last = rows.at(-1)!;
      await tx`UPDATE outbox_cursors SET tx = ${last.tx}::xid8, id = ${last.id}::bigint, updated_at = now() WHERE name = ${name}`;
      o.metrics?.inc('chat_outbox_jobs_total', 'Outbound jobs the dispatcher added to the queue', {}, jobs.length);
      return rows.length;
    });
  };

  // Passes one at a time; a wake-up during one makes one more after it; a full batch goes on at once.
  const pass = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          const n = await dispatchOnce();
          if (n === batch) again = true;
        } while (again && !stopped);
      } catch (err) {
        o.metrics?.inc('chat_outbox_failures_total', 'Dispatcher passes that failed (retried on the next one)');
        o.log.warn('outbox dispatch failed', { error: (err as Error).message });
      } finally {
        running = null;
      }
    })();
    return running;
  };

  return {
    dispatchOnce,
    async start() {
      stopped = false;
      // A new dispatcher starts at the head: what was posted before it existed is not sent now.
      await o.sql`
        INSERT INTO outbox_cursors (name, tx, id)
        SELECT ${name}, coalesce((SELECT tx FROM get_stream_head()), '0'::xid8), coalesce((SELECT id FROM get_stream_head()), 0)
        ON CONFLICT (name) DO NOTHING`;
      timer = setInterval(() => void pass(), o.intervalMs ?? 1000);
      void pass();
    },
    async stop() {
      stopped = true;
      clearInterval(timer ?? undefined);
      clearTimeout(soon ?? undefined);
      await running;
    },
    wake() {
      if (stopped || soon) return;
      // Coalesced: a burst of posts is one pass; another replica may hold the lock, so the
      // interval pass stays as the backstop.
      soon = setTimeout(() => {
        soon = null;
        void pass();
      }, 20);
    },
  };
}
