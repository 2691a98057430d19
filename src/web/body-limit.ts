import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from './context.ts';

/**
 * Refuses bodies over `maxSize` without touching `c.req.raw`. Hono's bodyLimit reads
 * `c.req.raw.body`, which makes @hono/node-server build a web Request and a ReadableStream for
 * every request, GETs included; a declared Content-Length is checked from the headers alone, and
 * the body is then read straight from Node's stream (c.req.arrayBuffer's fast path). Only a chunked
 * body, whose size is not declared, goes through Hono's counting reader.
 */
export function limitBody(maxSize: number, onError: Parameters<typeof bodyLimit>[0]['onError']): MiddlewareHandler<AppEnv> {
  const counting = bodyLimit({ maxSize, onError });
  return (c, next) => {
    const headers = c.env?.incoming?.headers ?? null;
    if (!headers) return counting(c, next);
    if (headers['transfer-encoding'] !== undefined) return counting(c, next);
    const declared = headers['content-length'];
    if (declared !== undefined && Number.parseInt(declared, 10) > maxSize) return onError!(c) as Promise<Response>;
    return next();
  };
}
