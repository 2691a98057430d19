import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { postJson, signIn } from '../support/client.ts';
import { register } from '../accounts/helpers.ts';

// Issue 19 (Low): `Alice.`, `alice_`, `bob_`, `bob-`, `b.o.b` and `8ob` registered beside alice and
// bob; room titles and topics kept direction overrides (`x\u202ey`) and were shown without isolation.
describe('names that look alike, and text that turns its neighbours around', () => {
  let r: Replica;
  let admin: string;
  beforeAll(async () => {
    r = await startReplica(await freshDatabase());
    admin = await signIn(r.url, 'boss');
    for (const name of ['alice', 'bob', 'carol']) expect((await register(r.url, { name, password: 'a good password' })).status).toBe(201);
  });
  afterAll(() => r?.close());

  it('refuses with 409 names that differ only by separators, trailing punctuation or digits that pass for letters', async () => {
    for (const name of ['Alice.', 'alice_', 'bob_', 'bob-', 'b.o.b', '8ob', 'B0B', '.alice', 'a-l-i-c-e', 'Car.ol', 'caro1']) {
      const res = await register(r.url, { name, password: 'a good password' });
      expect(res.status, name).toBe(409);
    }
    // Names that really are different still register.
    for (const name of ['bobby', 'alicia', 'carol2', 'dave.smith']) expect((await register(r.url, { name, password: 'a good password' })).status, name).toBe(201);
    expect((await register(r.url, { name: 'davesmith', password: 'a good password' })).status).toBe(409);
  });

  it('refuses direction controls in room titles and topics with 400', async () => {
    const call = (body: unknown) => fetch(`${r.url}/api/rooms`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: admin }, body: JSON.stringify(body) });
    for (const bad of ['x\u202ey', 'left\u2067right', '\u202dforced']) {
      expect((await call({ title: bad })).status, JSON.stringify(bad)).toBe(400);
      expect((await call({ title: 'Fine', topic: bad })).status, JSON.stringify(bad)).toBe(400);
    }
  });

  it('isolates room titles and topics on every page, even ones stored before the check', async () => {
    const made = await fetch(`${r.url}/api/rooms`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: admin }, body: JSON.stringify({ title: 'Plain', topic: 'plain' }) });
    expect(made.status).toBe(201);
    await r.sql`UPDATE rooms SET title = ${'x\u202ey'}, topic = ${'t\u202eopic'} WHERE slug = 'plain'`;
    await r.chat.rooms.refresh();
    await postJson(r.url, admin, 'plain', 'findable words');
    const pages = ['/', '/rooms/plain', '/rooms/plain/settings', '/admin/rooms', '/search?q=findable'];
    for (const path of pages) {
      const html = await (await fetch(`${r.url}${path}`, { headers: { cookie: admin } })).text();
      // Every visible copy of the title sits in its own <bdi>: no bare copy is left once those are cut
      // out (attributes, the document title and <option> text, which hold no markup, aside).
      expect(html, path).toContain('<bdi>x\u202ey</bdi>');
      const bare = html.replaceAll('<bdi>x\u202ey</bdi>', '').replace(/<title>[^<]*<\/title>/, '').replace(/<option[^>]*>[^<]*<\/option>/g, '').replace(/"[^"]*"/g, '""');
      expect(bare.includes('x\u202ey'), path).toBe(false);
      if (path !== '/search?q=findable' && path !== '/rooms/plain/settings') expect(html, path).toContain('<bdi>t\u202eopic</bdi>');
    }
  });
});
