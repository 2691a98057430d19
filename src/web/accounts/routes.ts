import { Hono } from 'hono';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../context.ts';
import { account } from './account.ts';
import { createKit } from './kit.ts';
import { registering } from './registering.ts';
import { signingIn } from './signing-in.ts';

export { safeNext } from './safe-next.ts';

/** Signing in and out, registering (first run, join links, open sign-up), the account page. */
export function sessionRoutes(deps: Deps) {
  const kit = createKit(deps);
  return new Hono<AppEnv>().route('/', signingIn(kit)).route('/', registering(kit)).route('/', account(kit));
}
