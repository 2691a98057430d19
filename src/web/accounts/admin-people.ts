import { Hono } from 'hono';
import { roomAudit } from '../../rooms/audit.ts';
import { joinCode, rotateJoinCode } from '../../accounts/invites.ts';
import { changePerson, listPeople, type Changed } from '../../accounts/people.ts';
import { createReset, RESET_HOURS } from '../../accounts/resets.ts';
import type { Deps } from '../deps.ts';
import { currentUser, type AppEnv, type Ctx } from '../context.ts';
import { refusal, STATUS } from '../answer.ts';
import { adminsOnly } from '../access.ts';

const NOBODY = 'There is nobody by that name.';
const NOTICES: Record<string, string> = {
  deactivate: 'deactivated: their sessions and streams have ended',
  activate: 'reactivated',
  admin: 'is an admin now',
  member: 'is a member now',
};
const ACTIONS: Record<string, Parameters<typeof changePerson>[2]> = {
  deactivate: { active: false },
  activate: { active: true },
  admin: { role: 'admin' },
  member: { role: 'member' },
};

/** Admin pages and APIs: people (deactivate, roles, reset links) and the join link. Others get 404. */
export function adminRoutes(deps: Pick<Deps, 'sql' | 'config' | 'log'>) {
  const { sql, config, log } = deps;
  const origin = (c: Ctx) => config.publicOrigin ?? new URL(c.req.url).origin;
  const invite = (c: Ctx, code: string) => ({ code, url: `${origin(c)}/join/${code}` });
  const change = async (c: Ctx, action: string): Promise<Changed> => {
    const name = c.req.param('name') ?? '';
    const outcome = await changePerson(sql, name, ACTIONS[action]!);
    if (outcome.ok) log.info('person changed', { by: c.get('user')?.name, name, action });
    return outcome;
  };
  const refused = (outcome: Changed & { ok: false }) =>
    refusal(outcome.reason, outcome.reason === 'unknown' ? NOBODY : 'That would leave no active admin: make someone else an admin first.');

  const page = async (c: Ctx, status: number, data: { notice?: string; error?: string; resetUrl?: string; resetFor?: string }) => {
    await currentUser(c, sql);
    const people = await listPeople(sql);
    const join = config.registration === 'invite' ? invite(c, await joinCode(sql)) : null;
    return c.render('admin-people', { title: 'People', people, join, registration: config.registration, resetHours: RESET_HOURS, ...data }, status);
  };

  return new Hono<AppEnv>()
    .use('/admin/*', adminsOnly(sql))
    .use('/admin', adminsOnly(sql))
    .use('/api/invite', adminsOnly(sql))
    .use('/api/users/*', adminsOnly(sql))
    .use('/api/admin/*', adminsOnly(sql))
    // Who made which room public or private, archived or unarchived it, newest first.
    .get('/api/admin/room-audit', async (c) => c.json({ entries: await roomAudit(sql) }))
    .get('/admin', (c) => c.redirect('/admin/people', 303))
    .get('/admin/people', (c) => {
      const [action, name] = [c.req.query('done'), c.req.query('name')];
      const notice = action && name && NOTICES[action] ? `${name} ${NOTICES[action]}.` : c.req.query('rotated') ? 'The join link is new; the old one no longer works.' : undefined;
      return page(c, 200, { notice });
    })
    .post('/admin/people/:name/reset', async (c) => {
      const name = c.req.param('name');
      const code = await createReset(sql, name, c.get('user')!.id);
      if (!code) return page(c, STATUS.unknown, { error: NOBODY });
      log.info('reset link made', { by: c.get('user')?.name, name });
      return page(c, 200, { resetFor: name, resetUrl: `${origin(c)}/reset/${code}` });
    })
    .post('/admin/people/:name/:action{deactivate|activate|admin|member}', async (c) => {
      const action = c.req.param('action');
      const outcome = await change(c, action);
      if (!outcome.ok) return page(c, STATUS[outcome.reason], { error: refused(outcome).message });
      return c.redirect(`/admin/people?done=${action}&name=${encodeURIComponent(c.req.param('name'))}`, 303);
    })
    .post('/admin/join', async (c) => {
      await rotateJoinCode(sql);
      log.info('join link rotated', { by: c.get('user')?.name });
      return c.redirect('/admin/people?rotated=1', 303);
    })
    .get('/api/invite', async (c) => c.json(invite(c, await joinCode(sql))))
    .post('/api/invite', async (c) => {
      const code = await rotateJoinCode(sql);
      log.info('join link rotated', { by: c.get('user')?.name });
      return c.json(invite(c, code));
    })
    .post('/api/users/:name/reset', async (c) => {
      const name = c.req.param('name');
      const code = await createReset(sql, name, c.get('user')!.id);
      if (!code) throw refusal('unknown', NOBODY);
      log.info('reset link made', { by: c.get('user')?.name, name });
      return c.json({ url: `${origin(c)}/reset/${code}`, hours: RESET_HOURS }, 201);
    })
    .post('/api/users/:name/:action{deactivate|activate}', async (c) => {
      const outcome = await change(c, c.req.param('action'));
      if (!outcome.ok) throw refused(outcome);
      return c.body(null, 204);
    });
}
