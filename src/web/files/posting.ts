import type { Deps } from '../deps.ts';
import type { Sql } from '../../db/connect.ts';
import type { Ctx } from '../context.ts';
import { HttpError } from '../errors.ts';
import type { Input } from '../input.ts';
import { uploadGate } from './admit.ts';
import { checkDeclaredLength, MAX_FIELD_BYTES, readMultipart } from './incoming.ts';
import { attachmentIds, linkAttachments, type Attachment } from '../../files/link.ts';

export const isMultipart = (c: Ctx): boolean => /^multipart\/form-data/i.test(c.req.header('content-type') ?? '');

/**
 * The post form without JavaScript: multipart with the text in "body" and files in "file". The
 * files are stored as they arrive; their ids become the "attachments" field, as a script sends it.
 */
export async function readPostForm(c: Ctx, deps: Pick<Deps, 'sql' | 'config' | 'images'>): Promise<Input> {
  const maxBytes = deps.config.uploadMaxBytes;
  checkDeclaredLength(c.env.incoming, maxBytes + MAX_FIELD_BYTES * 2);
  const uploaderId = c.get('user')!.id;
  const admit = uploadGate(deps.sql, deps.config.rateLimitUploads, uploaderId, c.env.incoming);
  const form = await readMultipart(c.env.incoming, deps.sql, { roomId: c.var.room.id, uploaderId, maxBytes, quotaBytes: deps.config.storageQuotaBytes, thumbnail: (image) => deps.images.thumbnail(image), admit });
  const fields: Record<string, unknown> = Object.assign(Object.create(null) as Record<string, unknown>, form.fields);
  fields.attachments = form.files.map((f) => f.id);
  return { json: false, fields };
}

type Posted = { ok: true; message: { id: string; attachments?: Attachment[] } } | { ok: false };

/**
 * Posts and links the files of `input.attachments` in one transaction, so the message reaches
 * every stream with its files or not at all. Without files it is just the post.
 */
export async function postWithAttachments<O extends Posted>(
  sql: Sql, userId: string, input: Input, post: (sql: Sql) => Promise<O>,
): Promise<O> {
  const ids = attachmentIds(input.fields.attachments);
  if (ids === null) throw new HttpError(400, '"attachments" is a list of at most 10 attachment ids.');
  if (ids.length === 0) return post(sql);
  let missing: string[] = [];
  const out = await sql.begin(async (tx) => {
    const posted = await post(tx as unknown as Sql);
    if (!posted.ok) return posted;
    const linked = await linkAttachments(tx as unknown as Sql, posted.message.id, userId, ids);
    if (!linked.ok) {
      missing = linked.missing;
      throw new Missing();
    }
    posted.message.attachments = linked.attachments;
    return posted;
  }).catch((err: unknown) => {
    if (err instanceof Missing) throw new HttpError(400, `No upload of yours in this room waits with the id ${missing.join(', ')}.`);
    throw err;
  });
  return out as O;
}

class Missing extends Error {}
