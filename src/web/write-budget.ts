import type { MiddlewareHandler } from 'hono';
import { take } from '../accounts/limits.ts';
import type { Limit } from '../config.ts';
import type { Sql } from '../db/connect.ts';
import type { AppEnv } from './context.ts';
import { HttpError } from './errors.ts';

/**
 * One kind of write (edits, reactions, new rooms, searches) counted per person in the database, so
 * the budget holds over all replicas (issue 19: 31 edits/s, 12 reaction toggles/s, 869 rooms in 40 s
 * from one member). Past it, 429 with Retry-After. Each kind has its own setting and a default a
 * real team never meets; `off` disables it. Goes after the route's access checks (it needs the user).
 */
export function writeBudget(sql: Sql, kind: string, limit: Limit, what: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const user = c.get('user');
    if (limit !== null && user) {
      const taken = await take(sql, [{ key: `${kind}:${user.id}`, limit, what }]);
      if (!taken.ok) {
        const wait = String(taken.retryAfterS);
        throw new HttpError(429, `Too many ${what}. Try again in ${wait} s.`, { 'Retry-After': wait });
      }
    }
    return next();
  };
}
