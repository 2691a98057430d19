import { createHash } from 'node:crypto';
import type { Sql } from '../db/connect.ts';
import { CHUNK_BYTES, createAttachment, dropAttachment, finishAttachment, sweepUnlinked, writeChunk } from './store.ts';
import { makeThumbnail } from './thumbnail.ts';
import { detectType, isSafeImage } from './types.ts';

export interface Stored { id: string; name: string; size: number; type: string; thumbnail: boolean }

export type UploadOutcome =
  | { ok: true; file: Stored }
  | { ok: false; reason: 'too_large' | 'empty' | 'aborted' };

export interface UploadInput {
  roomId: number;
  uploaderId: string;
  name: string;
  maxBytes: number;
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
  const thumbnail = isSafeImage(detected) ? await makeThumbnail(Buffer.concat(image)) : null;
  await finishAttachment(sql, id, { size, type: detected, sha256: hash.digest(), thumbnail });
  return { ok: true, file: { id, name: input.name, size, type: detected, thumbnail: thumbnail !== null } };
}

// A client that goes away mid-upload: the socket closes or resets.
function isAbort(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ABORT_ERR' || (err as Error)?.name === 'AbortError';
}
