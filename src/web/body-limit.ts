import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { matchedRoutes } from 'hono/route';
import type { AppEnv, Ctx } from './context.ts';

const streaming = new WeakMap<object, (c: Ctx) => boolean>();

/**
 * Marks a route whose handler reads its own body, streamed under its own bound (uploads, under
 * UPLOAD_MAX_MB: src/web/files/), when `when` holds: the app's 64 KiB limit then leaves it alone.
 * Put it first on the route; it does nothing else.
 */
export function streamsItsBody(when: (c: Ctx) => boolean = () => true): MiddlewareHandler<AppEnv> {
  const marker: MiddlewareHandler<AppEnv> = (_c, next) => next();
  streaming.set(marker, when);
  return marker;
}

/** Whether the route this request matched is marked with streamsItsBody() and its condition holds. */
export const streamsBody = (c: Ctx): boolean => matchedRoutes(c).some((r) => streaming.get(r.handler)?.(c) === true);

/**
 * Refuses bodies over `maxSize` without touching `c.req.raw`. Hono's bodyLimit reads
 * `c.req.raw.body`, which makes @hono/node-server build a web Request and a ReadableStream for
 * every request, GETs included; a declared Content-Length is checked from the headers alone, and
 * the body is then read straight from Node's stream (c.req.arrayBuffer's fast path). Only a chunked
 * body, whose size is not declared, goes through Hono's counting reader.
 */
export function limitBody(maxSize: number, onError: (c: Ctx) => Response | Promise<Response>): MiddlewareHandler<AppEnv> {
  const counting = bodyLimit({ maxSize, onError });
  return (c, next) => {
    const headers = c.env?.incoming?.headers ?? null;
    if (!headers) return counting(c, next);
    if (headers['transfer-encoding'] !== undefined) return counting(c, next);
    const declared = headers['content-length'];
    if (declared !== undefined && Number.parseInt(declared, 10) > maxSize) return Promise.resolve(onError(c));
    return next();
  };
}
