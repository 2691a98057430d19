import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { openStream, postJson, signIn, type EventStream } from '../support/client.ts';

// Issue 19, the High finding: after "Sign out everywhere", a password change or a reset, a tab of
// the old session went on receiving every message live. Every way of ending a session now ends its
// open streams on every replica within a poll interval or two, with `event: signed-out`.
describe('ending a session ends its open streams on every replica', () => {
  let a: Replica;
  let b: Replica;
  let admin: string;
  const password = 'correct horse';
  beforeAll(async () => {
    const db = await freshDatabase();
    [a, b] = await Promise.all([startReplica(db, { rateLimitMessages: null, rateLimitSignin: null, rateLimitSigninName: null }),
      startReplica(db, { rateLimitMessages: null, rateLimitSignin: null, rateLimitSigninName: null })]);
    admin = await signIn(a.url, `boss_${process.pid}`);
  });
  afterAll(() => Promise.all([a?.close(), b?.close()]));

  const call = (cookie: string, method: string, path: string, body?: unknown) =>
    fetch(`${a.url}${path}`, { method, redirect: 'manual', headers: { 'content-type': 'application/json', cookie }, body: body === undefined ? undefined : JSON.stringify(body) });

  /** Streams of one session on both replicas: the room's own and the page's every-room stream. */
  const streamsOf = (cookie: string) => Promise.all([
    openStream(a.url, 'general', { cookie }), openStream(b.url, 'general', { cookie }), openStream(b.url, 'general', { cookie, path: '/events' }),
  ]);

  /** Every stream ends within 2 s of `end`, its last event `signed-out`, and none carries what was posted after. */
  async function expectSignedOut(streams: EventStream[], end: () => Promise<Response>, expected: number) {
    for (const s of streams) expect(s.status).toBe(200);
    const started = Date.now();
    expect((await end()).status).toBe(expected);
    await postJson(a.url, admin, 'general', `after the end ${started}`);
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 3000).unref());
    for (const s of streams) expect(await Promise.race([s.ended.then(() => 'ended' as const), timeout])).toBe('ended');
    const took = Date.now() - started;
    expect(took).toBeLessThan(2000);
    for (const s of streams) {
      expect(s.events.at(-1)?.event).toBe('signed-out');
      expect(s.events.some((e) => e.event === 'message' && String(e.message.body).startsWith('after the end'))).toBe(false);
    }
    return took;
  }

  it('sign out ends that session’s streams on both replicas, and leaves the person’s other session streaming', async () => {
    const name = `leaving_${process.pid}`;
    const cookie = await signIn(a.url, name);
    const other = await signIn(b.url, name);
    const kept = await openStream(b.url, 'general', { cookie: other });
    const took = await expectSignedOut(await streamsOf(cookie), () => call(cookie, 'POST', '/session/end'), 204);
    console.log(`sign out: streams ended within ${took} ms`);
    await postJson(a.url, admin, 'general', 'still here for the other');
    await kept.waitFor(2);
    kept.close();
  });

  it('sign out everywhere (the account page and DELETE /api/sessions) ends every session’s streams', async () => {
    for (const how of ['form', 'api'] as const) {
      const name = `everywhere_${how}_${process.pid}`;
      const one = await signIn(a.url, name);
      const two = await signIn(b.url, name);
      const streams = [...(await streamsOf(one)), ...(await streamsOf(two))];
      const took = await expectSignedOut(streams, () => how === 'api' ? call(one, 'DELETE', '/api/sessions') : call(one, 'POST', '/account/sessions/end'), 204);
      console.log(`sign out everywhere (${how}): streams ended within ${took} ms`);
      for (const c of [one, two]) expect((await fetch(`${b.url}/api/rooms`, { headers: { cookie: c } })).status).toBe(401);
    }
  });

  it('a password change ends the person’s other sessions’ streams, and keeps the changing session’s own', async () => {
    const name = `changer_${process.pid}`;
    const here = await signIn(a.url, name);
    const there = await signIn(b.url, name);
    const own = await openStream(b.url, 'general', { cookie: here });
    const took = await expectSignedOut(await streamsOf(there), () => call(here, 'POST', '/account/password', { current: password, password: 'a new horse staple' }), 204);
    console.log(`password change: streams ended within ${took} ms`);
    await own.waitFor(1);
    expect(own.events.every((e) => e.event !== 'signed-out')).toBe(true);
    own.close();
  });

  it('a password reset ends every stream of the person', async () => {
    const name = `forgetful_${process.pid}`;
    const cookie = await signIn(a.url, name);
    const made = await call(admin, 'POST', `/api/users/${name}/reset`, {});
    const { url } = (await made.json()) as { url: string };
    const took = await expectSignedOut(await streamsOf(cookie), () => fetch(url, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: 'a reset horse staple' }),
    }), 200);
    console.log(`password reset: streams ended within ${took} ms`);
  });

  it('deactivation ends the streams with signed-out; a reset link does nothing for a deactivated person; reactivation revives neither', async () => {
    const name = `parted_${process.pid}`;
    const cookie = await signIn(a.url, name);
    const made = await call(admin, 'POST', `/api/users/${name}/reset`, {});
    const { url } = (await made.json()) as { url: string };
    await expectSignedOut(await streamsOf(cookie), () => call(admin, 'POST', `/api/users/${name}/deactivate`), 204);
    const reset = (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: 'a sneaky horse staple' }) }));
    expect(reset.status).toBe(404);
    expect((await fetch(url)).status).toBe(404);
    expect((await call(admin, 'POST', `/api/users/${name}/activate`)).status).toBe(204);
    expect((await fetch(`${b.url}/api/rooms`, { headers: { cookie } })).status).toBe(401);
    expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: 'a sneaky horse staple' }) })).status).toBe(404);
    // The person signs in again with the password they had.
    expect((await fetch(`${a.url}/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }) })).status).toBe(200);
  });

  it('a session made by a reset while deactivated does not come alive on reactivation', async () => {
    const name = `sleeper_${process.pid}`;
    await signIn(a.url, name);
    expect((await call(admin, 'POST', `/api/users/${name}/deactivate`)).status).toBe(204);
    // A link made while deactivated is refused as well, and gone after reactivation.
    const made = await call(admin, 'POST', `/api/users/${name}/reset`, {});
    const { url } = (await made.json()) as { url: string };
    const used = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: 'a sneaky horse staple' }) });
    expect(used.status).toBe(404);
    expect(used.headers.getSetCookie().some((c) => /chat_session=[^;]/.test(c))).toBe(false);
    expect((await call(admin, 'POST', `/api/users/${name}/activate`)).status).toBe(204);
    expect((await fetch(url)).status).toBe(404);
  });
});
