import type { LogEvent } from './log.ts';

/** What a later event of the same key makes redundant; null for events that always go out (messages). */
function keyOf(e: LogEvent): string | null {
  if (e.kind === 'message') return null;
  if (e.messageId !== null) return `${e.kind}:${e.messageId}`;
  return `${e.kind}:${e.roomId}:${e.userId}`;
}

/**
 * A catch-up from memory, as the database's does (sql/097_catch_up_coalesce.sql): each change
 * goes out only if no later event of the backlog says the same or more: a later edit of the same
 * message (it carries the whole message), a later reaction change (it carries all its reactions),
 * its deletion, a later room, membership or read change of the same room and person.
 */
export function coalesce<T extends LogEvent>(items: T[]): T[] {
  const later = new Set<string>();
  const keep = new Array<boolean>(items.length);
  for (let i = items.length - 1; i >= 0; i--) {
    const e = items[i]!;
    const key = keyOf(e);
    if (key === null) {
      keep[i] = true;
      continue;
    }
    keep[i] = !later.has(key) && !(e.messageId !== null && later.has(`delete:${e.messageId}`));
    later.add(key);
  }
  return keep.every(Boolean) ? items : items.filter((_, i) => keep[i]);
}
