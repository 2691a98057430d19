import type { Sql } from '../db/connect.ts';
import type { Logger } from '../ops/log.ts';

export const CHANNEL = 'chat_messages';

/** The least time between two hints from one replica (issue 25, Documentation/performance.md). */
export const HINT_SPACING_MS = 10;

export interface Notifier {
  /** Tells every replica (this one too) to poll now. Fire and forget. */
  hint(): void;
}

/**
 * The wake-up hint after a post has committed. At most one NOTIFY is in flight per replica, and
 * one starts at least `spacingMs` after the last: posts that commit meanwhile are covered by one
 * more, sent then. A lone post's hint goes at once; under load a replica sends about 100 a second
 * instead of one per post, each a transaction that wakes every replica's listener, while the
 * pollers batch their reads anyway (src/sync/wake-gap.ts). A lost hint costs latency, never a
 * message: the interval poll still finds the row.
 */
export function createNotifier(sql: Sql, enabled: boolean, log: Logger, spacingMs = HINT_SPACING_MS): Notifier {
  let inFlight = false;
  let pending = false;
  let timer: NodeJS.Timeout | null = null;
  let last = -Infinity;
  const send = (): void => {
    timer = null;
    inFlight = true;
    pending = false;
    last = performance.now();
    sql`SELECT pg_notify(${CHANNEL}, '')`
      .catch((err: Error) => log.debug('notify failed', { error: err.message }))
      .finally(() => {
        inFlight = false;
        if (pending) later();
      });
  };
  const later = (): void => {
    const wait = last + spacingMs - performance.now();
    if (wait <= 0) return send();
    pending = true;
    // A hint due after the replica stops is dropped with it (the interval poll covers the post).
    timer = setTimeout(send, wait);
    timer.unref();
  };
  return {
    hint() {
      if (!enabled) return;
      if (inFlight || timer) pending = true;
      else later();
    },
  };
}
