import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, postJson, signIn } from '../support/client.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';

// Documentation/api.md: messages in the history API carry their reactions, as in the stream.
let r: Replica;
let alice: string;
let bob: string;

const history = async (query = '') => {
  const res = await fetch(`${r.url}/api/rooms/general/messages${query}`, { headers: { cookie: alice } });
  expect(res.status).toBe(200);
  return (await res.json()) as { cursor: string; messages: { id: string; body: string; reactions?: Record<string, string[]> }[] };
};
const react = (cookie: string, id: string, emoji: string) =>
  fetch(`${r.url}/api/rooms/general/messages/${id}/reactions`, {
    method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ emoji }),
  });

beforeAll(async () => {
  r = await startReplica(await freshDatabase());
  alice = await signIn(r.url, 'alice');
  bob = await signIn(r.url, 'bob');
});
afterAll(async () => { await r?.close(); });

describe('the history API', () => {
  it('gives each message its reactions, on the newest page, older pages and pages after a cursor', async () => {
    const first = ((await (await postJson(r.url, alice, 'general', 'reacted to')).json()) as { message: { id: string } }).message;
    await postJson(r.url, alice, 'general', 'left alone');
    expect((await react(bob, first.id, '👍')).status).toBe(200);
    expect((await react(alice, first.id, '👍')).status).toBe(200);
    expect((await react(alice, first.id, '🎉')).status).toBe(200);
    const want = { '👍': ['bob', 'alice'], '🎉': ['alice'] };

    // History shows a message once no older transaction in the cluster is open (sql/013): wait.
    const newest = await eventually(() => history(), (p) => p.messages.some((m) => m.body === 'left alone'), 5000);
    expect(newest.messages.find((m) => m.id === first.id)?.reactions).toEqual(want);
    expect(newest.messages.find((m) => m.body === 'left alone')?.reactions).toBeUndefined();

    // The newest page of one holds 'left alone'; its cursor continues back to the reacted message.
    const latest = await history('?limit=1');
    expect(latest.messages.map((m) => m.body)).toEqual(['left alone']);
    const older = await history(`?before=${latest.cursor}&limit=1`);
    expect(older.messages[0]?.reactions).toEqual(want);

    const after = await history('?after=0-0&limit=500');
    expect(after.messages.find((m) => m.id === first.id)?.reactions).toEqual(want);
  });
});
