import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/web/app.ts';
import type { AppEnv } from '../../src/web/context.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { signIn } from '../support/client.ts';

// A feature added later mounts its routes like every other one; it declares no access at all.
const newFeature = () =>
  new Hono<AppEnv>()
    .get('/reports', (c) => c.json({ secret: 'the quarterly numbers' }))
    .post('/api/reports', (c) => c.json({ made: true }, 201));

describe('a route that declares no access', () => {
  let r: Replica;
  let app: ReturnType<typeof createApp>;
  let cookie = '';

  beforeAll(async () => {
    r = await startReplica(await freshDatabase());
    cookie = await signIn(r.url);
    app = createApp(r.chat);
    app.route('/', newFeature());
  });
  afterAll(() => r?.close());

  it('is members-only by default: a browser is sent to sign in, a script gets 401, a member gets the answer', async () => {
    const page = await app.request('/reports', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/login?next=%2Freports');

    const api = await app.request('/api/reports', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(api.status).toBe(401);
    expect(await api.json()).toEqual({ error: 'Sign in first.' });

    const member = await app.request('/reports', { headers: { cookie } });
    expect(member.status).toBe(200);
    expect(await member.json()).toEqual({ secret: 'the quarterly numbers' });
    // What a member is shown stays out of shared caches, as on every members-only route.
    expect(member.headers.get('cache-control')).toBe('private, no-store');
  });

  it('refuses a session that has ended like no session at all', async () => {
    const ended = await app.request('/session/end', { method: 'POST', headers: { cookie, 'content-type': 'application/json' } });
    expect(ended.status).toBe(204);
    expect((await app.request('/api/reports', { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
  });
});
