import type { MiddlewareHandler } from 'hono';
import { hasUsers } from '../accounts/register.ts';
import type { Deps } from './deps.ts';
import type { AppEnv } from './context.ts';

// What an empty instance still serves as itself: the first-run page, what it needs, and health.
const FIRST_RUN_PATHS = /^\/(setup|users|users\/challenge|healthz|readyz|metrics|public\/[^/]+)$/;

/**
 * Runs before the members-only check. It tells the cookie reader whether the site is HTTPS (then
 * only __Host- cookies count), and on an empty instance sends every page to /setup, where the
 * first person becomes the admin (Campfire's first run). "Has people" is remembered once true:
 * it never goes back.
 */
export function accountsGate(deps: Deps): MiddlewareHandler<AppEnv> {
  const httpsOrigin = deps.config.publicOrigin?.startsWith('https:') ?? false;
  let populated = false;
  return async (c, next) => {
    c.set('secureCookies', httpsOrigin || new URL(c.req.url).protocol === 'https:');
    if (!populated && !FIRST_RUN_PATHS.test(c.req.path)) {
      populated = await hasUsers(deps.sql);
      if (!populated && c.req.method === 'GET' && !c.get('json')) return c.redirect('/setup', 303);
    }
    return next();
  };
}
