import type { Config } from '../config.ts';
import type { Sql } from '../db/connect.ts';
import type { Logger } from '../ops/log.ts';
import type { Metrics } from '../ops/metrics.ts';
import { createOutbound } from '../outbound/guard.ts';
import type { OutboundKind } from '../outbox/outbox.ts';
import { pushTask } from './deliver.ts';
import { vapidKeys } from './keys.ts';
import { PUSH_TASK, planPushes } from './planner.ts';

/** Web Push as a kind of outbound work (Documentation/push.md). */
export function pushKind(o: { sql: Sql; config: Config; log: Logger; metrics?: Metrics }): OutboundKind {
  const outbound = createOutbound({ allow: o.config.outboundAllow, timeoutMs: 10_000 });
  return {
    name: 'push',
    planner: planPushes,
    tasks: { [PUSH_TASK]: pushTask({ sql: o.sql, outbound, vapid: vapidKeys(o.sql, o.config), log: o.log, metrics: o.metrics }) },
  };
}
