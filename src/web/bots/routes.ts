import { Hono } from 'hono';
import { NAME_RULE } from '../../accounts/rules.ts';
import type { Deps } from '../deps.ts';
import { currentUser, type AppEnv, type Ctx } from '../context.ts';
import { HttpError } from '../errors.ts';
import { readInput } from '../input.ts';
import { adminsOnly } from '../access.ts';
import { createBot, deleteBot, listBots, recentDeliveries, resetBot, setWebhook, type Issued, type Made } from '../../bots/store.ts';

/** Admins create, list, reset and delete bots: JSON under /api/bots, pages (no script needed) under /admin/bots. */
export function botRoutes(deps: Deps) {
  const { sql, log } = deps;
  const { sealer, outbound } = deps.bots;
  const origin = (c: Ctx) => deps.config.publicOrigin ?? new URL(c.req.url).origin;

  /** The webhook URL of a form or JSON body: null when empty or absent; 400 when the outbound guard refuses it. */
  const webhookField = async (fields: Record<string, unknown>): Promise<string | null> => {
    const raw = fields.webhookUrl ?? fields.webhook_url;
    if (raw !== undefined && raw !== null && typeof raw !== 'string') throw new HttpError(400, '"webhookUrl" must be a string.');
    const webhookUrl = typeof raw === 'string' && raw.trim() !== '' ? raw.trim() : null;
    if (webhookUrl !== null) {
      const refused = webhookUrl.length > 2048 ? 'longer than 2,048 characters' : await outbound.refusal(webhookUrl);
      if (refused) throw new HttpError(400, `The webhook URL cannot be used (${refused}): it must be https on a public address, or in OUTBOUND_ALLOW.`);
    }
    return webhookUrl;
  };
  const fields = async (c: Ctx) => {
    const input = await readInput(c);
    const name = typeof input.fields.name === 'string' ? input.fields.name.trim() : '';
    if (!NAME_RULE.test(name)) throw new HttpError(400, 'A bot\'s name is 1 to 32 letters, digits, dots, underscores or hyphens.');
    return { name, webhookUrl: await webhookField(input.fields), json: input.json };
  };
  const changeWebhook = async (c: Ctx) => {
    const input = await readInput(c);
    if (input.json && !('webhookUrl' in input.fields)) throw new HttpError(400, 'Give "webhookUrl": an https URL, or null for none.');
    const bot = await setWebhook(sql, c.req.param('name') ?? '', await webhookField(input.fields));
    if (!bot) throw new HttpError(404, 'There is no bot by that name.');
    log.info('bot webhook changed', { by: c.get('user')?.name, bot: bot.name });
    return { name: bot.name, webhookUrl: bot.webhookUrl };
  };
  const issued = (made: Made): Issued => {
    if (made.ok) return made.issued;
    throw made.reason === 'taken' ? new HttpError(409, 'That name is taken.') : new HttpError(404, 'There is no bot by that name.');
  };
  const create = async (c: Ctx) => {
    const f = await fields(c);
    const made = issued(await createBot(sql, sealer, f.name, f.webhookUrl, c.get('user')!.id));
    log.info('bot created', { by: c.get('user')?.name, bot: f.name });
    return made;
  };
  const reset = async (c: Ctx) => {
    const made = issued(await resetBot(sql, sealer, c.req.param('name') ?? ''));
    log.info('bot token reset', { by: c.get('user')?.name, bot: made.bot.name });
    return made;
  };
  const page = async (c: Ctx, status: number, data: { issued?: Issued; notice?: string; error?: string }) => {
    await currentUser(c, sql);
    const [bots, deliveries] = await Promise.all([listBots(sql), recentDeliveries(sql)]);
    return c.render('admin-bots', { title: 'Bots', bots, deliveries, origin: origin(c), ...data }, status);
  };
  // A form's refusal shows the page again with the reason; JSON callers get {"error"}.
  const orPage = async (c: Ctx, work: () => Promise<Response>) => {
    try {
      return await work();
    } catch (err) {
      if (!(err instanceof HttpError) || c.get('json')) throw err;
      return page(c, err.status, { error: err.message });
    }
  };

  return new Hono<AppEnv>()
    .use('/api/bots', adminsOnly(sql))
    .use('/api/bots/*', adminsOnly(sql))
    .use('/admin/bots', adminsOnly(sql))
    .use('/admin/bots/*', adminsOnly(sql))
    .get('/api/bots', async (c) => c.json({ bots: await listBots(sql), deliveries: await recentDeliveries(sql) }))
    .post('/api/bots', async (c) => c.json(await create(c), 201))
    .post('/api/bots/:name/token', async (c) => c.json(await reset(c)))
    .patch('/api/bots/:name', async (c) => c.json({ bot: await changeWebhook(c) }))
    .delete('/api/bots/:name', async (c) => {
      if (!(await deleteBot(sql, c.req.param('name')))) throw new HttpError(404, 'There is no bot by that name.');
      log.info('bot deleted', { by: c.get('user')?.name, bot: c.req.param('name') });
      return c.body(null, 204);
    })
    .get('/admin/bots', (c) => {
      const deleted = c.req.query('deleted');
      const avatar = c.req.query('avatar');
      return page(c, 200, { notice: deleted ? `${deleted} was deleted: its token and webhook no longer work.` : avatar ? `${avatar} has a new picture.` : undefined });
    })
    .post('/admin/bots', (c) => orPage(c, async () => page(c, 201, { issued: await create(c) })))
    .post('/admin/bots/:name/token', (c) => orPage(c, async () => page(c, 200, { issued: await reset(c) })))
    .post('/admin/bots/:name/webhook', (c) => orPage(c, async () => {
      const bot = await changeWebhook(c);
      return page(c, 200, { notice: bot.webhookUrl ? `${bot.name} now delivers to ${bot.webhookUrl}.` : `${bot.name} has no webhook now.` });
    }))
    .post('/admin/bots/:name/delete', (c) => orPage(c, async () => {
      const name = c.req.param('name');
      if (!(await deleteBot(sql, name))) throw new HttpError(404, 'There is no bot by that name.');
      log.info('bot deleted', { by: c.get('user')?.name, bot: name });
      return c.redirect(`/admin/bots?deleted=${encodeURIComponent(name)}`, 303);
    }));
}
