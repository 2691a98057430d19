import type { Sql } from '../db/connect.ts';
import type { Logger } from '../ops/log.ts';
import { WEBHOOK_TASK } from './webhook-plan.ts';

/** Longer than a delivery can take (a 10 s timeout, then one short transaction). */
export const STALE_AFTER_S = 30;

/**
 * graphile-worker frees a job whose worker died only after 4 hours. A webhook job still locked
 * after STALE_AFTER_S belongs to a replica that died mid-delivery (or hangs): unlock it, so any
 * replica runs it again now, with the same delivery id. Only webhook jobs: nothing else's timing
 * is known here. Every replica runs this; the statement is idempotent.
 */
export function startStaleJobSweep(o: { sql: Sql; log: Logger; everyMs?: number }): () => void {
  const sweep = async () => {
    try {
      const freed = await o.sql<{ id: string }[]>`
        UPDATE graphile_worker._private_jobs j SET locked_at = NULL, locked_by = NULL
        FROM graphile_worker._private_tasks t
        WHERE t.id = j.task_id AND t.identifier = ${WEBHOOK_TASK}
          AND j.locked_at < now() - make_interval(secs => ${STALE_AFTER_S})
        RETURNING j.id::text`;
      if (freed.length > 0) o.log.warn('webhook jobs of a dead worker freed', { jobs: freed.length });
    } catch (err) {
      o.log.debug('stale job sweep failed', { error: (err as Error).message });
    }
  };
  // The deliveries admins see are kept 30 days; pruned about once an hour (any replica may).
  let sweeps = 0;
  const prune = async () => {
    if (sweeps++ % 720 !== 0) return;
    await o.sql`DELETE FROM webhook_deliveries WHERE created_at < now() - interval '30 days'`.catch((err: Error) => o.log.debug('delivery pruning failed', { error: err.message }));
  };
  const timer = setInterval(() => void sweep().then(prune), o.everyMs ?? 5000);
  return () => clearInterval(timer);
}
