/**
 * Adaptive wake-ups (Documentation/performance.md, "Wake-ups under load"): every post NOTIFYs
 * every replica, and a replica that polled at each hint polled back to back under load (322 polls
 * a second each at 1,000 msg/s), which halved the throughput against no hint at all. After a poll
 * that returned rows, the next wake-up waits a gap that grows with them: a lone post (low load) is
 * polled at once, a busy log is read in batches.
 */

/** Per row the last poll returned beyond the first. */
export const WAKE_GAP_PER_ROW_MS = 5;

/** How long a wake-up waits after a poll that returned `rows`, at most `maxMs`. */
export function wakeGap(rows: number, maxMs: number): number {
  return Math.min(maxMs, Math.max(0, rows - 1) * WAKE_GAP_PER_ROW_MS);
}
