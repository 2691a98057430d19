import { availableParallelism } from 'node:os';

export type Queued<T> = { ok: true; value: T } | { ok: false; retryAfterS: number };

export interface HashQueue {
  /**
   * Runs a password-hashing job for a client (its address) when a slot is free, or refuses at once
   * when too many wait.
   */
  run<T>(client: string, job: () => Promise<T>): Promise<Queued<T>>;
  readonly running: number;
  readonly waiting: number;
}

const HALF_LIFE_MS = 10_000;
const MAX_CLIENTS = 10_000;

/**
 * Password hashing for one replica: at most `concurrency` jobs at once (a core is left for the
 * event loop; scrypt runs on libuv's pool, four threads by default, so with the extra slot below
 * more than three would only queue there, out of sight) and at most
 * `maxWaiting` in line; past that a caller is told when to come back, so CPU stays bounded however
 * many sign-ins arrive. The line is not first come, first served: the next job is that of the
 * client who has used the least hashing time lately (decaying, half-life 10 s), so a few clients
 * looping on sign-in or registration wait behind each other, not in front of everyone else. And
 * one more slot is kept for a client who has hashed nothing lately (a person signing in once):
 * they need not wait for a loop's job to finish, and the line waits while theirs runs. At most
 * `concurrency` + 1 jobs ever run.
 */
export function createHashQueue(opts: { maxWaiting: number; concurrency?: number }): HashQueue {
  const concurrency = opts.concurrency ?? Math.max(1, Math.min(availableParallelism() - 1, 3));
  const line: Array<{ client: string; start: () => void }> = [];
  const usage = new Map<string, { ms: number; at: number }>();
  let running = 0;
  let express = false;
  let averageMs = 60;

  const used = (client: string, now = performance.now()) => {
    const u = usage.get(client);
    return u ? u.ms * 0.5 ** ((now - u.at) / HALF_LIFE_MS) : 0;
  };
  const charge = (client: string, ms: number) => {
    const now = performance.now();
    const total = used(client, now) + ms;
    usage.delete(client);
    usage.set(client, { ms: total, at: now });
    // Oldest-charged first: a Map keeps insertion order.
    if (usage.size > MAX_CLIENTS) usage.delete(usage.keys().next().value!);
  };
  // A slot is taken (running++) before the waiter wakes, so no newcomer slips in between. While a
  // quiet client's job runs the line waits, so that job shares the CPU with as little as may be.
  const next = () => {
    while (running < concurrency && !express && line.length > 0) {
      let best = 0;
      for (let i = 1; i < line.length; i++) if (used(line[i]!.client) < used(line[best]!.client)) best = i;
      running++;
      line.splice(best, 1)[0]!.start();
    }
  };

  return {
    get running() {
      return running + (express ? 1 : 0);
    },
    get waiting() {
      return line.length;
    },
    async run<T>(client: string, job: () => Promise<T>): Promise<Queued<T>> {
      let expressed = false;
      if (running < concurrency && line.length === 0) {
        running++;
      } else if (!express && used(client) < averageMs / 2) {
        express = expressed = true;
      } else {
        if (line.length >= opts.maxWaiting) {
          const seconds = Math.ceil(((line.length / concurrency + 1) * averageMs) / 1000);
          return { ok: false, retryAfterS: Math.max(1, seconds) };
        }
        await new Promise<void>((start) => line.push({ client, start }));
      }
      const started = performance.now();
      try {
        return { ok: true, value: await job() };
      } finally {
        const ms = performance.now() - started;
        averageMs = averageMs * 0.9 + ms * 0.1;
        charge(client, ms);
        if (expressed) express = false;
        else running--;
        next();
      }
    },
  };
}
