import { Hono } from 'hono';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../context.ts';
import { avatarRoutes } from './avatar-routes.ts';
import { profilePages } from './profile-page.ts';
import { transferRoutes, type StartSession } from './transfer-routes.ts';

/**
 * Profiles, avatars and sign-in links for another device (Documentation/profiles.md), by who may
 * use them: `open` without a session (avatars, opening and using a sign-in link), `members` with one.
 */
export function profileRoutes(deps: Pick<Deps, 'sql' | 'config' | 'log'>, startSession: StartSession) {
  const avatars = avatarRoutes(deps);
  const transfer = transferRoutes(deps, startSession);
  return {
    open: new Hono<AppEnv>().route('/', avatars.open).route('/', transfer.open),
    members: new Hono<AppEnv>()
      .use('/profile/transfer', transfer.budget)
      .route('/', avatars.members)
      .route('/', transfer.members)
      .route('/', profilePages(deps, transfer.make)),
  };
}
