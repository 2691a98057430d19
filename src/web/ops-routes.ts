import { Hono } from 'hono';
import type { Deps } from './deps.ts';
import type { AppEnv } from './context.ts';

/** /metrics alone: on PORT, or (METRICS_PORT) on a port of its own that no proxy routes to. */
export function metricsRoutes(deps: Pick<Deps, 'metrics'>) {
  return new Hono().get('/metrics', async (c) => c.text(await deps.metrics.render(), 200, { 'content-type': deps.metrics.contentType }));
}

export function opsRoutes(deps: Pick<Deps, 'config' | 'lifecycle' | 'poller' | 'metrics'>) {
  const freshMs = Math.max(5000, deps.config.pollIntervalMs * 5);
  const routes = new Hono<AppEnv>()
    .get('/healthz', (c) => c.text('ok'))
    .get('/readyz', (c) => {
      if (deps.lifecycle.shuttingDown) return c.text('shutting down', 503);
      const since = deps.poller.sinceLastPoll();
      if (deps.poller.failing() || since > freshMs) {
        return c.text(`database not answering: last good poll ${Math.round(since)} ms ago`, 503);
      }
      return c.text('ready');
    });
  if (deps.config.metricsPort === null) routes.route('/', metricsRoutes(deps));
  return routes;
}
