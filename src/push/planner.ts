import type { Job, Planner } from '../outbox/dispatcher.ts';

export const PUSH_TASK = 'push';

/**
 * New messages in the log become one push job per message and subscription that the push rules
 * pick (push_targets(), sql/085_outbox.sql). Edits, reactions and deletions push nothing.
 */
export const planPushes: Planner = async (tx, rows) => {
  const ids = rows.filter((r) => r.kind === 'message' && !r.deleted && r.messageId !== null).map((r) => r.messageId!);
  if (ids.length === 0) return [];
  const targets = await tx<{ message_id: string; subscription_id: string }[]>`
    SELECT message_id::text, subscription_id::text FROM push_targets(${ids}::bigint[])`;
  return targets.map((t): Job => ({
    task: PUSH_TASK,
    key: `push:${t.message_id}:${t.subscription_id}`,
    payload: { message: t.message_id, subscription: t.subscription_id },
  }));
};
