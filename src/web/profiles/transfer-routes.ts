import { Hono } from 'hono';
import type { Deps } from '../deps.ts';
import { currentUser, type AppEnv, type Ctx } from '../context.ts';
import { HttpError } from '../errors.ts';
import { sessionToken } from '../accounts/cookie.ts';
import { writeBudget } from '../write-budget.ts';
import type { User } from '../../accounts/sessions.ts';
import { createTransfer, transferState, useTransfer, transferOwner } from '../../profiles/transfer.ts';
import { qrSvg } from './qr.ts';

/** Sign-in links per person per hour, over all replicas. */
const LINKS_PER_HOUR = { max: 20, windowMs: 60 * 60 * 1000 };
const GONE = 'This sign-in link was used already, has expired, or was ended. Make a new one on the device that is signed in.';

export type StartSession = (c: Ctx, user: User) => Promise<void>;
export interface Transfer { url: string; qr: string }

/**
 * A sign-in link for another device (POST /api/me/transfer, or the profile page's button): one
 * use, at most 4 hours (TRANSFER_MAX_MS), void once the session that made it ends. Opening the
 * link (GET) only shows a button, so a link previewer cannot use it up; the button's POST signs in.
 */
export function transferRoutes(deps: Pick<Deps, 'sql' | 'config' | 'log'>, startSession: StartSession) {
  const { sql, config, log } = deps;
  const origin = (c: Ctx) => config.publicOrigin ?? new URL(c.req.url).origin;
  const budget = writeBudget(sql, 'transfer', LINKS_PER_HOUR, 'sign-in links');

  /** A new link of the caller's session, for the JSON answer or the profile page. */
  const make = async (c: Ctx): Promise<Transfer> => {
    const user = (await currentUser(c, sql))!;
    const token = await createTransfer(sql, user.id, sessionToken(c) ?? '', config.transferLinkMs);
    if (!token) throw new HttpError(401, 'Sign in first.');
    log.info('sign-in link made', { user: user.name });
    const url = `${origin(c)}/transfer/${token}`;
    return { url, qr: await qrSvg(url) };
  };

  const members = new Hono<AppEnv>()
    .post('/api/me/transfer', budget, async (c) => c.json({ url: (await make(c)).url }, 201));

  const page = (c: Ctx, status: number, data: { error?: string; owner?: string | null; viewer?: string | null }) =>
    c.render('transfer', { title: 'Sign in on this device', action: c.req.path, ...data }, status);
  const open = new Hono<AppEnv>()
    .get('/transfer/:token', async (c) => {
      const viewer = await currentUser(c, sql);
      const state = await transferState(sql, c.req.param('token'));
      if (state === 'unknown') throw new HttpError(404, 'There is no such sign-in link.');
      if (state !== 'live') return page(c, 410, { error: GONE });
      return page(c, 200, { owner: await transferOwner(sql, c.req.param('token')), viewer: viewer?.name ?? null });
    })
    .post('/transfer/:token', async (c) => {
      const token = c.req.param('token');
      const user = await useTransfer(sql, token);
      if (!user) {
        if ((await transferState(sql, token)) === 'unknown') throw new HttpError(404, 'There is no such sign-in link.');
        if (c.get('json')) return c.json({ error: GONE }, 410);
        return page(c, 410, { error: GONE });
      }
      await startSession(c, user);
      log.info('signed in by link', { user: user.name });
      return c.redirect('/', 303);
    });
  return { members, open, make, budget };
}
