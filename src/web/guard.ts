import type { MiddlewareHandler } from 'hono';
import { isBearer } from './bots/bearer.ts';
import type { AppEnv } from './context.ts';
import { HttpError } from './errors.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const FORM = /^(application\/x-www-form-urlencoded|multipart\/form-data|text\/plain)/i;

/**
 * Refuses cross-site state changes. Like hono/csrf, a form post must prove it is same-origin by
 * Sec-Fetch-Site or Origin; unlike it, a JSON or any other post that carries those headers is
 * checked too, and a browser's Sec-Fetch-Site wins over Origin (so a sibling host, "same-site",
 * is refused). Clients that send neither (curl, bots) may post JSON: they hold no victim's cookie.
 * Behind a TLS-terminating proxy the request's own origin is http://..., so PUBLIC_ORIGIN names it.
 */
export function crossSiteGuard(publicOrigin: string | null): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (SAFE.has(c.req.method)) return next();
    // Bots (src/bots/): a Bearer call is not a cookie session, and a hook URL's token is in its path.
    if (isBearer(c.req.header('authorization')) || c.req.path.startsWith('/hooks/')) return next();
    const site = c.req.header('sec-fetch-site');
    const origin = c.req.header('origin');
    const allowed = publicOrigin ?? new URL(c.req.url).origin;
    const ok =
      site !== undefined ? site === 'same-origin'
      : origin !== undefined ? origin === allowed
      : !FORM.test(c.req.header('content-type') ?? 'text/plain');
    if (!ok) throw new HttpError(403, 'Cross-site requests are refused.');
    return next();
  };
}

/**
 * Refuses addresses whose path holds control characters once decoded (%00 and the like): no room,
 * file or name contains one, and PostgreSQL refuses a NUL in text with an error instead of "not found".
 */
export function pathGuard(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const path = c.req.path;
    let decoded = path;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      // Not percent-decodable: the routes see it undecoded too.
    }
    if (/[\x00-\x1f\x7f]/.test(decoded)) throw new HttpError(400, 'The address contains control characters.');
    return next();
  };
}

/** Headers every answer carries. */
export function securityHeaders(replica: string, hsts: boolean): MiddlewareHandler<AppEnv> {
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    if (h.get('x-hono-already-sent')) return;
    h.set('X-Replica', replica);
    h.set('X-Content-Type-Options', 'nosniff');
    h.set('Referrer-Policy', 'same-origin');
    h.set('X-Frame-Options', 'DENY');
    h.set('Cross-Origin-Opener-Policy', 'same-origin');
    h.set('Cross-Origin-Resource-Policy', 'same-origin');
    if ((h.get('content-type') ?? '').startsWith('text/html')) h.set('Content-Security-Policy', csp);
    if (hsts) h.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  };
}
