import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.ts';
import { HttpError } from '../errors.ts';

interface Line { running: number; waiting: Array<() => void> }

/**
 * One upload at a time per person on this replica; the next ones wait their turn (up to
 * `waiting`, as many as one post may carry), then 429. A person's uploads are bytes to receive,
 * hash and store: four at once kept both cores busy and a bystander's sign-in waited three times
 * its idle time (issue 19); one at a time leaves the other core to everyone else.
 */
export function uploadLine(o: { running?: number; waiting?: number } = {}): MiddlewareHandler<AppEnv> {
  const most = o.running ?? 1;
  const queue = o.waiting ?? 10;
  const lines = new Map<string, Line>();
  return async (c, next) => {
    const who = c.get('user')!.id;
    const line = lines.get(who) ?? { running: 0, waiting: [] };
    lines.set(who, line);
    if (line.running >= most) {
      if (line.waiting.length >= queue) throw new HttpError(429, `You are sending ${most + queue} files at once: wait for some to finish.`, { 'Retry-After': '1' });
      await new Promise<void>((go) => line.waiting.push(go));
    } else {
      line.running++;
    }
    try {
      await next();
    } finally {
      const following = line.waiting.shift();
      if (following) following();
      else if (--line.running === 0) lines.delete(who);
    }
  };
}
