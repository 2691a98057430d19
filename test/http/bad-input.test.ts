import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { eventually, signIn } from '../support/client.ts';

let r: Replica;
let cookie: string;
beforeAll(async () => {
  r = await startReplica(await freshDatabase(), { rateLimitMessages: null });
  cookie = await signIn(r.url);
});
afterAll(() => r.close());

type Case = [string, string, string, RequestInit & { auth?: boolean }, number];
const json = (body: string): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body });

const cases: Case[] = [
  ['an empty body', 'POST', '/rooms/general/messages', json('{"body":"   \\n  "}'), 400],
  ['a missing body field', 'POST', '/rooms/general/messages', json('{}'), 400],
  ['a body that is a number', 'POST', '/rooms/general/messages', json('{"body":42}'), 400],
  ['a body that is an object', 'POST', '/rooms/general/messages', json('{"body":{"a":1}}'), 400],
  ['a body over 4,000 characters', 'POST', '/rooms/general/messages', json(JSON.stringify({ body: 'x'.repeat(4001) })), 400],
  ['a NUL byte', 'POST', '/rooms/general/messages', json('{"body":"a\\u0000b"}'), 400],
  // C0 controls other than tab and line breaks (and DEL) carry no text: refused like NUL.
  ['a body with a control character', 'POST', '/rooms/general/messages', json('{"body":"a\\u0001b"}'), 400],
  ['a body with a terminal escape', 'POST', '/rooms/general/messages', json('{"body":"\\u001b[31mred"}'), 400],
  ['a body with a vertical tab', 'POST', '/rooms/general/messages', json('{"body":"a\\u000bb"}'), 400],
  ['a body with DEL', 'POST', '/rooms/general/messages', json('{"body":"a\\u007fb"}'), 400],
  ['an unpaired surrogate', 'POST', '/rooms/general/messages', json('{"body":"\\ud800"}'), 400],
  ['malformed JSON', 'POST', '/rooms/general/messages', json('{"body":'), 400],
  ['JSON that is an array', 'POST', '/rooms/general/messages', json('["hi"]'), 400],
  ['JSON null', 'POST', '/rooms/general/messages', json('null'), 400],
  ['malformed UTF-8', 'POST', '/rooms/general/messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: new Uint8Array([0x7b, 0x22, 0x62, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]) }, 400],
  ['an unknown content type', 'POST', '/rooms/general/messages', { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<body/>' }, 415],
  ['a request body over 64 KiB', 'POST', '/rooms/general/messages', json(JSON.stringify({ body: 'x'.repeat(70_000) })), 413],
  ['an unknown room', 'POST', '/rooms/nowhere/messages', json('{"body":"hi"}'), 404],
  ['posting without a session', 'POST', '/rooms/general/messages', { ...json('{"body":"hi"}'), auth: false }, 401],
  ['a forged session cookie', 'POST', '/rooms/general/messages', { ...json('{"body":"hi"}'), auth: false, headers: { 'content-type': 'application/json', cookie: 'chat_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } }, 401],
  ['a name with a space', 'POST', '/session', json('{"name":"a b","password":"long enough"}'), 400],
  ['a name over 32 characters', 'POST', '/session', json(JSON.stringify({ name: 'n'.repeat(33), password: 'long enough' })), 400],
  ['a short password', 'POST', '/session', json('{"name":"shorty","password":"short"}'), 400],
  ['a password over 256 characters', 'POST', '/session', json(JSON.stringify({ name: 'longpw', password: 'p'.repeat(257) })), 400],
  ['a password that is not a string', 'POST', '/session', json('{"name":"numeric","password":12345678}'), 400],
  // Registration is its own route (POST /users) and checks the same shapes before anything else.
  ['registering a name with a space', 'POST', '/users', { ...json('{"name":"a b","password":"long enough"}'), auth: false }, 400],
  ['registering a name over 32 characters', 'POST', '/users', { ...json(JSON.stringify({ name: 'n'.repeat(33), password: 'long enough' })), auth: false }, 400],
  ['registering a name with a control character', 'POST', '/users', { ...json('{"name":"ctl\\u0001x","password":"long enough"}'), auth: false }, 400],
  ['registering with a short password', 'POST', '/users', { ...json('{"name":"shorty","password":"short"}'), auth: false }, 400],
  ['registering with a password over 256 characters', 'POST', '/users', { ...json(JSON.stringify({ name: 'longpw', password: 'p'.repeat(257) })), auth: false }, 400],
  ['registering with a password that is not a string', 'POST', '/users', { ...json('{"name":"numeric","password":12345678}'), auth: false }, 400],
  ['a malformed cursor in ?after=', 'GET', '/api/rooms/general/messages?after=%27%3B%20DROP', {}, 400],
  ['a malformed cursor in ?before=', 'GET', '/api/rooms/general/messages?before=zz-zz-zz', {}, 400],
  ['both after and before', 'GET', '/api/rooms/general/messages?after=0-0&before=0-1', {}, 400],
  ['a limit of 0', 'GET', '/api/rooms/general/messages?limit=0', {}, 400],
  ['a limit of 501', 'GET', '/api/rooms/general/messages?limit=501', {}, 400],
  ['a limit that is not a number', 'GET', '/api/rooms/general/messages?limit=ten', {}, 400],
  ['history of an unknown room', 'GET', '/api/rooms/nowhere/messages', {}, 404],
  ['a stream with a malformed Last-Event-ID', 'GET', '/rooms/general/events', { headers: { 'last-event-id': 'not a cursor' } }, 400],
  ['a stream of an unknown room', 'GET', '/rooms/nowhere/events', {}, 404],
  // Members only: reading needs a session too.
  ['history without a session', 'GET', '/api/rooms/general/messages', { auth: false }, 401],
  ['a stream without a session', 'GET', '/rooms/general/events', { auth: false }, 401],
  ['an unknown API route', 'GET', '/api/nothing', {}, 404],
];

describe('bad input', () => {
  it.each(cases)('%s gets a clear JSON error (%s %s)', async (_name, method, path, init, status) => {
    const { auth = true, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (auth && !headers.has('cookie')) headers.set('cookie', cookie);
    const res = await fetch(`${r.url}${path}`, { ...rest, method, headers });
    expect(res.status).toBe(status);
    const answer = (await res.json()) as { error: unknown };
    expect(typeof answer.error).toBe('string');
    expect((answer.error as string).length).toBeGreaterThan(5);
  });

  it('loses nothing already accepted and leaves the server healthy', async () => {
    const ok = await fetch(`${r.url}/rooms/general/messages`, { ...json('{"body":"still here"}'), headers: { 'content-type': 'application/json', cookie } });
    expect(ok.status).toBe(201);
    for (const path of ['/healthz', '/readyz']) expect((await fetch(`${r.url}${path}`)).status).toBe(200);
    const history = await eventually(
      async () => (await fetch(`${r.url}/api/rooms/general/messages`, { headers: { cookie } }).then((x) => x.json())) as { messages: { body: string }[] },
      (h) => h.messages.length > 0,
    );
    expect(history.messages.map((m) => m.body)).toEqual(['still here']);
  });
});
