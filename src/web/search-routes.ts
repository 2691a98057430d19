import { Hono } from 'hono';
import type { Deps } from './deps.ts';
import type { AppEnv, Ctx } from './context.ts';
import { HttpError } from './errors.ts';
import { writeBudget } from './write-budget.ts';
import { roomView } from '../rooms/registry.ts';
import { parseSearch, type SearchQuery } from '../search/query.ts';
import { searchMessages, type SearchPage } from '../search/search.ts';

const FIELDS = ['q', 'room', 'from', 'since', 'until', 'next'] as const;

/** Search is for signed-in people (members-only keeps everyone else out) over the rooms they may read. */
export function searchRoutes(deps: Pick<Deps, 'sql' | 'rooms' | 'config'>) {
  const { sql, rooms } = deps;
  const searches = writeBudget(sql, 'search', deps.config.rateLimitSearches, 'searches');

  const run = async (c: Ctx, query: SearchQuery): Promise<SearchPage> => {
    const user = c.get('user') ?? null;
    // Archived rooms included: what one may read in the room, one may find.
    let readable = rooms.all().filter((r) => rooms.canRead(user, r));
    if (query.room) {
      const room = rooms.get(query.room);
      if (!room || !readable.includes(room)) throw new HttpError(404, `There is no room called "${query.room}".`);
      readable = [room];
    }
    return searchMessages(sql, readable.map((r) => r.id), query);
  };

  const params = (c: Ctx) => Object.fromEntries(FIELDS.map((k) => [k, c.req.query(k)]));

  return new Hono<AppEnv>()
    .get('/api/search', searches, async (c) => {
      const parsed = parseSearch(params(c));
      if (!parsed.ok) throw new HttpError(400, parsed.message);
      return c.json(await run(c, parsed.query));
    })
    .get('/search', searches, async (c) => {
      const raw = params(c);
      const user = c.get('user') ?? null;
      const page = {
        title: raw.q ? `Search: ${raw.q}` : 'Search',
        form: raw,
        rooms: rooms.all().filter((r) => rooms.canRead(user, r)).map((r) => roomView(r, user)),
      };
      if (!raw.q?.trim()) return c.render('search', { ...page, results: null });
      const parsed = parseSearch(raw);
      if (!parsed.ok) return c.render('search', { ...page, results: null, error: parsed.message }, 400);
      try {
        const found = await run(c, parsed.query);
        const more = found.next ? `/search?${new URLSearchParams({ ...definedOnly(raw), next: found.next })}` : null;
        return c.render('search', { ...page, results: found.results, more });
      } catch (err) {
        if (!(err instanceof HttpError) || err.status !== 404) throw err;
        return c.render('search', { ...page, results: null, error: err.message }, 404);
      }
    });
}

function definedOnly(raw: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(raw).filter((e): e is [string, string] => Boolean(e[1]) && e[0] !== 'next'));
}
