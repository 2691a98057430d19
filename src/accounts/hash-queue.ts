import { availableParallelism } from 'node:os';

export type Queued<T> = { ok: true; value: T } | { ok: false; retryAfterS: number };

export interface HashQueue {
  /** Runs a password-hashing job when a slot is free, or refuses at once when too many wait. */
  run<T>(job: () => Promise<T>): Promise<Queued<T>>;
  readonly running: number;
  readonly waiting: number;
}

/**
 * Password hashing for one replica: at most `concurrency` jobs at once (scrypt runs on libuv's
 * pool, four threads by default, so more would only queue there, out of sight) and at most
 * `maxWaiting` in line. Past that a caller is told when to come back instead of adding CPU work:
 * the promise is bounded CPU per replica however many sign-ins and registrations arrive.
 */
export function createHashQueue(opts: { maxWaiting: number; concurrency?: number }): HashQueue {
  const concurrency = opts.concurrency ?? Math.max(1, Math.min(availableParallelism(), 4));
  const line: Array<() => void> = [];
  let running = 0;
  let averageMs = 60;

  const next = () => {
    if (running < concurrency) line.shift()?.();
  };

  return {
    get running() {
      return running;
    },
    get waiting() {
      return line.length;
    },
    async run<T>(job: () => Promise<T>): Promise<Queued<T>> {
      if (running >= concurrency) {
        if (line.length >= opts.maxWaiting) {
          const seconds = Math.ceil(((line.length / concurrency + 1) * averageMs) / 1000);
          return { ok: false, retryAfterS: Math.max(1, seconds) };
        }
        await new Promise<void>((resolve) => line.push(resolve));
      }
      running++;
      const started = performance.now();
      try {
        return { ok: true, value: await job() };
      } finally {
        averageMs = averageMs * 0.9 + (performance.now() - started) * 0.1;
        running--;
        next();
      }
    },
  };
}
