import type { Sql } from '../db/connect.ts';
import type { Logger } from '../ops/log.ts';
import type { Metrics } from '../ops/metrics.ts';
import { START } from './cursor.ts';
import { createLagCheck } from './lag.ts';
import { toEvent, type LogRow } from './log.ts';
import type { Hub } from './hub.ts';
import { CHANNEL } from './notify.ts';
import { attachToEvents } from '../files/link.ts';
import { wakeGap } from './wake-gap.ts';

export interface PollerOptions {
  sql: Sql;
  hub: Hub;
  intervalMs: number;
  /** Runs once at start, after the head is known and before the first poll: feed seeding. */
  onStart?: () => Promise<void>;
  /** Runs once per interval tick (not on wake-ups). */
  onTick?: () => Promise<void>;
  /** Room, membership and account changes of one poll, applied before its messages are handed out. */
  onChanges?: (changes: Change[]) => Promise<void>;
  listen: boolean;
  /**
   * The longest a wake-up waits after a poll that returned rows (POLL_WAKE_GAP_MS): the gap grows
   * with the rows the last poll returned, so under load polls batch posts instead of following
   * each one; 0 polls at every wake-up.
   */
  wakeGapMaxMs?: number;
  batchSize?: number;
  lagWarnMs?: number;
  log: Logger;
  metrics: Metrics;
}

export interface Poller {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Poll as soon as possible; many calls while a poll runs make one more poll. */
  wake(): void;
  /** Milliseconds since the last successful poll (Infinity before the first). */
  sinceLastPoll(): number;
  /** Whether the latest poll failed (the database did not answer). */
  failing(): boolean;
  /** How long the oldest committed message not yet handed out has waited, in ms. */
  lagMs(): number;
  /** Runs the poll's statement on `conn`, handing nothing out: a new pooled connection is ready for it (src/db/warm.ts). */
  prepare(conn: Sql): Promise<void>;
}

/** A room, membership, account or session change, as the stream carries it (sql/020_members.sql, sql/095_session_end.sql). */
export interface Change { kind: 'room' | 'member' | 'user' | 'session'; roomId: number | null; userId: string | null }

const POLL_BUCKETS = [0.5, 1, 2, 5, 10, 25, 50, 100, 250, 1000];

/** One loop per replica, for all rooms: database load follows replicas, not browsers. */
export function createPoller(o: PollerOptions): Poller {
  const batch = o.batchSize ?? 500;
  let running = false;
  let again = false;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let gapTimer: NodeJS.Timeout | null = null;
  let gapUntil = 0;
  const gapMaxMs = o.wakeGapMaxMs ?? 0;
  let lastOk = 0;
  const lag = createLagCheck({ sql: o.sql, metrics: o.metrics, log: o.log, warnMs: o.lagWarnMs ?? 5000 });
  let lastLagCheck = 0;
  let failures = 0;
  let tickDue = false;
  let unlisten: (() => Promise<void>) | null = null;
  let current: Promise<void> = Promise.resolve();

  const readLog = (sql: Sql, head: Hub['head']) => sql<(LogRow & { has_files: boolean })[]>`
    SELECT * FROM get_messages_after(${head.tx.toString()}::xid8, ${head.id.toString()}, ${batch})`;

  async function pollOnce(): Promise<number> {
    const started = performance.now();
    const rows = await readLog(o.sql, o.hub.head);
    if (rows.length > 0) {
      const events = rows.map(toEvent);
      // Files of new and edited messages, in one query, only when the poll says some have any
      // (sql/070_poll_files.sql; src/files/link.ts).
      const withFiles = events.filter((_, i) => rows[i]!.has_files);
      if (withFiles.length > 0) await attachToEvents(o.sql, withFiles);
      const changes: Change[] = [];
      for (const e of events) {
        if (e.kind === 'room' || e.kind === 'member' || e.kind === 'user' || e.kind === 'session') changes.push({ kind: e.kind, roomId: e.roomId, userId: e.userId });
      }
      if (changes.length > 0 && o.onChanges) await o.onChanges(changes);
      o.hub.append(await o.hub.frames(events), events.at(-1)!.position);
    }
    o.metrics.observe('chat_poll_duration_ms', 'Duration of get_messages_after() polls', performance.now() - started, POLL_BUCKETS);
    o.metrics.inc('chat_polls_total', 'Polls of get_messages_after()');
    o.metrics.inc('chat_messages_polled_total', 'Messages read by the poller', {}, rows.length);
    return rows.length;
  }

  function pollSucceeded(): void {
    lastOk = Date.now();
    if (failures > 0) o.log.info('poller recovered', { failures });
    failures = 0;
  }

  // Wake-ups that keep arriving while it polls (every post sends one) keep it in the loop, so the
  // interval's work and the freshness mark are done inside it, not after.
  async function run(): Promise<void> {
    running = true;
    try {
      do {
        again = false;
        let rows: number;
        while ((rows = await pollOnce()) === batch && !stopped) pollSucceeded();
        pollSucceeded();
        gapUntil = performance.now() + wakeGap(rows, gapMaxMs);
        if (tickDue) {
          tickDue = false;
          if (o.onTick) await o.onTick();
          if (Date.now() - lastLagCheck >= 1000) {
            lastLagCheck = Date.now();
            await lag.check();
          }
        }
      } while (again && !stopped && gapUntil <= performance.now());
    } catch (err) {
      failures++;
      if (failures === 1 || failures % 50 === 0) o.log.error('poll failed', { error: (err as Error).message, failures });
    } finally {
      running = false;
    }
    if (again && !stopped) kick(false);
  }

  function kick(tick: boolean): void {
    if (stopped) return;
    if (tick) tickDue = true;
    if (running || gapTimer) {
      again = true;
      return;
    }
    // Wake-ups in the gap after the last poll wait for it, whether they came during that poll or
    // after it: one poll at its end takes all they announced. (Hints come about 10 ms apart per
    // replica under load, src/sync/notify.ts, so most arrive between polls.) The interval's tick
    // does not wait.
    const wait = gapUntil - performance.now();
    if (!tick && wait > 0) {
      gapTimer = setTimeout(() => {
        gapTimer = null;
        kick(false);
      }, wait);
      return;
    }
    current = run();
  }

  // A fixed rate, whether or not a poll is still running: a run kept busy by wake-ups still gets
  // its tick (room refresh, lag check, freshness) through tickDue.
  function schedule(): void {
    if (stopped) return;
    // After failures, back off up to 2 s so a database outage is not hammered.
    const period = failures > 0 ? Math.min(2000, o.intervalMs * 2 ** Math.min(failures, 5)) : o.intervalMs;
    timer = setTimeout(() => {
      kick(true);
      schedule();
    }, period);
  }

  return {
    async start() {
      const [head] = await o.sql<{ tx: string; id: string }[]>`SELECT * FROM get_stream_head()`;
      o.hub.head = head ? { tx: BigInt(head.tx), id: BigInt(head.id) } : START;
      if (o.onTick) await o.onTick();
      if (o.onStart) await o.onStart();
      lastOk = Date.now();
      if (o.listen) {
        const sub = await o.sql.listen(CHANNEL, () => kick(false), () => kick(false));
        unlisten = () => sub.unlisten();
      }
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (gapTimer) clearTimeout(gapTimer);
      while (running) await current;
      await unlisten?.().catch(() => {});
    },
    wake: () => kick(false),
    sinceLastPoll: () => (lastOk === 0 ? Infinity : Date.now() - lastOk),
    failing: () => failures > 0,
    lagMs: lag.lagMs,
    async prepare(conn) {
      await readLog(conn, o.hub.head);
    },
  };
}
