import type { Sql } from '../../db/connect.ts';
import type { Ctx } from '../context.ts';
import { readChunk, type AttachmentRow } from '../../files/store.ts';
import { disposition, isSafeImage, servedType } from '../../files/types.ts';

// Even if a browser were talked into rendering a file as a document, it would have no origin of
// ours, no scripts and no way to load anything.
const FILE_CSP = "sandbox; default-src 'none'";

type Source = { sql: Sql } | { body: Buffer; type: string; etagSuffix: string };

/**
 * Answers with a stored file. Only png, jpeg, gif and webp are shown inline; everything else is a
 * download (Content-Disposition: attachment), and HTML, SVG, XML or script-like types are sent
 * as application/octet-stream. Files never change, so the ETag is their hash and caches may
 * keep them for good (privately: they are not public). The content streams from the database
 * one chunk at a time.
 */
export function download(c: Ctx, row: AttachmentRow, source: Source): Response {
  const whole = 'sql' in source;
  const type = whole ? servedType(row.type) : source.type;
  const inline = !whole || isSafeImage(row.type);
  const etag = `"${row.sha256!.toString('base64url')}${whole ? '' : `-${source.etagSuffix}`}"`;
  const headers: Record<string, string> = {
    'Content-Type': type,
    'Content-Disposition': disposition(inline ? 'inline' : 'attachment', whole ? row.name : `${row.name}.webp`),
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': FILE_CSP,
    'Cache-Control': 'private, max-age=31536000, immutable',
    ETag: etag,
  };
  const match = c.req.header('if-none-match');
  if (match && match.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) return c.body(null, 304, headers);
  if (!whole) return c.body(new Uint8Array(source.body), 200, { ...headers, 'Content-Length': String(source.body.length) });
  headers['Content-Length'] = row.size;
  if (c.req.method === 'HEAD') return c.body(null, 200, headers);
  return c.body(chunks(source.sql, row.id), 200, headers);
}

/** The file's chunks in order, each read when the client has taken the previous one. */
function chunks(sql: Sql, id: string): ReadableStream<Uint8Array> {
  let seq = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const data = await readChunk(sql, id, seq++);
      if (data) controller.enqueue(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      else controller.close();
    },
  }, { highWaterMark: 1 });
}
