import type { MiddlewareHandler } from 'hono';
import type { Sql } from '../db/connect.ts';
import { hasUsers } from '../accounts/register.ts';
import type { AppEnv } from './context.ts';

/**
 * On an empty instance, sends every page to /setup, where the first person becomes the admin
 * (Campfire's first run). What an empty instance still serves as itself (the first-run page, what
 * it needs, health, static files) is mounted before this (src/web/app.ts). "Has people" is
 * remembered once true: it never goes back.
 */
export function firstRun(sql: Sql): MiddlewareHandler<AppEnv> {
  let populated = false;
  return async (c, next) => {
    if (!populated) {
      populated = await hasUsers(sql);
      if (!populated && c.req.method === 'GET' && !c.get('json')) return c.redirect('/setup', 303);
    }
    return next();
  };
}
