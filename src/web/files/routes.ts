import { Hono } from 'hono';
import type { Deps } from '../deps.ts';
import { currentUser, type AppEnv } from '../context.ts';
import { HttpError } from '../errors.ts';
import { requireRoom } from '../access.ts';
import { streamsItsBody } from '../body-limit.ts';
import { refusal } from '../answer.ts';
import { uploadGate } from './admit.ts';
import { uploadLine } from './upload-line.ts';
import { checkDeclaredLength, overQuota, pull, readMultipart, tooLarge } from './incoming.ts';
import { attachmentView } from '../../files/link.ts';
import { findAttachment, readThumbnail, type AttachmentRow } from '../../files/store.ts';
import { download } from './serve.ts';
import { cleanName } from '../../files/types.ts';
import { storeUpload, type Stored } from '../../files/upload.ts';

const MULTIPART_SLACK = 64 * 1024;

/**
 * Uploads (POST /rooms/<slug>/attachments: multipart with a "file" part, or the raw bytes with
 * the name in X-Filename, percent-encoded) and downloads. Both are room-scoped: a file has the
 * access rules of its room (anyone downloads from a public one), and a room one may not read is
 * a 404 here too.
 */
export function fileRoutes(deps: Pick<Deps, 'sql' | 'rooms' | 'config' | 'metrics' | 'images'>) {
  const room = requireRoom(deps.sql, deps.rooms);
  const publicRoom = requireRoom(deps.sql, deps.rooms, { publicRead: true });
  const maxBytes = deps.config.uploadMaxBytes;
  const quotaBytes = deps.config.storageQuotaBytes;
  const thumbnail = (image: Buffer) => deps.images.thumbnail(image);
  const oneAtATime = uploadLine();

  const found = async (roomId: number, id: string, readerId: string | null): Promise<AttachmentRow> => {
    const row = await findAttachment(deps.sql, roomId, id, readerId);
    if (!row) throw new HttpError(404, 'There is no such file in this room.');
    return row;
  };

  return new Hono<AppEnv>()
    .post('/rooms/:slug/attachments', streamsItsBody(), room, oneAtATime, async (c) => {
      c.set('json', true);
      const { room: r, user } = { room: c.var.room, user: c.get('user')! };
      if (r.archived) throw refusal('archived', 'This room is archived: it can be read, not posted to.');
      const incoming = c.env.incoming;
      const multipart = (c.req.header('content-type') ?? '').toLowerCase().startsWith('multipart/form-data');
      checkDeclaredLength(incoming, maxBytes + (multipart ? MULTIPART_SLACK : 0));
      const admit = uploadGate(deps.sql, deps.config.rateLimitUploads, user.id, incoming);
      let file: Stored | undefined;
      if (multipart) {
        file = (await readMultipart(incoming, deps.sql, { roomId: r.id, uploaderId: user.id, maxBytes, quotaBytes, thumbnail, admit })).files[0];
      } else {
        await admit();
        let name: string;
        try {
          name = cleanName(decodeURIComponent(c.req.header('x-filename') ?? c.req.query('name') ?? ''));
        } catch {
          throw new HttpError(400, 'X-Filename must be percent-encoded UTF-8.');
        }
        const out = await storeUpload(deps.sql, { roomId: r.id, uploaderId: user.id, name, maxBytes, quotaBytes, thumbnail, declaredBytes: Number(c.req.header('content-length') ?? 0) || 0, source: pull(incoming) });
        if (!out.ok && out.reason === 'too_large') throw tooLarge(maxBytes, incoming);
        if (!out.ok && out.reason === 'over_quota') throw overQuota(out.over, incoming);
        if (out.ok) file = out.file;
      }
      if (!file) throw new HttpError(400, 'Send a file: the raw bytes with X-Filename, or a form with a "file" part.');
      deps.metrics.inc('chat_uploads_total', 'Files stored by this replica');
      const view = attachmentView({ ...file, slug: r.slug, has_thumbnail: file.thumbnail });
      return c.json({ attachment: view }, 201);
    })
    .get('/rooms/:slug/attachments/:id/thumbnail', publicRoom, async (c) => {
      const reader = await currentUser(c, deps.sql);
      const row = await found(c.var.room.id, c.req.param('id'), reader?.id ?? null);
      const thumb = row.has_thumbnail ? await readThumbnail(deps.sql, row.id) : null;
      if (!thumb) throw new HttpError(404, 'This file has no thumbnail.');
      return download(c, row, { body: thumb, type: 'image/webp', etagSuffix: 't' });
    })
    .get('/rooms/:slug/attachments/:id/:name', publicRoom, async (c) => {
      const reader = await currentUser(c, deps.sql);
      const row = await found(c.var.room.id, c.req.param('id'), reader?.id ?? null);
      return download(c, row, { sql: deps.sql });
    });
}
