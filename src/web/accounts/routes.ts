import { Hono } from 'hono';
import type { Context } from 'hono';
import type { User } from '../../accounts/sessions.ts';
import type { AppEnv } from '../context.ts';
import { account } from './account.ts';
import { createKit, type KitDeps } from './kit.ts';
import { registering } from './registering.ts';
import { signingIn } from './signing-in.ts';

export { safeNext } from './safe-next.ts';

/**
 * Signing in and out, registering (first run, join links, open sign-up), reset links and the
 * account page, by who may use them: `firstRun` even on an empty instance, `open` without a
 * session, `members` with one.
 */
export function accountRoutes(deps: KitDeps) {
  const kit = createKit(deps);
  const { firstRun, join } = registering(kit);
  const { members, open: resets } = account(kit);
  return {
    firstRun,
    open: new Hono<AppEnv>().route('/', signingIn(kit)).route('/', join).route('/', resets),
    members,
    /** For sign-in links (src/web/profiles/): signs the browser in as a person, as a sign-in does. */
    startSession: (c: Context, user: User) => kit.startSession(c, user),
  };
}
