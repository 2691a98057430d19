import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, signIn } from '../support/client.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';

// Search answers only from rooms the person may read: the rooms come from the same registry that
// guards the room pages, and a hidden room's text never shows, not even inside a snippet.
let r: Replica;
const who: Record<string, string> = {};

interface Found { results: { message: { room: string; body: string; id: string }; snippet: string }[]; next?: string }
const search = async (as: string, params: Record<string, string>) => {
  const res = await fetch(`${r.url}/api/search?${new URLSearchParams(params)}`, { headers: { cookie: who[as]! } });
  return { status: res.status, body: (await res.json()) as Found };
};
const page = (as: string, q: string) =>
  fetch(`${r.url}/search?${new URLSearchParams({ q })}`, { headers: { cookie: who[as]!, accept: 'text/html' } }).then((x) => x.text());
const api = (as: string, method: string, path: string, body?: unknown) =>
  fetch(`${r.url}${path}`, { method, headers: { cookie: who[as]!, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

beforeAll(async () => {
  r = await startReplica(await freshDatabase(), { rateLimitMessages: null });
  for (const name of ['boss', 'alice', 'bob', 'carol']) who[name] = await signIn(r.url, name);
  expect((await api('alice', 'POST', '/api/rooms', { title: 'Vault', kind: 'closed', members: ['bob'] })).status).toBe(201);
  expect((await postJson(r.url, who.alice!, 'vault', 'the launch codeword is pineapple')).status).toBe(201);
  expect((await postJson(r.url, who.alice!, 'general', 'pineapple on pizza is fine')).status).toBe(201);
  expect((await api('alice', 'POST', '/api/directs', { names: ['bob'] })).status).toBe(201);
});
afterAll(() => r?.close());

describe('search and who may read what', () => {
  it('never finds a message in a closed room for a non-member, in results or snippets', async () => {
    const found = await search('carol', { q: 'pineapple' });
    expect(found.status).toBe(200);
    expect(found.body.results.map((x) => x.message.room)).toEqual(['general']);
    expect(JSON.stringify(found.body)).not.toContain('codeword');
    expect((await search('carol', { q: 'codeword' })).body.results).toEqual([]);
    expect(await page('carol', 'pineapple')).not.toContain('codeword');
    expect(await page('carol', 'codeword')).toContain('Nothing found');
  });

  it('answers a room filter naming a room the caller may not read exactly like an unknown room', async () => {
    const hidden = await search('carol', { q: 'pineapple', room: 'vault' });
    const missing = await search('carol', { q: 'pineapple', room: 'no-such-room' });
    expect(hidden.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(hidden.body).toEqual({ error: 'There is no room called "vault".' });
  });

  it('finds the closed room for its members, and stops the moment one is removed', async () => {
    const bob = await search('bob', { q: 'pineapple' });
    expect(bob.body.results.map((x) => x.message.room).sort()).toEqual(['general', 'vault']);
    expect((await search('bob', { q: 'codeword', room: 'vault' })).body.results[0]!.snippet).toContain('<mark>codeword</mark>');
    expect((await api('alice', 'DELETE', '/api/rooms/vault/members/bob')).status).toBe(204);
    expect((await search('bob', { q: 'codeword' })).body.results).toEqual([]);
  });

  it('keeps direct messages to the people in them', async () => {
    const slug = ((await (await api('alice', 'POST', '/api/directs', { names: ['bob'] })).json()) as { room: { slug: string } }).room.slug;
    expect((await postJson(r.url, who.alice!, slug, 'just between us: marzipan')).status).toBe(201);
    expect((await search('bob', { q: 'marzipan' })).body.results).toHaveLength(1);
    expect((await search('carol', { q: 'marzipan' })).body.results).toEqual([]);
    expect((await search('boss', { q: 'marzipan' })).body.results).toEqual([]);
  });

  it('escapes whatever of the body a snippet carries and marks only the matches', async () => {
    expect((await postJson(r.url, who.alice!, 'general', '<img src=x onerror=alert(1)> <b>kiwi</b> & "kiwi"')).status).toBe(201);
    const [hit] = (await search('carol', { q: 'kiwi' })).body.results;
    expect(hit!.snippet).not.toMatch(/<(?!\/?mark>)/);
    expect(hit!.snippet).toContain('&amp; &quot;');
    expect(hit!.snippet).toContain('<mark>kiwi</mark>');
    expect(hit!.message.body).toBe('<img src=x onerror=alert(1)> <b>kiwi</b> & "kiwi"');
  });

  it('sends anonymous callers to sign in, and archived rooms stay searchable to their readers', async () => {
    expect((await fetch(`${r.url}/api/search?q=pineapple`)).status).toBe(401);
    const res = await fetch(`${r.url}/search?q=pineapple`, { redirect: 'manual', headers: { accept: 'text/html' } });
    expect(res.status).toBe(303);
    expect((await api('boss', 'PATCH', '/api/rooms/general', { archived: true })).status).toBe(200);
    expect((await search('carol', { q: 'pineapple' })).body.results.map((x) => x.message.room)).toEqual(['general']);
    expect((await api('boss', 'PATCH', '/api/rooms/general', { archived: false })).status).toBe(200);
  });
});
