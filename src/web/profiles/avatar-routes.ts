import { Hono } from 'hono';
import type { Deps } from '../deps.ts';
import { currentUser, type AppEnv, type Ctx } from '../context.ts';
import { NAME_RULE } from '../../accounts/rules.ts';
import { HttpError } from '../errors.ts';
import { adminsOnly } from '../access.ts';
import { streamsItsBody } from '../body-limit.ts';
import { uploadGate } from '../files/admit.ts';
import { readAvatarPart } from './read-avatar.ts';
import { findProfile } from '../../profiles/profiles.ts';
import { readAvatar, saveAvatar } from '../../profiles/avatars.ts';
import { shrinkAvatar } from '../../profiles/avatar-image.ts';
import { initialsPictures } from '../../profiles/initials.ts';

const REFUSED = {
  not_image: new HttpError(415, 'The avatar must be a PNG, JPEG, GIF or WebP picture.'),
  too_large: new HttpError(413, 'The picture is too large to decode: at most 40 megapixels.'),
  busy: new HttpError(503, 'Too many pictures at once. Try again in a moment.', { 'Retry-After': '2' }),
} as const;

/** A browser's form (it asks for a page): answered with a redirect, its refusals with a page. */
const fromForm = (c: Ctx) => (c.req.header('accept') ?? '').includes('text/html');

/**
 * Avatars: members GET anyone's; visitors without a session (public rooms) get initials for any
 * well-formed name, so the address tells a stranger nothing; a member sets their own (POST /api/me/avatar, a bot too with its token), an
 * admin a bot's from the bots page.
 */
export function avatarRoutes(deps: Pick<Deps, 'sql' | 'config'>) {
  const { sql, config } = deps;
  const initials = initialsPictures();

  const store = async (c: Ctx, userId: string, limitedId: string) => {
    const picture = await readAvatarPart(c.env.incoming, config.uploadMaxBytes, uploadGate(sql, config.rateLimitUploads, limitedId, c.env.incoming));
    const shrunk = await shrinkAvatar(picture);
    if (!shrunk.ok) throw REFUSED[shrunk.reason];
    await saveAvatar(sql, userId, shrunk.webp, 'image/webp');
  };

  const open = new Hono<AppEnv>()
    .get('/users/:name/avatar', async (c) => {
      // Without a session, any well-formed name gets its initials and nothing is looked up: the
      // address must not tell a stranger which names exist (sign-in answers them alike too).
      const name = c.req.param('name');
      const viewer = await currentUser(c, sql);
      if (!viewer && !NAME_RULE.test(name)) throw new HttpError(404, 'There is nobody by that name.');
      const profile = viewer ? await findProfile(sql, name) : null;
      if (viewer && !profile) throw new HttpError(404, 'There is nobody by that name.');
      const matches = (etag: string) => c.req.header('if-none-match')?.split(/\s*,\s*/).includes(etag) === true;
      // A browser revalidating the picture it holds costs one small query, not the bytes.
      if (profile && profile.avatarVersion > 0 && matches(`"v${profile.avatarVersion}"`)) {
        c.header('Cache-Control', 'no-cache');
        c.header('ETag', `"v${profile.avatarVersion}"`);
        return c.body(null, 304);
      }
      const stored = profile && profile.avatarVersion > 0 ? await readAvatar(sql, profile.id) : null;
      const picture = stored
        ? { bytes: stored.bytes, type: stored.type, etag: `"v${stored.version}"` }
        : await initials(profile?.name ?? name).then((i) => ({ bytes: i.png, type: 'image/png', etag: i.etag }));
      // ?v=<version> names one picture for ever; the plain address is checked on every use.
      const pinned = stored !== null && c.req.query('v') === String(stored.version);
      c.header('Cache-Control', pinned ? 'public, max-age=31536000, immutable' : 'no-cache');
      c.header('ETag', picture.etag);
      c.header('X-Content-Type-Options', 'nosniff');
      if (matches(picture.etag)) return c.body(null, 304);
      c.header('Content-Type', picture.type);
      return c.body(new Uint8Array(picture.bytes));
    });

  const members = new Hono<AppEnv>()
    .post('/api/me/avatar', streamsItsBody(), async (c) => {
      const user = c.get('user')!;
      const form = fromForm(c);
      c.set('json', !form);
      await store(c, user.id, user.id);
      return form ? c.redirect(`/users/${encodeURIComponent(user.name)}?avatar=1`, 303) : c.body(null, 204);
    })
    .post('/admin/bots/:name/avatar', streamsItsBody(), adminsOnly(sql), async (c) => {
      const bot = await findProfile(sql, c.req.param('name'));
      if (!bot || bot.kind !== 'bot' || !bot.active) throw new HttpError(404, 'There is no bot by that name.');
      await store(c, bot.id, c.get('user')!.id);
      return fromForm(c) ? c.redirect(`/admin/bots?avatar=${encodeURIComponent(bot.name)}`, 303) : c.body(null, 204);
    });
  return { open, members };
}
