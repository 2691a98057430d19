import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import type { Sql } from '../../db/connect.ts';
import { HttpError } from '../errors.ts';
import { cleanName } from '../../files/types.ts';
import { storeUpload, type Stored } from '../../files/upload.ts';
import { overQuotaMessage, type OverQuota } from '../../files/quota.ts';

/** Form fields besides the files: the message text and little else. */
export const MAX_FIELD_BYTES = 64 * 1024;

export function tooLarge(maxBytes: number, incoming: IncomingMessage): HttpError {
  lingerThenClose(incoming);
  // The rest of the body is never read: the connection closes after the answer.
  return new HttpError(413, `The file is larger than ${Math.round(maxBytes / 1024 / 1024)} MB.`, { Connection: 'close' });
}

/** 413, as for a file over UPLOAD_MAX_MB: the file is too large for what the person has left. */
export function overQuota(over: OverQuota, incoming: IncomingMessage): HttpError {
  lingerThenClose(incoming);
  return new HttpError(413, overQuotaMessage(over), { Connection: 'close' });
}

const LINGER_MS = 1000;
const LINGER_BYTES = 4 * 1024 * 1024;

/**
 * After a refusal with Connection: close, Node destroys the socket once the answer is written.
 * If the client is still sending, that close becomes a reset, and a reset can throw away the
 * answer the client has not read yet. So the socket half-closes, and reads and discards a
 * little more (1 s or 4 MiB at most, as nginx's lingering close does) before it is destroyed.
 */
export function lingerThenClose(incoming: IncomingMessage): void {
  const socket = incoming.socket as (typeof incoming.socket & { destroySoon?: () => void }) | null;
  if (!socket || socket.destroyed) return;
  socket.destroySoon = () => {
    socket.end();
    let seen = 0;
    const stop = () => socket.destroy();
    const timer = setTimeout(stop, LINGER_MS);
    socket.once('close', () => clearTimeout(timer));
    incoming.on('data', (d: Buffer) => {
      seen += d.length;
      if (seen > LINGER_BYTES) stop();
    });
    incoming.resume();
  };
}

/** Refuses at once a body that says it is larger than `maxBytes`. */
export function checkDeclaredLength(incoming: IncomingMessage, maxBytes: number): void {
  const declared = Number(incoming.headers['content-length'] ?? NaN);
  if (declared > maxBytes) throw tooLarge(maxBytes, incoming);
}

/**
 * The request body as it arrives, pulled with backpressure. Unlike iterating the stream itself,
 * stopping early does not destroy the socket, so the 413 still reaches the client before the
 * connection closes.
 */
export async function* pull(incoming: IncomingMessage): AsyncGenerator<Buffer> {
  for (;;) {
    const chunk = incoming.read() as Buffer | null;
    if (chunk !== null) {
      yield chunk;
      continue;
    }
    if (incoming.readableEnded) return;
    if (incoming.destroyed) throw Object.assign(new Error('client went away'), { code: 'ECONNRESET' });
    await new Promise<void>((resolve, reject) => {
      const done = () => {
        incoming.off('readable', done).off('end', done).off('close', done).off('error', fail);
        resolve();
      };
      const fail = (err: Error) => {
        done();
        reject(err);
      };
      incoming.on('readable', done).on('end', done).on('close', done).on('error', fail);
    });
  }
}

export interface MultipartResult { fields: Record<string, string>; files: Stored[] }

/**
 * Reads a multipart/form-data body as a stream: text fields of up to 64 KiB and the parts named
 * "file", each written to PostgreSQL as it arrives (storeUpload). Nothing is buffered whole.
 */
export function readMultipart(
  incoming: IncomingMessage, sql: Sql, o: { roomId: number; uploaderId: string; maxBytes: number; quotaBytes: number | null; thumbnail: (image: Buffer) => Promise<Buffer | null>; admit: () => Promise<void> },
): Promise<MultipartResult> {
  return new Promise((resolve, reject) => {
    const fields = Object.create(null) as Record<string, string>;
    const files: Stored[] = [];
    let failed = false;
    let queue = Promise.resolve();
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      incoming.unpipe();
      incoming.pause();
      reject(err);
    };
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: incoming.headers,
        defParamCharset: 'utf8',
        limits: { fieldSize: MAX_FIELD_BYTES, fields: 20, files: 10, parts: 40, headerPairs: 50 },
      });
    } catch {
      return reject(new HttpError(400, 'The multipart form could not be read.'));
    }
    bb.on('field', (name, value, info) => {
      if (info.valueTruncated) {
        lingerThenClose(incoming);
        fail(new HttpError(413, 'A form field is larger than 64 KiB.', { Connection: 'close' }));
      }
      else if (!(name in fields)) fields[name] = value;
    });
    bb.on('file', (name, stream, info) => {
      // An empty file input still sends a part, without a name.
      if (name !== 'file' || !info.filename) {
        stream.resume();
        return;
      }
      queue = queue.then(async () => {
        if (failed) return void stream.resume();
        await o.admit();
        const out = await storeUpload(sql, { ...o, name: cleanName(info.filename), source: stream });
        if (out.ok) files.push(out.file);
        else if (out.reason === 'too_large') fail(tooLarge(o.maxBytes, incoming));
        else if (out.reason === 'over_quota') fail(overQuota(out.over, incoming));
        else if (out.reason === 'aborted') fail(new HttpError(400, 'The upload was cut off.'));
      }).catch(fail);
    });
    for (const limit of ['partsLimit', 'filesLimit', 'fieldsLimit'] as const) {
      bb.on(limit, () => {
        lingerThenClose(incoming);
        fail(new HttpError(413, 'The form has too many parts.', { Connection: 'close' }));
      });
    }
    bb.on('error', () => fail(new HttpError(400, 'The multipart form could not be read.')));
    bb.on('close', () => void queue.then(() => !failed && resolve({ fields, files })));
    incoming.on('aborted', () => fail(new HttpError(400, 'The upload was cut off.')));
    incoming.pipe(bb);
  });
}
