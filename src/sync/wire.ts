import type { ServerResponse } from 'node:http';

/** Text for a stream, and the same text as one HTTP/1.1 chunk. */
export interface Wire { readonly text: string; readonly chunk: Buffer }

/**
 * Writes text shared by many streams. Once the response head is on the socket (serve() writes the
 * retry line right after it, and nothing waits in the response itself) and the response is
 * chunked, the ready-made chunk goes straight to the socket: no encoding, chunk framing or
 * cork-and-uncork tick per stream, one write call each. That per-stream work was the replicas'
 * largest cost under load (Documentation/performance.md). Never after end(): the bytes would
 * follow the closing chunk.
 */
export function writeShared(out: ServerResponse, wire: Wire): void {
  if (out.writableEnded || out.destroyed) return;
  const socket = out.socket;
  if (socket && !socket.destroyed && out.chunkedEncoding && out.headersSent && out.writableLength === socket.writableLength) {
    socket.write(wire.chunk);
  } else {
    out.write(wire.text);
  }
}

/** Resolves true once what was written has drained, false when the reader stays stuck or leaves. */
export function drained(out: ServerResponse, timeoutMs: number): Promise<boolean> {
  const socket = out.socket;
  if (!socket || out.destroyed) return Promise.resolve(false);
  if (out.writableLength + socket.writableLength === 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.off('drain', onDrain);
      out.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('drain', onDrain);
    out.on('close', onClose);
  });
}

// Catch-up writes a page, then waits here until the reader has taken most of it.
const HIGH_WATER = 64 * 1024;
const STUCK_MS = 10_000;

/** True at once when little is buffered; else once it drains; false when the reader is stuck or gone. */
export function readerKeepsUp(out: ServerResponse): Promise<boolean> {
  if (out.destroyed || out.writableEnded) return Promise.resolve(false);
  if (out.writableLength + (out.socket?.writableLength ?? 0) <= HIGH_WATER) return Promise.resolve(true);
  return drained(out, STUCK_MS);
}
