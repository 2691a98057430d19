import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import type { Deps } from './deps.ts';
import type { AppEnv } from './context.ts';
import { HttpError } from './errors.ts';

/**
 * /metrics alone: on a port of its own (METRICS_PORT) that no proxy routes to, or, given `token`
 * (METRICS_TOKEN), on PORT for requests bearing it. Metrics name rooms' traffic and replicas' load,
 * so by default the public port does not serve them at all (issue 19).
 */
export function metricsRoutes(deps: Pick<Deps, 'metrics'>, token: string | null = null) {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  const expected = token === null ? null : digest(token);
  return new Hono().get('/metrics', async (c) => {
    if (expected !== null) {
      const given = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1] ?? '';
      if (!timingSafeEqual(digest(given), expected)) throw new HttpError(404, 'There is nothing at this address.');
    }
    return c.text(await deps.metrics.render(), 200, { 'content-type': deps.metrics.contentType });
  });
}

export function opsRoutes(deps: Pick<Deps, 'config' | 'lifecycle' | 'poller' | 'metrics' | 'pool'>) {
  const freshMs = Math.max(5000, deps.config.pollIntervalMs * 5);
  const routes = new Hono<AppEnv>()
    .get('/healthz', (c) => c.text('ok'))
    .get('/readyz', (c) => {
      if (deps.lifecycle.shuttingDown) return c.text('shutting down', 503);
      if (!deps.pool.ready) return c.text('opening the database pool', 503);
      const since = deps.poller.sinceLastPoll();
      if (deps.poller.failing() || since > freshMs) {
        return c.text(`database not answering: last good poll ${Math.round(since)} ms ago`, 503);
      }
      return c.text('ready');
    });
  if (deps.config.metricsPort === null && deps.config.metricsToken !== null) routes.route('/', metricsRoutes(deps, deps.config.metricsToken));
  return routes;
}
