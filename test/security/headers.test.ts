import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { postJson, signIn } from '../support/client.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';

const HTML = { accept: 'text/html' };

describe('response headers', () => {
  let r: Replica;
  let https: Replica;
  let cookie: string;
  beforeAll(async () => {
    const db = await freshDatabase();
    [r, https] = await Promise.all([startReplica(db), startReplica(db, { publicOrigin: 'https://chat.example.com' })]);
    cookie = await signIn(r.url, 'reader');
  });
  afterAll(() => Promise.all([r.close(), https.close()]));

  // Members only: each page and API answer both to a member and to someone without a session (303, 401).
  const answers = (base: string) => [
    fetch(`${base}/`, { headers: { ...HTML, cookie } }),
    fetch(`${base}/rooms/general`, { headers: { ...HTML, cookie } }),
    fetch(`${base}/rooms/nowhere`, { headers: { ...HTML, cookie } }),
    fetch(`${base}/api/rooms/general/messages`, { headers: { cookie } }),
    fetch(`${base}/api/rooms`, { headers: { cookie } }),
    fetch(`${base}/`, { headers: HTML, redirect: 'manual' }),
    fetch(`${base}/rooms/general`, { headers: HTML, redirect: 'manual' }),
    fetch(`${base}/api/rooms/general/messages`),
    fetch(`${base}/api/rooms`),
    fetch(`${base}/login`, { headers: HTML }),
    fetch(`${base}/public/app.js`),
    fetch(`${base}/healthz`),
    fetch(`${base}/session`, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/json' }, body: '{}' }),
  ];

  it('forbid sniffing and framing and keep the address out of other sites\' Referer, on every kind of answer', async () => {
    for (const res of await Promise.all(answers(r.url))) {
      expect(res.headers.get('x-content-type-options'), res.url).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toMatch(/^(same-origin|no-referrer|strict-origin(-when-cross-origin)?)$/);
      expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
      expect(res.headers.get('strict-transport-security')).toBeNull();
      if (res.headers.get('content-type')?.startsWith('text/html')) {
        expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
        expect(res.headers.get('content-security-policy')).toMatch(/form-action 'self'/);
      }
    }
  });

  it('keep pages out of shared caches: every page is personal (who is signed in, their rooms)', async () => {
    const pages = (await Promise.all(answers(r.url))).filter((res) => res.status !== 303 && res.headers.get('content-type')?.startsWith('text/html'));
    expect(pages.length).toBeGreaterThanOrEqual(4);
    for (const res of pages) expect(res.headers.get('cache-control'), res.url).toBe('private, no-store');
  });

  it('ask browsers for HTTPS only (HSTS) when the public origin is https', async () => {
    for (const res of await Promise.all(answers(https.url))) {
      expect(res.headers.get('strict-transport-security'), res.url).toMatch(/^max-age=\d{8,}/);
    }
  });

  it('label JSON as JSON, so a browser never renders an answer that echoes input as a page', async () => {
    const cookie = await signIn(r.url);
    const echoed = await postJson(r.url, cookie, 'nowhere<script>', 'x');
    expect(echoed.headers.get('content-type')).toMatch(/^application\/json/);
    const hostile = `${r.url}/api/rooms/${encodeURIComponent('<img src=x onerror=alert(1)>')}/messages`;
    const api = await fetch(hostile, { headers: { cookie } });
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toMatch(/^application\/json/);
    const anonymous = await fetch(hostile);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('answer an address with control characters with 400, not an error from the database', async () => {
    const cookie = await signIn(r.url);
    for (const slug of ['%00', 'general%00', '%0d%0aSet-Cookie:%20x=1', '%7f']) {
      const res = await postJson(r.url, cookie, slug, 'x');
      expect(res.status, slug).toBe(400);
      expect(res.headers.get('set-cookie')).toBeNull();
    }
  });
});

describe('secrets', () => {
  it('are read from NAME_FILE (Docker secrets) before NAME, and trimmed', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chat-secret-'));
    const file = path.join(dir, 'database_url');
    writeFileSync(file, 'postgres://chat_app:from-file@db:5432/chat\n');
    const config = loadConfig({ DATABASE_URL: 'postgres://x:from-env@db/chat', DATABASE_URL_FILE: file, MIGRATE_DATABASE_URL_FILE: file });
    expect(config.databaseUrl).toBe('postgres://chat_app:from-file@db:5432/chat');
    expect(config.migrateDatabaseUrl).toBe('postgres://chat_app:from-file@db:5432/chat');
  });

  it('have no default: without one the server uses its own embedded database, never a built-in password', () => {
    const config = loadConfig({});
    expect(config.databaseUrl).toBeNull();
    expect(config.migrateDatabaseUrl).toBeNull();
  });
});
