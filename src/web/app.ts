import { Hono } from 'hono';
import { limitBody, streamsBody } from './body-limit.ts';
import type { Deps } from './deps.ts';
import { adminRoutes } from './accounts/admin-people.ts';
import { bearerAuth } from './bots/bearer.ts';
import { hookRoutes } from './bots/hooks.ts';
import { botRoutes } from './bots/routes.ts';
import { currentUser, type AppEnv, type Ctx } from './context.ts';
import { HttpError, isDatabaseUnavailable, UNAVAILABLE } from './errors.ts';
import { crossSiteGuard, pathGuard, securityHeaders } from './guard.ts';
import { MAX_BODY_BYTES } from './input.ts';
import { membersOnly } from './access.ts';
import { firstRun } from './first-run.ts';
import { cookieScheme } from './accounts/cookie.ts';
import { fileRoutes } from './files/routes.ts';
import { renderer } from './render.ts';
import { staticRoutes } from './static.ts';
import { messageRoutes } from './messages/post-routes.ts';
import { historyRoutes } from './messages/history-routes.ts';
import { roomPageRoutes } from './rooms/page-routes.ts';
import { messageChangeRoutes } from './messages/change-routes.ts';
import { opsRoutes } from './ops-routes.ts';
import { presenceRoutes } from './presence-routes.ts';
import { pushRoutes } from './push-routes.ts';
import { pwaRoutes } from './pwa-routes.ts';
import { typingRoutes } from './typing-routes.ts';
import { roomFormRoutes } from './rooms/forms.ts';
import { roomAuditPageRoutes } from './rooms/audit-page.ts';
import { roomRoutes } from './rooms/routes.ts';
import { searchRoutes } from './search-routes.ts';
import { accountRoutes } from './accounts/routes.ts';
import { streamRoutes } from './stream-routes.ts';
import { unreadRoutes } from './unread-routes.ts';
import { profileRoutes } from './profiles/routes.ts';

const HEADINGS: Record<number, string> = {
  400: 'That did not work', 401: 'Sign in first', 403: 'Refused', 404: 'Not found', 405: 'Not allowed', 409: 'Already taken',
  413: 'Too large', 415: 'Unsupported', 429: 'Slow down', 500: 'Something broke', 503: 'Try again soon',
};
const REQUEST_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 1000];

/** The whole HTTP surface. It never listens: the entry file (or a test) does. */
export function createApp(deps: Deps) {
  const app = new Hono<AppEnv>();

  // Every failure becomes an answer for a person: JSON for API clients, a page for browsers.
  const answer = async (c: Ctx, err: unknown): Promise<Response> => {
    let status = 500;
    let message = 'Something went wrong on our side.';
    if (err instanceof HttpError) {
      status = err.status;
      message = err.message;
      err.addHeadersTo(c);
    } else if (isDatabaseUnavailable(err)) {
      // Which error it was, for LOG_LEVEL=debug only: an outage answers every request this way.
      deps.log.debug('database unavailable', { path: c.req.path, code: (err as { code?: string }).code, error: (err as Error).message });
      status = 503;
      message = UNAVAILABLE;
      c.header('Retry-After', '2');
    } else {
      deps.log.error('unhandled error', { path: c.req.path, error: (err as Error)?.stack ?? String(err) });
    }
    if (c.get('json')) return c.json({ error: message }, status as 400);
    const heading = HEADINGS[status] ?? 'Error';
    // The page header shows who is signed in; an error page must not pretend nobody is.
    if (status !== 503) await currentUser(c, deps.sql).catch(() => null);
    return c.render('error', { title: heading, heading, message }, status);
  };

  app.use(async (c, next) => {
    const started = performance.now();
    const type = c.req.header('content-type') ?? '';
    const accept = c.req.header('accept') ?? '';
    // Browsers ask for text/html on navigations and form posts; everyone else gets JSON errors.
    c.set('json', c.req.path.startsWith('/api/') || type.includes('json') || !accept.includes('text/html'));
    await next();
    const route = c.req.routePath === '/*' ? 'unmatched' : c.req.routePath;
    deps.metrics.inc('chat_http_requests_total', 'HTTP requests by route and status', { method: c.req.method, route, status: String(c.res.status) });
    deps.metrics.observe('chat_http_request_duration_ms', 'HTTP request duration (streams: until headers)', performance.now() - started, REQUEST_BUCKETS);
  });
  app.use(securityHeaders(deps.config.replicaName, deps.config.publicOrigin?.startsWith('https:') ?? false));
  app.use(renderer(deps.views, deps.config.replicaName));
  app.use(crossSiteGuard(deps.config.publicOrigin));
  app.use(pathGuard());
  const limit = limitBody(MAX_BODY_BYTES, (c) => answer(c, new HttpError(413, 'The request body is larger than 64 KiB.')));
  // Routes marked streamsItsBody() read their own body under UPLOAD_MAX_MB (src/web/files/).
  app.use((c, next) => (streamsBody(c) ? next() : limit(c, next)));

  // Who may use a route is declared here, where it is mounted. Open to anyone, even on an empty instance:
  app.route('/', staticRoutes());
  app.route('/', opsRoutes(deps));
  // The installable app's files: manifest, icons, service worker, offline page.
  app.route('/', pwaRoutes());
  app.use(cookieScheme(deps.config.publicOrigin));
  const accounts = accountRoutes(deps);
  app.route('/', accounts.firstRun);
  app.use(firstRun(deps.sql));
  // Bots: Authorization: Bearer makes the caller that bot on every route below, or a 401 (src/web/bots/bearer.ts).
  app.use(bearerAuth(deps.sql));
  // Open: a bot's incoming hook, whose token in the path is its credential.
  app.route('/', hookRoutes(deps));
  // Open to anyone: signing in and out, join and reset links.
  app.route('/', accounts.open);
  // Open: avatars (beside messages, public rooms too) and opening or using a sign-in link.
  const profiles = profileRoutes(deps, accounts.startSession);
  app.route('/', profiles.open);
  // Room-scoped: each route says who may use it (requireRoom(), publicRead where anyone may read
  // a room an admin made public; the post's session is checked by its own statement).
  app.route('/', roomPageRoutes(deps));
  app.route('/', historyRoutes(deps));
  app.route('/', fileRoutes(deps));
  app.route('/', streamRoutes(deps));
  app.route('/', messageRoutes(deps));
  // Everything mounted after this needs a session: members only unless declared above.
  app.use(membersOnly(deps.sql));
  app.route('/', accounts.members);
  app.route('/', adminRoutes(deps));
  app.route('/', botRoutes(deps));
  app.route('/', roomRoutes(deps));
  app.route('/', roomFormRoutes(deps));
  app.route('/', roomAuditPageRoutes(deps));
  app.route('/', messageChangeRoutes(deps));
  app.route('/', searchRoutes(deps));
  app.route('/', presenceRoutes(deps));
  app.route('/', unreadRoutes(deps));
  app.route('/', pushRoutes(deps));
  app.route('/', typingRoutes(deps));
  app.route('/', profiles.members);

  app.notFound((c) => answer(c, new HttpError(404, 'There is nothing at this address.')));
  app.onError((err, c) => answer(c, err));

  return app;
}
