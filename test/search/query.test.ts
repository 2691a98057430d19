import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Sql } from '../../src/db/connect.ts';
import { postJson, signIn } from '../support/client.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';

// The web-search syntax, the filters, paging, and an index that follows edits and deletions in the
// same statement (a generated column): nothing to reindex, nothing stale.
let r: Replica;
let db: Sql;
let cookie: string;
const ids: Record<string, string> = {};

interface Found { results: { message: { id: string; body: string; author: string; room: string }; snippet: string }[]; next?: string }
const search = async (params: Record<string, string>) => {
  const res = await fetch(`${r.url}/api/search?${new URLSearchParams(params)}`, { headers: { cookie } });
  return { status: res.status, body: (await res.json()) as Found };
};
const bodies = async (params: Record<string, string>) => (await search(params)).body.results.map((x) => x.message.body).sort();
const post = async (as: string, room: string, body: string) => {
  const res = await postJson(r.url, as, room, body);
  expect(res.status).toBe(201);
  return ((await res.json()) as { message: { id: string } }).message.id;
};

beforeAll(async () => {
  const url = await freshDatabase();
  r = await startReplica(url, { rateLimitMessages: null });
  db = connect(url, { max: 1 });
  cookie = await signIn(r.url, 'alice');
  const bob = await signIn(r.url, 'bob');
  ids.deploy = await post(cookie, 'general', 'the deploy failed on friday');
  ids.failed = await post(bob, 'general', 'friday failed the deploy');
  ids.rollback = await post(cookie, 'ops', 'rollback the deploy now');
  ids.old = await post(bob, 'ops', 'an old deploy story');
  await db`UPDATE messages SET created_at = '2025-01-15T12:00:00Z' WHERE id = ${ids.old}`;
});
afterAll(async () => {
  await db?.end();
  await r?.close();
});

describe('search syntax and filters', () => {
  it('matches a quoted phrase only where its words stand together', async () => {
    expect(await bodies({ q: '"deploy failed"' })).toEqual(['the deploy failed on friday']);
  });

  it('leaves out -word and takes either side of OR', async () => {
    expect(await bodies({ q: 'deploy -friday' })).toEqual(['an old deploy story', 'rollback the deploy now']);
    expect(await bodies({ q: 'rollback OR story' })).toEqual(['an old deploy story', 'rollback the deploy now']);
  });

  it('filters by room, by author and by date, and refuses dates that are not ISO dates with a 400', async () => {
    expect(await bodies({ q: 'deploy', room: 'ops' })).toEqual(['an old deploy story', 'rollback the deploy now']);
    expect(await bodies({ q: 'deploy', from: 'BOB' })).toEqual(['an old deploy story', 'friday failed the deploy']);
    expect(await bodies({ q: 'deploy', until: '2025-01-15' })).toEqual(['an old deploy story']);
    expect(await bodies({ q: 'deploy', since: '2025-01-16', room: 'ops' })).toEqual(['rollback the deploy now']);
    expect(await bodies({ q: 'deploy', since: '2025-01-15T12:00:00Z', until: '2025-01-15T12:00:01+00:00' })).toEqual(['an old deploy story']);
    const refused: Record<string, string>[] = [{ since: 'yesterday' }, { until: '2025-02-30' }, { since: '15/01/2025' }, { next: 'garbage' }, { q: '' }];
    for (const bad of refused) {
      const res = await search({ q: 'deploy', ...bad });
      expect(res.status).toBe(400);
      expect(typeof (res.body as unknown as { error: string }).error).toBe('string');
    }
  });

  it('ranks the better match first and pages with an opaque next token, never repeating a hit', async () => {
    const many = await signIn(r.url, 'carol');
    for (let i = 0; i < 24; i++) await post(many, 'ops', `pagination test number ${i}`);
    await post(many, 'ops', 'pagination pagination pagination test');
    const first = await search({ q: 'pagination' });
    expect(first.body.results).toHaveLength(20);
    expect(first.body.results[0]!.message.body).toBe('pagination pagination pagination test');
    const second = await search({ q: 'pagination', next: first.body.next! });
    expect(second.body.results).toHaveLength(5);
    expect(second.body.next).toBeUndefined();
    const all = [...first.body.results, ...second.body.results].map((x) => x.message.id);
    expect(new Set(all).size).toBe(25);
  });
});

describe('the index follows the messages', () => {
  it('finds an edit by its new words and no longer by its old ones, as soon as PATCH answers', async () => {
    const edited = await fetch(`${r.url}/api/rooms/general/messages/${ids.deploy}`, {
      method: 'PATCH', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ body: 'the release went out on monday' }) });
    expect(edited.status).toBe(200);
    expect(await bodies({ q: 'monday' })).toEqual(['the release went out on monday']);
    expect(await bodies({ q: '"deploy failed"' })).toEqual([]);
  });

  it('never finds a deleted message again once DELETE answers: its text is gone and so is its entry', async () => {
    const deleted = await fetch(`${r.url}/api/rooms/ops/messages/${ids.rollback}`, { method: 'DELETE', headers: { cookie, 'content-type': 'application/json' } });
    expect(deleted.status).toBe(204);
    expect(await bodies({ q: 'rollback' })).toEqual([]);
    const [row] = await db<{ entry: string }[]>`SELECT search::text AS entry FROM messages WHERE id = ${ids.rollback!}`;
    expect(row!.entry).toBe('');
  });
});
