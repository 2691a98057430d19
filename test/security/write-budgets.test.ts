import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { postJson, signIn } from '../support/client.ts';

// Issue 19 (Medium): only posts were rate-limited; one member made 31 edits/s, 12 reaction toggles/s
// and 869 rooms in 40 s. Each kind of write now has its own budget per person, over all replicas.
describe('write budgets per person and kind, over replicas', () => {
  let a: Replica;
  let b: Replica;
  let cookie: string;
  let id: string;
  const small = { max: 4, windowMs: 60_000 };
  beforeAll(async () => {
    const db = await freshDatabase();
    const limits = { rateLimitMessages: null, rateLimitEdits: small, rateLimitReactions: small, rateLimitRooms: small, rateLimitSearches: small };
    [a, b] = await Promise.all([startReplica(db, limits), startReplica(db, limits)]);
    cookie = await signIn(a.url, 'busy');
    id = ((await (await postJson(a.url, cookie, 'general', 'edit me')).json()) as { message: { id: string } }).message.id;
  });
  afterAll(() => Promise.all([a?.close(), b?.close()]));

  const call = (base: string, method: string, path: string, body?: unknown) =>
    fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json', accept: 'application/json', cookie }, body: body === undefined ? undefined : JSON.stringify(body) });

  const kinds: Record<string, (base: string, i: number) => Promise<Response>> = {
    edits: (base, i) => call(base, 'PATCH', `/api/rooms/general/messages/${id}`, { body: `edit ${i}` }),
    reactions: (base) => call(base, 'POST', `/api/rooms/general/messages/${id}/reactions`, { emoji: '👍' }),
    'new rooms': (base, i) => call(base, 'POST', '/api/rooms', { title: `Room ${i}` }),
    searches: (base) => call(base, 'GET', '/api/search?q=edit'),
  };

  it('answers the fifth of each kind within the window with 429 and Retry-After, whichever replica it reaches, and the kinds do not share a budget', async () => {
    for (const [what, write] of Object.entries(kinds)) {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await write(i % 2 ? b.url : a.url, i)).status);
      expect(statuses.every((s) => s < 300), `${what}: ${statuses.join(' ')}`).toBe(true);
      const refused = await write(b.url, 9);
      expect(refused.status, what).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await refused.json()) as { error: string }).error).toContain(what);
    }
    // Posting has its own budget (off here) and still works.
    expect((await postJson(b.url, cookie, 'general', 'still posting')).status).toBe(201);
  });

  it('has defaults a real team never meets, each its own setting', () => {
    const c = loadConfig({});
    expect(c.rateLimitEdits).toEqual({ max: 60, windowMs: 60_000 });
    expect(c.rateLimitReactions).toEqual({ max: 120, windowMs: 60_000 });
    expect(c.rateLimitRooms).toEqual({ max: 30, windowMs: 3_600_000 });
    expect(c.rateLimitSearches).toEqual({ max: 60, windowMs: 60_000 });
    expect(loadConfig({ RATE_LIMIT_EDITS: 'off' }).rateLimitEdits).toBeNull();
    expect(() => loadConfig({ RATE_LIMIT_ROOMS: 'lots' })).toThrow(/RATE_LIMIT_ROOMS/);
  });
});
