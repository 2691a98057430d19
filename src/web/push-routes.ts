import { Hono } from 'hono';
import type { Deps } from './deps.ts';
import type { AppEnv, Ctx } from './context.ts';
import { HttpError } from './errors.ts';
import { readInput } from './input.ts';
import { createOutbound } from '../outbound/guard.ts';
import { sessionToken } from './accounts/cookie.ts';
import { tokenHash } from '../accounts/sessions.ts';
import { vapidKeys } from '../push/keys.ts';
import { readSubscription, subscribe, unsubscribe } from '../push/subscriptions.ts';

/** The VAPID key and this device's subscription (CONTRACT.md, "Installable app, push"); 404 with PUSH=off. */
export function pushRoutes(deps: Pick<Deps, 'sql' | 'config'>) {
  const { sql, config } = deps;
  const vapid = vapidKeys(sql, config);
  const outbound = createOutbound({ allow: config.outboundAllow });
  const me = (c: Ctx) => {
    if (!config.push) throw new HttpError(404, 'Push is off on this server.');
    const user = c.get('user');
    const hashed = tokenHash(sessionToken(c) ?? '');
    if (!user || !hashed) throw new HttpError(401, 'Sign in first.');
    return { user, session: hashed };
  };

  return new Hono<AppEnv>()
    // The page that turns push on for this device (public/push-settings.js).
    .get('/settings/push', (c) => c.render('push-settings', { title: 'Notifications', enabled: config.push }))
    .get('/api/push/key', async (c) => {
      me(c);
      return c.json({ publicKey: (await vapid()).publicKey });
    })
    .post('/api/push/subscriptions', async (c) => {
      const { user, session } = me(c);
      const sub = readSubscription((await readInput(c)).fields);
      if (typeof sub === 'string') throw new HttpError(400, sub);
      const refused = await outbound.refusal(sub.endpoint);
      if (refused) throw new HttpError(400, `That push endpoint may not be reached (${refused}): it must be https on a public address.`);
      const outcome = await subscribe(sql, user.id, session, sub);
      return c.body(null, outcome === 'created' ? 201 : 200);
    })
    .delete('/api/push/subscriptions', async (c) => {
      const { user } = me(c);
      const { endpoint } = (await readInput(c)).fields;
      if (typeof endpoint !== 'string') throw new HttpError(400, '"endpoint" is the subscription\'s push service URL.');
      await unsubscribe(sql, user.id, endpoint);
      return c.body(null, 204);
    });
}
