import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeNext } from '../../src/web/accounts/routes.ts';
import { signIn } from '../support/client.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { postForm } from './helpers.ts';

// Each of these, taken as a link target, leaves the site (or is no path at all).
const OFF_SITE = [
  '//evil.example',
  '///evil.example',
  '/\\evil.example',
  '\\\\evil.example',
  '/\\/evil.example',
  'https://evil.example',
  'http:evil.example',
  '//evil.example/%2F..',
  '/\t/evil.example',
  '/\n/evil.example',
  '/\r\n/evil.example',
  '\t//evil.example',
  ' //evil.example',
  '/ /evil.example',
  '/\u3000/evil.example',
  '/\x00/evil.example',
  '/\x01/evil.example',
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  '%2F%2Fevil.example',
  'evil.example',
  '',
  '/' + 'a'.repeat(600),
];

// Odd, but paths on this site: they may stay.
const ON_SITE = ['/', '/rooms/general', '/rooms/general?before=1-2#latest', '/%2F%2Fevil.example', '/.//evil.example', '/javascript:alert(1)'];

describe('the next parameter of sign-in', () => {
  it('falls back to / for anything that is not a plain path on this site', () => {
    for (const raw of OFF_SITE) expect(safeNext(raw), JSON.stringify(raw)).toBe('/');
    for (const raw of [undefined, null, 42, ['/rooms/general'], { toString: () => '/x' }]) expect(safeNext(raw)).toBe('/');
  });

  it('keeps a path on this site, however odd, because it cannot lead elsewhere', () => {
    for (const raw of ON_SITE) {
      expect(safeNext(raw)).toBe(raw);
      expect(new URL(raw, 'https://chat.example').origin).toBe('https://chat.example');
    }
  });

  describe('over HTTP', () => {
    let r: Replica;
    beforeAll(async () => {
      r = await startReplica(await freshDatabase(), { rateLimitSignin: null, rateLimitSigninAddress: null, rateLimitRegister: null });
      await signIn(r.url, 'redirected', 'right password');
    });
    afterAll(() => r.close());

    it('never redirects a form sign-in off the site', async () => {
      const nexts = [...OFF_SITE, ...ON_SITE];
      const answers = await Promise.all(nexts.map((next) => postForm(r.url, '/session', { name: 'redirected', password: 'right password', next }, { origin: r.url })));
      for (const [i, res] of answers.entries()) {
        const next = nexts[i]!;
        expect(res.status, JSON.stringify(next)).toBe(303);
        const location = res.headers.get('location')!;
        expect(new URL(location, r.url).origin).toBe(r.url);
        expect(location).toBe(ON_SITE.includes(next) ? next : '/');
      }
    });

    it('sends an anonymous reader of any address to sign-in on this site, and the form comes back only to a path here', async () => {
      // Members only: the 303 to /login?next= carries the address asked for, whatever it looks like.
      for (const path of ['//evil.example', '///evil.example', '/\\evil.example', '/%2F%2Fevil.example', '/rooms/general?next=//evil.example', '/https://evil.example']) {
        const res = await fetch(`${r.url}${path}`, { redirect: 'manual', headers: { accept: 'text/html' } });
        expect(res.status, path).toBe(303);
        const location = res.headers.get('location')!;
        expect(location, path).toMatch(/^\/login\?next=/);
        expect(new URL(location, r.url).origin).toBe(r.url);
        const page = await (await fetch(new URL(location, r.url), { headers: { accept: 'text/html' } })).text();
        const next = /name="next" value="([^"]*)"/.exec(page)![1]!.replace(/&amp;/g, '&').replace(/&#39;/g, "'").replace(/&quot;/g, '"');
        expect(new URL(next, 'https://chat.example').origin, `${path} -> ${next}`).toBe('https://chat.example');
        expect(next, path).toBe(safeNext(next));
      }
    });

    it('never puts an off-site next into the sign-in form, whether it came by link or by a failed sign-in', async () => {
      for (const next of OFF_SITE.slice(0, 8)) {
        const page = await (await fetch(`${r.url}/login?next=${encodeURIComponent(next)}`, { headers: { accept: 'text/html' } })).text();
        expect(page).toContain('name="next" value="/"');
        const failed = await postForm(r.url, '/session', { name: 'redirected', password: 'wrong password', next }, { origin: r.url });
        expect(failed.status).toBe(401);
        expect(await failed.text()).toContain('name="next" value="/"');
      }
    });
  });
});
