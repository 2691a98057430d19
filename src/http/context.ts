import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Config } from '../config.ts';
import type { Sql } from '../db/connect.ts';
import type { Logger } from '../ops/log.ts';
import type { Metrics } from '../ops/metrics.ts';
import type { RoomRegistry } from '../rooms/registry.ts';
import { findSession, type User } from '../sessions/store.ts';
import type { Hub } from '../sync/feed.ts';
import type { Notifier } from '../sync/notify.ts';
import type { Poller } from '../sync/poller.ts';
import type { Streams } from '../sync/streams.ts';
import type { Views } from '../views.ts';

export interface Deps {
  config: Config;
  sql: Sql;
  hub: Hub;
  rooms: RoomRegistry;
  streams: Streams;
  poller: Poller;
  notifier: Notifier;
  views: Views;
  log: Logger;
  metrics: Metrics;
  lifecycle: { shuttingDown: boolean };
}

export type AppEnv = {
  Bindings: HttpBindings;
  Variables: { json: boolean; user?: User | null };
};

export type Ctx = Context<AppEnv>;

export const SESSION_COOKIE = 'chat_session';

/** The signed-in user, looked up once per request and only by the routes that need it. */
export async function currentUser(c: Ctx, sql: Sql): Promise<User | null> {
  let user = c.get('user');
  if (user === undefined) {
    const token = getCookie(c, SESSION_COOKIE);
    user = token ? await findSession(sql, token) : null;
    c.set('user', user);
  }
  return user;
}

/** Renders a page inside the layout, with who is signed in and which replica served it. */
export function page(c: Ctx, deps: Deps, status: number, view: string, data: Record<string, unknown>): Response {
  const html = deps.views.render(view, {
    ...data,
    user: c.get('user') ?? null,
    path: c.req.path,
    replica: deps.config.replicaName,
  });
  return c.html(html, status as 200);
}
