import type { Sql } from '../db/connect.ts';
import type { Logger } from '../ops/log.ts';

export const CHANNEL = 'chat_messages';

export interface Notifier {
  /** Tells every replica (this one too) to poll now. Fire and forget. */
  hint(): void;
}

/**
 * The wake-up hint after a post has committed. At most one NOTIFY is in flight per replica; posts
 * that commit meanwhile are covered by one more, sent when it returns. A lost hint costs latency,
 * never a message: the interval poll still finds the row.
 */
export function createNotifier(sql: Sql, enabled: boolean, log: Logger): Notifier {
  let inFlight = false;
  let pending = false;
  const send = (): void => {
    inFlight = true;
    pending = false;
    sql`SELECT pg_notify(${CHANNEL}, '')`
      .catch((err: Error) => log.debug('notify failed', { error: err.message }))
      .finally(() => {
        inFlight = false;
        if (pending) send();
      });
  };
  return {
    hint() {
      if (!enabled) return;
      if (inFlight) pending = true;
      else send();
    },
  };
}
