import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, signIn } from '../support/client.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64url');

// Issue 19 (Low): /api/search and /search answered 500 to `next` tokens and dates PostgreSQL cannot
// take. Named cases first, then fast-check over the search parameters and the message and room routes.
describe('search parameters and the message and room routes', () => {
  let r: Replica;
  let cookie: string;
  let messageId: string;
  beforeAll(async () => {
    r = await startReplica(await freshDatabase(), { rateLimitMessages: null });
    cookie = await signIn(r.url, 'prober');
    for (const body of ['deploy the thing', 'rollback the deploy', 'deploy again']) {
      messageId = ((await (await postJson(r.url, cookie, 'general', body)).json()) as { message: { id: string } }).message.id;
    }
  });
  afterAll(() => r?.close());

  const get = (path: string) => fetch(`${r.url}${path}`, { headers: { cookie, accept: 'application/json' } });

  it('answers 400 to every malformed next token, out-of-range date and NUL character, on /api/search and /search', async () => {
    const bad: Record<string, string>[] = [
      { next: b64('1e99~1') }, { next: b64('1e-99~1') }, { next: b64('0~9999999999999999999') }, { next: b64('0.5~0') },
      { next: b64('9e38~1') }, { next: '!!!' }, { next: 'a'.repeat(500) },
      { since: '0000-01-01' }, { until: '9999-12-31' }, { since: '0001-01-01T00:00:00Z' }, { until: '9999-12-31T23:59:59+00:00' }, { since: '1899-12-31' },
      // A NUL, which PostgreSQL's text cannot hold (fast-check found it in q and in from).
      { q: '\u0000' }, { q: 'deploy\u0000x' }, { from: 'ann\u0000' },
    ];
    for (const p of bad) {
      const qs = new URLSearchParams({ q: 'deploy', ...p });
      expect((await get(`/api/search?${qs}`)).status, JSON.stringify(p)).toBe(400);
      expect((await fetch(`${r.url}/search?${qs}`, { headers: { cookie } })).status, JSON.stringify(p)).toBe(400);
    }
    // The tokens the server hands out still page.
    const first = (await (await get('/api/search?q=deploy')).json()) as { next?: string };
    expect((await get(`/api/search?${new URLSearchParams({ q: 'deploy', next: first.next ?? b64('0.5~1'), since: '1900-01-01', until: '9998-12-31' })}`)).status).toBe(200);
  });

  it('never answers 5xx to random search parameters or message and room requests (fast-check)', async () => {
    const anyString = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }),
      fc.constantFrom('', ' ', '0', '-1', '1e99', 'NaN', '%', '\0', '🙂', 'x'.repeat(300)));
    const number = fc.oneof(fc.double().map(String), fc.bigInt({ min: -(1n << 70n), max: 1n << 70n }).map(String), fc.integer().map(String));
    const date = fc.oneof(
      fc.tuple(fc.integer({ min: 0, max: 99999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }))
        .map(([y, m, d]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`),
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), anyString);
    const token = fc.oneof(fc.tuple(number, number).map(([a, b]) => b64(`${a}~${b}`)), anyString.map(b64), anyString);
    const search = fc.record({
      q: fc.oneof(fc.constantFrom('deploy', 'deploy OR thing', '"deploy', '-deploy', 'a & b | !c', '<->', ':*'), anyString),
      room: fc.option(fc.oneof(fc.constantFrom('general', '#general', 'nowhere'), anyString), { nil: undefined }),
      from: fc.option(fc.oneof(fc.constant('@prober'), anyString), { nil: undefined }),
      since: fc.option(date, { nil: undefined }), until: fc.option(date, { nil: undefined }), next: fc.option(token, { nil: undefined }),
    }, { requiredKeys: [] }).chain((p) => fc.constantFrom('/api/search', '/search').map((path) => {
      const qs = new URLSearchParams(Object.entries(p).filter((e): e is [string, string] => e[1] !== undefined));
      return { method: 'GET', path: `${path}?${qs}` };
    }));
    const json = fc.oneof(fc.jsonValue(), fc.record({ title: fc.oneof(anyString, fc.jsonValue()), topic: fc.jsonValue(), kind: fc.oneof(fc.constantFrom('open', 'closed', 'direct'), anyString),
      members: fc.jsonValue(), public: fc.jsonValue(), archived: fc.jsonValue(), body: fc.oneof(anyString, fc.jsonValue()), emoji: fc.oneof(fc.constantFrom('👍', '🏳️‍🌈'), anyString),
      name: fc.jsonValue(), cursor: fc.oneof(anyString, fc.jsonValue()) }, { requiredKeys: [] })).map((v) => JSON.stringify(v));
    const id = fc.oneof(fc.constant(() => messageId), number.map((n) => () => n), anyString.map((s) => () => encodeURIComponent(s)));
    const slug = fc.oneof(fc.constantFrom('general', 'nowhere', 'GENERAL'), anyString.map(encodeURIComponent));
    const routes = fc.oneof(
      fc.tuple(slug, number, fc.constantFrom('before', 'after', 'limit')).map(([s, n, k]) => ({ method: 'GET', path: `/api/rooms/${s}/messages?${k}=${encodeURIComponent(n)}` })),
      fc.tuple(fc.constantFrom('POST /api/rooms', 'POST /api/directs', 'PATCH /api/rooms/general', 'POST /api/rooms/general/members', 'POST /api/rooms/general/read', 'POST /rooms/general/messages'), json)
        .map(([route, body]) => ({ method: route.split(' ')[0]!, path: route.split(' ')[1]!, body })),
      fc.tuple(id, fc.constantFrom('PATCH', 'POST', 'DELETE'), json).map(([i, method, body]) => ({ method, path: `/api/rooms/general/messages/${i()}${method === 'POST' ? '/reactions' : ''}`, body })),
    );
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.oneof(search, routes) as fc.Arbitrary<{ method: string; path: string; body?: string }>, async (req) => {
        const res = await fetch(`${r.url}${req.path}`, {
          method: req.method, redirect: 'manual',
          headers: { cookie, accept: 'application/json', ...(req.body === undefined ? {} : { 'content-type': 'application/json' }) }, body: req.body,
        });
        await res.arrayBuffer();
        seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
        expect(res.status, `${req.method} ${req.path} ${req.body ?? ''}`).toBeLessThan(500);
      }),
      { numRuns: 250, interruptAfterTimeLimit: 40_000 },
    );
    console.log('statuses seen:', Object.fromEntries(seen));
    expect([...seen.keys()]).toEqual(expect.arrayContaining([200, 400]));
    expect((await fetch(`${r.url}/healthz`)).status).toBe(200);
  }, 90_000);
});
