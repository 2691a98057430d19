import type { Sql } from '../db/connect.ts';
import type { Logger } from '../ops/log.ts';
import type { Metrics } from '../ops/metrics.ts';

/**
 * How long the oldest committed message not yet handed out has waited (an open transaction
 * anywhere holds the stream back), and this replica's connections. Read once a second by the poll
 * loop; a warning is logged when the lag first passes `warnMs`.
 */
export function createLagCheck(o: { sql: Sql; metrics: Metrics; log: Logger; warnMs: number }) {
  let lag = 0;
  return {
    lagMs: () => lag,
    async check(): Promise<void> {
      const [row] = await o.sql<{ lag_ms: number | null; active: number; idle: number }[]>`
        SELECT (SELECT extract(epoch FROM clock_timestamp() - min(created_at)) * 1000
                  FROM messages WHERE tx >= pg_snapshot_xmin(pg_current_snapshot()))::float8 AS lag_ms,
               count(*) FILTER (WHERE state <> 'idle')::int AS active,
               count(*) FILTER (WHERE state = 'idle')::int AS idle
        FROM pg_stat_activity
        WHERE application_name = current_setting('application_name') AND backend_type = 'client backend'`;
      o.metrics.set('chat_db_connections', 'Connections of this replica in use (active) or idle', row?.active ?? 0, { state: 'active' });
      o.metrics.set('chat_db_connections', 'Connections of this replica in use (active) or idle', row?.idle ?? 0, { state: 'idle' });
      const previous = lag;
      lag = Math.max(0, row?.lag_ms ?? 0);
      if (lag > o.warnMs && previous <= o.warnMs) {
        o.log.warn('sync lag: committed messages are held back by an open transaction', { lagMs: Math.round(lag) });
      }
    },
  };
}
