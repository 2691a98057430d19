import type { Config } from '../config.ts';
import type { Sql } from '../db/connect.ts';
import type { Logger } from '../ops/log.ts';
import { forgetExpired } from './sessions.ts';

/** The longest window of the limits counted in rate_counters: a counter older than it is spent. */
export function longestWindowMs(config: Config): number {
  const limits = [config.rateLimitMessages, config.rateLimitSignin, config.rateLimitSigninName, config.rateLimitSigninAddress, config.rateLimitRegister];
  return Math.max(60_000, ...limits.map((l) => l?.windowMs ?? 0));
}

/** One sweep: ended sessions, spent rate counters, expired challenges answered and reset links. */
export async function sweep(sql: Sql, windowMs: number): Promise<void> {
  await forgetExpired(sql, windowMs);
  await sql`DELETE FROM spent_challenges WHERE expires_at < now()`;
  await sql`DELETE FROM password_resets WHERE expires_at < now()`;
}

/**
 * Sweeps on a timer, started by a replica's start() (never on import). Every replica sweeps; the
 * deletes are idempotent, and a jittered interval keeps them from all sweeping at once.
 * Returns the function that stops it, which resolves once a sweep under way has finished.
 */
export function startHousekeeping(opts: { sql: Sql; config: Config; log: Logger; intervalMs?: number }): () => Promise<void> {
  const every = opts.intervalMs ?? 5 * 60_000;
  const windowMs = longestWindowMs(opts.config);
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    try {
      await sweep(opts.sql, windowMs);
    } catch (err) {
      opts.log.warn('housekeeping failed', { error: (err as Error).message });
    }
    if (!stopped) schedule();
  };
  const schedule = () => {
    timer = setTimeout(() => void (running = tick()), every * (0.75 + Math.random() / 2));
    timer.unref();
  };
  schedule();
  return () => {
    stopped = true;
    clearTimeout(timer);
    return running;
  };
}
