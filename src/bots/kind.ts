import type { Sql } from '../db/connect.ts';
import type { OutboundKind } from '../outbox/outbox.ts';
import { planWebhooks, WEBHOOK_TASK } from './webhook-plan.ts';
import { webhookTask, type WebhookDeps } from './webhook-task.ts';

/** Outgoing webhooks as a kind of outbound work: planned from the log, delivered by the queue (Documentation/bots.md). */
export function botsKind(deps: WebhookDeps): OutboundKind {
  return {
    name: 'bots',
    planner: (tx, rows) => planWebhooks(tx as unknown as Sql, rows),
    tasks: { [WEBHOOK_TASK]: webhookTask(deps) },
    // The deliveries admins see are kept 30 days.
    hourly: async () => {
      await deps.sql`DELETE FROM webhook_deliveries WHERE created_at < now() - interval '30 days'`;
    },
  };
}
