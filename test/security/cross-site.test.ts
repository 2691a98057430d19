import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, signIn } from '../support/client.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { postForm, sessionCookie } from './helpers.ts';

const EVIL = 'https://evil.example';
const PUBLIC = 'https://chat.example.com';

// Each way a page on another site can make a browser send a request with the victim's cookie.
const ATTEMPTS: [string, Record<string, string>, (fields: Record<string, string>) => string][] = [
  ['a form from another site', { 'content-type': 'application/x-www-form-urlencoded', origin: EVIL, 'sec-fetch-site': 'cross-site' }, form],
  ['a form from an old browser (Origin only)', { 'content-type': 'application/x-www-form-urlencoded', origin: EVIL }, form],
  ['a form from a sandboxed frame (Origin: null)', { 'content-type': 'application/x-www-form-urlencoded', origin: 'null' }, form],
  ['a form that carries neither Origin nor Sec-Fetch-Site', { 'content-type': 'application/x-www-form-urlencoded' }, form],
  ['a multipart form from another site', { 'content-type': 'multipart/form-data; boundary=x', origin: EVIL }, multipart],
  ['a text/plain form shaped like JSON', { 'content-type': 'text/plain', origin: EVIL }, (f) => JSON.stringify(f)],
  ['a fetch with JSON from another site', { 'content-type': 'application/json', origin: EVIL, 'sec-fetch-site': 'cross-site' }, (f) => JSON.stringify(f)],
  ['a fetch with JSON, Sec-Fetch-Site only', { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' }, (f) => JSON.stringify(f)],
  ['a fetch from a sibling host (same-site)', { 'content-type': 'application/json', origin: 'https://other.127.0.0.1', 'sec-fetch-site': 'same-site' }, (f) => JSON.stringify(f)],
];

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

function multipart(fields: Record<string, string>): string {
  return Object.entries(fields).map(([k, v]) => `--x\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join('') + '--x--\r\n';
}

describe('requests made by another site', () => {
  let r: Replica;
  let cookie: string;
  beforeAll(async () => {
    r = await startReplica(await freshDatabase());
    cookie = await signIn(r.url, 'victim');
  });
  afterAll(() => r.close());

  // Sign-in only signs in; registration is POST /users: another site may plant neither a session nor an account.
  const routes: [string, Record<string, string>][] = [
    ['/session', { name: 'victim', password: 'correct horse' }],
    ['/users', { name: 'planted', password: 'attacker password' }],
    ['/session/end', {}],
    ['/rooms/general/messages', { body: 'written by another site' }],
  ];

  for (const [path, fields] of routes) {
    for (const [how, headers, encode] of ATTEMPTS) {
      it(`refuses ${how} to POST ${path} with 403`, async () => {
        const res = await fetch(`${r.url}${path}`, { method: 'POST', redirect: 'manual', headers: { ...headers, cookie }, body: encode(fields) });
        expect(res.status).toBe(403);
        expect(sessionCookie(res)).toBeUndefined();
      });
    }
  }

  it('refused, changed nothing: no message, no account, and the session still works', async () => {
    const { messages } = (await (await fetch(`${r.url}/api/rooms/general/messages`, { headers: { cookie } })).json()) as { messages: unknown[] };
    expect(messages).toEqual([]);
    expect(await r.sql`SELECT 1 FROM users WHERE name = 'planted'`).toHaveLength(0);
    expect((await postJson(r.url, cookie, 'general', 'still signed in')).status).toBe(201);
  });

  it('lets the same site post by form and by fetch', async () => {
    const byForm = await postForm(r.url, '/rooms/general/messages', { body: 'by form' }, { cookie, origin: r.url, 'sec-fetch-site': 'same-origin' });
    expect(byForm.status).toBe(303);
    const byFetch = await fetch(`${r.url}/rooms/general/messages`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', origin: r.url, 'sec-fetch-site': 'same-origin' },
      body: JSON.stringify({ body: 'by fetch' }),
    });
    expect(byFetch.status).toBe(201);
  });

  it('refuses other methods that could change state from another site', async () => {
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      const res = await fetch(`${r.url}/session`, { method, headers: { origin: EVIL, cookie } });
      expect(res.status).toBe(403);
    }
  });
});

describe('behind a proxy that terminates TLS (PUBLIC_ORIGIN)', () => {
  let r: Replica;
  beforeAll(async () => {
    r = await startReplica(await freshDatabase(), { publicOrigin: PUBLIC });
  });
  afterAll(() => r.close());

  it('accepts a form from the public origin although the request itself arrives as http://', async () => {
    await signIn(r.url, 'proxied', 'proxied password');
    const res = await postForm(r.url, '/session', { name: 'proxied', password: 'proxied password' }, { origin: PUBLIC });
    expect(res.status).toBe(303);
    expect(sessionCookie(res)).toBeDefined();
  });

  it('refuses a form whose Origin is the internal address rather than the public origin', async () => {
    await signIn(r.url, 'internal', 'internal password');
    const res = await postForm(r.url, '/session', { name: 'internal', password: 'internal password' }, { origin: r.url });
    expect(res.status).toBe(403);
    expect(sessionCookie(res)).toBeUndefined();
    const registered = await postForm(r.url, '/users', { name: 'internal2', password: 'internal password' }, { origin: r.url });
    expect(registered.status).toBe(403);
    expect(sessionCookie(registered)).toBeUndefined();
    expect(await r.sql`SELECT 1 FROM users WHERE name = 'internal2'`).toHaveLength(0);
  });
});
