import type { Sql } from '../db/connect.ts';
import type { Logger } from '../ops/log.ts';

/**
 * graphile-worker frees a job whose worker died only after 4 hours. A push or webhook job still
 * locked after `staleAfterMs` (longer than one can take: a 10 s request timeout, then one short
 * transaction) belongs to a replica that died mid-job, or hangs: unlock it, so any replica runs it
 * again now, with the same key (a webhook's X-Chat-Delivery). Only this outbox's tasks, whose
 * longest run is known. Every replica runs this; the statement is idempotent.
 */
export function startStaleJobSweep(o: { sql: Sql; log: Logger; tasks: string[]; staleAfterMs: number; everyMs?: number; hourly?: () => Promise<void> }): () => Promise<void> {
  const sweep = async () => {
    try {
      const freed = await o.sql<{ id: string }[]>`
        UPDATE graphile_worker._private_jobs j SET locked_at = NULL, locked_by = NULL
        FROM graphile_worker._private_tasks t
        WHERE t.id = j.task_id AND t.identifier = ANY (${o.tasks})
          AND j.locked_at < now() - make_interval(secs => ${o.staleAfterMs / 1000})
        RETURNING j.id::text`;
      if (freed.length > 0) o.log.warn('outbound jobs of a dead worker freed', { jobs: freed.length });
    } catch (err) {
      o.log.debug('stale job sweep failed', { error: (err as Error).message });
    }
  };
  const everyMs = o.everyMs ?? Math.min(5000, o.staleAfterMs / 4);
  let sweeps = 0;
  const housekeeping = async () => {
    if (sweeps++ % Math.round(3600_000 / everyMs) !== 0 || !o.hourly) return;
    await o.hourly().catch((err: Error) => o.log.debug('outbox housekeeping failed', { error: err.message }));
  };
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => void (running = sweep().then(housekeeping)), everyMs);
  // Stopping waits for a sweep under way, so none runs on a pool being closed.
  return () => {
    clearInterval(timer);
    return running;
  };
}
