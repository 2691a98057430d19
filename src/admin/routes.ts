import { Hono } from 'hono';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../http/context.ts';

/** Admin pages and APIs: people and the join link (filled in by the accounts work). */
export function adminRoutes(_deps: Deps) {
  return new Hono<AppEnv>();
}
