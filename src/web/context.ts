import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';
import type { Sql } from '../db/connect.ts';
import type { Room } from '../rooms/registry.ts';
import { sessionToken } from './accounts/cookie.ts';
import { findSession, type User } from '../accounts/sessions.ts';

export type AppEnv = {
  Bindings: HttpBindings;
  Variables: {
    json: boolean;
    user?: User | null;
    /** Set by requireRoom, after the access check. */
    room: Room;
  };
};

export type Ctx = Context<AppEnv>;

declare module 'hono' {
  interface ContextRenderer {
    (view: string, data: Record<string, unknown>, status?: number): Response | Promise<Response>;
  }
}

/** The signed-in user, looked up once per request and only by the routes that need it. */
export async function currentUser(c: Ctx, sql: Sql): Promise<User | null> {
  let user = c.get('user');
  if (user === undefined) {
    const token = sessionToken(c);
    user = token ? await findSession(sql, token) : null;
    c.set('user', user);
  }
  return user;
}
