import type { Limit } from '../config.ts';
import type { Sql } from '../db/connect.ts';

export interface Counter { key: string; limit: Limit; what: string }
type Live = Counter & { limit: NonNullable<Limit> };

export type Taken = { ok: true; keys: string[] } | { ok: false; what: string; retryAfterS: number };

export const live = (counters: Counter[]): Live[] => counters.filter((k): k is Live => k.limit !== null);
export const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/**
 * Counts one attempt against every counter, all or none, in the database (so the limits hold
 * whichever replica an attempt reaches). Returns the keys taken, to give back if the attempt
 * turns out not to count, or which counter is used up and for how long.
 */
export async function take(sql: Sql, counters: Counter[]): Promise<Taken> {
  const on = live(counters);
  if (on.length === 0) return { ok: true, keys: [] };
  const [row] = await sql<{ blocked: number; wait_ms: number }[]>`
    SELECT * FROM rate_take(${on.map((k) => k.key)}::text[], ${on.map((k) => k.limit.max)}::int[], ${on.map((k) => k.limit.windowMs)}::int[])`;
  if (row!.blocked > 0) return { ok: false, what: on[row!.blocked - 1]!.what, retryAfterS: seconds(row!.wait_ms) };
  return { ok: true, keys: on.map((k) => k.key) };
}

export async function give(sql: Sql, keys: string[]): Promise<void> {
  if (keys.length > 0) await sql`SELECT rate_give(${keys}::text[])`;
}
