import { request } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor } from '../../src/sync/cursor.ts';
import { postJson, signIn } from '../support/client.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';

interface Req { method: string; path: string; headers: Record<string, string>; body?: Uint8Array }

/** One raw HTTP exchange; resolves with the status as soon as the head arrives (streams stay open). */
function send(base: string, r: Req): Promise<number> {
  const { port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: r.method, path: r.path, headers: r.headers, timeout: 10_000 }, (res) => {
      resolve(res.statusCode!);
      res.destroy();
    });
    req.on('timeout', () => req.destroy(new Error(`no answer to ${r.method} ${r.path}`)));
    req.on('error', reject);
    req.end(r.body);
  });
}

// Any UTF-16 unit, lone surrogates included, with the troublesome ones made common.
const nasty = fc.constantFrom('\0', '\x01', '\t', '\n', '\r', '\x7f', '\u2028', '\ud800', '\udfff', '\ufeff', '%', '/', '\\', '<', '"', "'", '&', 'é', '😀', ' ');
const unit = fc.oneof(nasty, fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n)), fc.string({ minLength: 1, maxLength: 1 }));
const text = fc.string({ unit, maxLength: 40 });
const anyString = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), text);
const headerValue = anyString.map((s) => s.replace(/[^\t\x20-\x7e\x80-\xff]/g, '').trim());
const percent = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9_-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`)).join('');
const rawSegment = fc.oneof(fc.constantFrom('general', 'help', 'nowhere', '%00', '%zz', '%', '..', '%2e%2e', '%2F', 'GENERAL', 'a'.repeat(300)), anyString.map(percent));

describe('random input to the JSON endpoints', () => {
  let r: Replica;
  let cookie: string;
  let cursors: string[];
  beforeAll(async () => {
    r = await startReplica(await freshDatabase(), { rateLimitSignin: { max: 50, windowMs: 60_000 } });
    cookie = await signIn(r.url, 'fuzzer');
    cursors = [];
    for (const body of ['one', 'two', 'three']) cursors.push(((await (await postJson(r.url, cookie, 'general', body)).json()) as { message: { cursor: string } }).message.cursor);
  });
  afterAll(() => r.close());

  it('never gets a 5xx, and the replica is healthy and ready afterwards', async () => {
    // Mostly what a real client sends, so most requests get past the guards to the code behind them.
    const often = <T, U>(usual: fc.Arbitrary<T>, ...odd: fc.Arbitrary<U>[]): fc.Arbitrary<T | U> =>
      fc.oneof({ arbitrary: usual, weight: 3 * odd.length }, ...odd.map((arbitrary) => ({ arbitrary: arbitrary, weight: 1 })));
    const none = fc.constant(undefined);
    const cursor = fc.oneof(
      fc.constantFrom(...cursors, '0-0', '-', '0', 'zzzzzzzzzzzzz-zzzzzzzzzzzzz', '1y2p0ij32e8e7-1y2p0ij32e8e7', '1y2p0ij32e8e8-0', cursors[0]!.toUpperCase()),
      fc.tuple(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })).map(([tx, id]) => encodeCursor({ tx, id })),
      anyString,
    );
    const value: fc.Arbitrary<unknown> = fc.oneof(anyString, fc.jsonValue(), fc.constantFrom(null, true, 0, -1, 1e308, [], {}, 'x'.repeat(5000)), fc.array(anyString, { maxLength: 3 }));
    const fields = fc.record({ name: value, password: value, body: value, next: value }, { requiredKeys: [] });
    const validish = fc.record({
      name: often(fc.constantFrom('fuzz-a', 'fuzz-b'), fc.stringMatching(/^[a-z0-9._-]{1,34}$/)),
      password: often(fc.constant('fuzz password'), fc.string({ minLength: 6, maxLength: 12 })),
      body: often(text, fc.constantFrom('', ' ')),
      next: often(text.map((t) => `/${t}`), fc.constantFrom('/', '//evil', '/rooms/general')),
    });
    const body = fc.oneof(
      fields.map((f) => JSON.stringify(f)),
      { arbitrary: validish.map((f) => JSON.stringify(f)), weight: 6 },
      { arbitrary: validish.map((f) => new URLSearchParams(f).toString()), weight: 2 },
      fields.map((f) => Object.entries(f).map(([k, v]) => `${percent(k)}=${percent(String(v))}`).join('&')),
      fc.json(),
      anyString,
      fc.uint8Array({ maxLength: 200 }),
      fc.constantFrom('', '{', 'null', '[]', '"x"', '{"__proto__":{"body":"x"}}', '--x\r\nContent-Disposition: form-data; name="body"\r\n\r\nhi\r\n--x--\r\n', 'x'.repeat(70_000)),
    ).map((b) => (typeof b === 'string' ? Buffer.from(b, 'utf8') : Buffer.from(b)));
    const contentType = often(
      fc.constantFrom('application/json', 'application/x-www-form-urlencoded'),
      fc.constantFrom('application/json; charset=utf-8', 'application/ld+json', 'multipart/form-data', 'multipart/form-data; boundary=x', 'text/plain', 'application/octet-stream', ''),
      headerValue,
    );
    const common = fc.record({
      cookie: often(fc.constant(cookie), none, fc.constant('chat_session=' + 'A'.repeat(43)), headerValue.map((v) => `chat_session=${v}`), headerValue),
      origin: often(fc.constant(r.url), none, fc.constant('https://evil.example'), fc.constant('null'), headerValue),
      'sec-fetch-site': often(fc.constant('same-origin'), none, fc.constantFrom('cross-site', 'same-site', 'none')),
      accept: often(fc.constantFrom('application/json', 'text/html', '*/*'), none, headerValue),
      'x-forwarded-for': often(none, headerValue),
    }).map((h) => Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined)) as Record<string, string>);

    const post = (path: fc.Arbitrary<string>) =>
      fc.record({ path, common, type: contentType, body }).map(({ path, common, type, body }): Req => ({
        method: 'POST', path, body, headers: { ...common, ...(type ? { 'content-type': type } : {}) },
      }));
    const query = (k: string, v: fc.Arbitrary<string>) => fc.option(v.map((x) => `${k}=${percent(x)}`), { nil: '' });
    const list = fc.record({ slug: rawSegment, after: query('after', cursor), before: query('before', cursor), limit: query('limit', fc.oneof(fc.integer().map(String), anyString)), common })
      .map(({ slug, after, before, limit, common }): Req => ({ method: 'GET', path: `/api/rooms/${slug}/messages?${[after, before, limit].filter(Boolean).join('&')}`, headers: common }));
    const events = fc.record({ slug: fc.oneof(fc.constant('general'), rawSegment), id: fc.option(cursor.map((c) => c.replace(/[^\t\x20-\x7e\x80-\xff]/g, '')), { nil: undefined }), after: query('after', cursor), common })
      .map(({ slug, id, after, common }): Req => ({ method: 'GET', path: `/rooms/${slug}/events?${after}`, headers: { ...common, ...(id === undefined ? {} : { 'last-event-id': id }) } }));
    // Sign-in only signs in; registration (POST /users) is the other route that takes a name and password.
    const requests = fc.oneof(
      post(fc.constant('/session')),
      post(fc.constant('/users')),
      post(rawSegment.map((s) => `/rooms/${s}/messages`)),
      post(fc.constant('/rooms/general/messages')),
      list,
      events,
    );

    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(requests, async (req) => {
        const status = await send(r.url, req);
        seen.set(status, (seen.get(status) ?? 0) + 1);
        expect(status, `${req.method} ${req.path} ${JSON.stringify(req.headers)}`).toBeLessThan(500);
      }),
      { numRuns: 300, interruptAfterTimeLimit: 40_000 },
    );
    // The run reached past the guards: some requests were accepted, some refused.
    expect([...seen.keys()]).toEqual(expect.arrayContaining([200, 400, 403, 404]));
    expect((await fetch(`${r.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${r.url}/readyz`)).status).toBe(200);
  }, 90_000);
});
