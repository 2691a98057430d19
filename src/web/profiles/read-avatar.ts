import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import { HttpError } from '../errors.ts';
import { checkDeclaredLength, lingerThenClose, tooLarge } from '../files/incoming.ts';

const FORM_SLACK = 64 * 1024;

/**
 * The "avatar" part of a multipart form, whole (an avatar is small, and sharp wants it whole),
 * refused with a 413 past `maxBytes` (UPLOAD_MAX_MB) as soon as it gets there. Other parts are
 * skipped. `admit` runs before the first byte of the picture is kept (the upload budget).
 */
export function readAvatarPart(incoming: IncomingMessage, maxBytes: number, admit: () => Promise<void>): Promise<Buffer> {
  if (!/^multipart\/form-data/i.test(incoming.headers['content-type'] ?? '')) {
    return Promise.reject(new HttpError(415, 'Send the picture as multipart/form-data, in a part named "avatar".'));
  }
  checkDeclaredLength(incoming, maxBytes + FORM_SLACK);
  return new Promise((resolve, reject) => {
    let picture: Promise<Buffer> | null = null;
    let failed = false;
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      incoming.unpipe();
      incoming.pause();
      reject(err);
    };
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: incoming.headers, limits: { fieldSize: 1024, fields: 10, files: 1, parts: 12, headerPairs: 50, fileSize: maxBytes } });
    } catch {
      return reject(new HttpError(400, 'The multipart form could not be read.'));
    }
    bb.on('file', (name, stream, info) => {
      if (name !== 'avatar' || !info.filename || picture) return void stream.resume();
      picture = admit().then(() => new Promise<Buffer>((done, broken) => {
        const chunks: Buffer[] = [];
        stream.on('data', (d: Buffer) => chunks.push(d));
        stream.on('limit', () => broken(tooLarge(maxBytes, incoming)));
        stream.on('end', () => done(Buffer.concat(chunks)));
        stream.on('error', broken);
      }));
      picture.catch(fail);
    });
    for (const limit of ['partsLimit', 'filesLimit', 'fieldsLimit'] as const) {
      bb.on(limit, () => {
        lingerThenClose(incoming);
        fail(new HttpError(413, 'The form has too many parts.', { Connection: 'close' }));
      });
    }
    bb.on('error', () => fail(new HttpError(400, 'The multipart form could not be read.')));
    bb.on('close', () => {
      if (failed) return;
      if (!picture) return fail(new HttpError(400, 'Choose a picture: the form has no "avatar" file.'));
      picture.then((b) => (b.length === 0 ? fail(new HttpError(400, 'The picture is empty.')) : resolve(b)), fail);
    });
    incoming.on('aborted', () => fail(new HttpError(400, 'The upload was cut off.')));
    incoming.pipe(bb);
  });
}
