import { createHash } from 'node:crypto';
import type { Sql } from '../db/connect.ts';
import { CHUNK_BYTES, createAttachment, dropAttachment, finishAttachment, sweepUnlinked, writeChunk } from './store.ts';
import { finishWithinQuota, storedBytes, type OverQuota } from './quota.ts';
import { makeThumbnail } from './thumbnail.ts';
import { detectType, isSafeImage } from './types.ts';

export interface Stored { id: string; name: string; size: number; type: string; thumbnail: boolean }

export type UploadOutcome =
  | { ok: true; file: Stored }
  | { ok: false; reason: 'too_large' | 'empty' | 'aborted' }
  | { ok: false; reason: 'over_quota'; over: OverQuota };

export interface UploadInput {
  roomId: number;
  uploaderId: string;
  name: string;
  maxBytes: number;
  /** Most bytes of stored files this person may have (STORAGE_QUOTA); null: no quota. */
  quotaBytes?: number | null;
  /** The body's Content-Length when it is the file alone: over the quota, refused before a byte is read. */
  declaredBytes?: number;
  /** Makes the thumbnail of an image (the replica's image process); the default makes it in this process. */
  thumbnail?: (image: Buffer) => Promise<Buffer | null>;
  /** The bytes as they arrive; the upload pulls the next piece only once the last one is written. */
  source: AsyncIterable<Uint8Array>;
}

/**
 * Writes an upload to PostgreSQL as it arrives, in rows of CHUNK_BYTES, each by its own short
 * statement: memory holds one chunk (plus the image itself, up to the limit, for its thumbnail),
 * and no transaction stays open while a client sends. The type is detected from the first
 * chunk. Past `maxBytes` it stops reading and removes what it wrote.
 */
export async function storeUpload(sql: Sql, input: UploadInput): Promise<UploadOutcome> {
  await sweepUnlinked(sql);
  const quota = input.quotaBytes ?? null;
  // Stored before this upload began: past quota - used it stops reading; the last word is finishWithinQuota's.
  const used = quota === null ? 0 : await storedBytes(sql, input.uploaderId);
  const declared = input.declaredBytes ?? 0;
  if (quota !== null && declared > 0 && declared <= input.maxBytes && used + declared > quota) {
    return { ok: false, reason: 'over_quota', over: { used, quota, file: declared, atLeast: false } };
  }
  const id = await createAttachment(sql, input.roomId, input.uploaderId, input.name);
  const hash = createHash('sha256');
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let size = 0;
  let seq = 0;
  let type: string | null = null;
  const image: Buffer[] = [];

  const flush = async (): Promise<void> => {
    if (pendingBytes === 0) return;
    const chunk = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    if (type === null) type = await detectType(chunk);
    if (isSafeImage(type)) image.push(chunk);
    await writeChunk(sql, id, seq++, chunk);
  };

  try {
    for await (const piece of input.source) {
      size += piece.byteLength;
      if (size > input.maxBytes) {
        await dropAttachment(sql, id);
        return { ok: false, reason: 'too_large' };
      }
      if (quota !== null && used + size > quota) {
        await dropAttachment(sql, id);
        return { ok: false, reason: 'over_quota', over: { used, quota, file: size, atLeast: true } };
      }
      hash.update(piece);
      let rest = piece;
      while (pendingBytes + rest.byteLength >= CHUNK_BYTES) {
        const take = CHUNK_BYTES - pendingBytes;
        pending.push(rest.subarray(0, take));
        pendingBytes += take;
        rest = rest.subarray(take);
        await flush();
      }
      if (rest.byteLength > 0) {
        pending.push(rest);
        pendingBytes += rest.byteLength;
      }
    }
    await flush();
  } catch (err) {
    await dropAttachment(sql, id).catch(() => {});
    if (isAbort(err)) return { ok: false, reason: 'aborted' };
    throw err;
  }
  if (size === 0) {
    await dropAttachment(sql, id);
    return { ok: false, reason: 'empty' };
  }
  const detected = type ?? 'application/octet-stream';
  const thumbnail = isSafeImage(detected) ? await (input.thumbnail ?? makeThumbnail)(Buffer.concat(image)) : null;
  const sha256 = hash.digest();
  const over = await finishWithinQuota(sql, { id, uploaderId: input.uploaderId, quota, size },
    (tx) => finishAttachment(tx, id, { size, type: detected, sha256, thumbnail }));
  if (over) return { ok: false, reason: 'over_quota', over };
  return { ok: true, file: { id, name: input.name, size, type: detected, thumbnail: thumbnail !== null } };
}

// A client that goes away mid-upload: the socket closes or resets.
function isAbort(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ABORT_ERR' || (err as Error)?.name === 'AbortError';
}
