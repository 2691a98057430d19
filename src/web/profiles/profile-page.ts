import { Hono } from 'hono';
import type { Deps } from '../deps.ts';
import { currentUser, type AppEnv, type Ctx } from '../context.ts';
import { HttpError } from '../errors.ts';
import { readInput } from '../input.ts';
import { refusal } from '../answer.ts';
import { BIO_MAX, findProfile, setBio, type Profile } from '../../profiles/profiles.ts';
import type { Transfer } from './transfer-routes.ts';

const NOTICES: Record<string, string> = { bio: 'Your bio is saved.', avatar: 'Your picture is changed.' };

/**
 * GET /users/<name>: a member's or bot's profile page (name, picture, bio); one's own has the
 * forms (bio, picture, a sign-in link for another device). A deactivated person is not found,
 * as when adding people to a room. PATCH /api/me {"bio"} sets the bio; POST /profile/bio is the
 * same for a form.
 */
export function profilePages(deps: Pick<Deps, 'sql'>, makeTransfer: (c: Ctx) => Promise<Transfer>) {
  const { sql } = deps;
  const avatarUrl = (p: Profile) => `/users/${encodeURIComponent(p.name)}/avatar${p.avatarVersion ? `?v=${p.avatarVersion}` : ''}`;
  const found = async (name: string) => {
    const profile = await findProfile(sql, name);
    if (!profile || !profile.active) throw new HttpError(404, 'There is nobody by that name.');
    return profile;
  };
  const page = async (c: Ctx, profile: Profile, status: number, data: { error?: string; notice?: string; transfer?: Transfer }) => {
    const me = (await currentUser(c, sql))!;
    return c.render('profile', { title: profile.name, profile, own: me.id === profile.id, avatarUrl: avatarUrl(profile), bioMax: BIO_MAX, ...data }, status);
  };
  const save = async (c: Ctx, bio: unknown) => {
    const me = (await currentUser(c, sql))!;
    const out = await setBio(sql, me.id, bio);
    if (!out.ok) throw refusal(out.reason, out.message);
    return { me, bio: out.bio };
  };

  return new Hono<AppEnv>()
    .get('/users/:name', async (c) => {
      if (c.get('json')) {
        const p = await found(c.req.param('name'));
        return c.json({ user: { name: p.name, bot: p.kind === 'bot', bio: p.bio, avatar: avatarUrl(p) } });
      }
      const notice = NOTICES[c.req.query('saved') ?? ''] ?? (c.req.query('avatar') ? NOTICES.avatar : undefined);
      return page(c, await found(c.req.param('name')), 200, { notice });
    })
    .get('/api/me', async (c) => {
      const p = await found(c.get('user')!.name);
      return c.json({ user: { name: p.name, role: c.get('user')!.role, bot: p.kind === 'bot', bio: p.bio, avatar: avatarUrl(p) } });
    })
    .patch('/api/me', async (c) => {
      const input = await readInput(c);
      if (!('bio' in input.fields)) throw new HttpError(400, 'Send {"bio": "..."}: the bio, at most 500 characters.');
      const { me, bio } = await save(c, input.fields.bio);
      return c.json({ user: { name: me.name, bio } });
    })
    .post('/profile/bio', async (c) => {
      const input = await readInput(c);
      const me = (await currentUser(c, sql))!;
      try {
        await save(c, input.fields.bio ?? '');
      } catch (err) {
        if (input.json || !(err instanceof HttpError)) throw err;
        return page(c, await found(me.name), err.status, { error: err.message });
      }
      return input.json ? c.body(null, 204) : c.redirect(`/users/${encodeURIComponent(me.name)}?saved=bio`, 303);
    })
    .post('/profile/transfer', async (c) => {
      const me = (await currentUser(c, sql))!;
      const transfer = await makeTransfer(c);
      return page(c, await found(me.name), 200, { transfer });
    });
}
