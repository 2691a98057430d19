import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, postJson, signIn } from '../support/client.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';

describe('JavaScript off: a message page\'s forms and the notification level form', () => {
  let r: Replica;
  let admin: string;
  let author: string;
  let other: string;
  beforeAll(async () => {
    r = await startReplica(await freshDatabase());
    admin = await signIn(r.url, 'boss');
    author = await signIn(r.url, 'writer');
    other = await signIn(r.url, 'reader');
  });
  afterAll(async () => {
    await r?.close();
  });

  const page = (cookie: string, path: string) => fetch(`${r.url}${path}`, { headers: { cookie, accept: 'text/html' } }).then((x) => x.text());
  const form = (cookie: string, path: string, fields: Record<string, string>) => fetch(`${r.url}${path}`, {
    method: 'POST', redirect: 'manual', body: new URLSearchParams(fields).toString(),
    headers: { cookie, origin: r.url, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
  });

  it('shows the edit form to the author, the delete button to the author and admins, and reaction buttons to everyone', async () => {
    const { message } = (await (await postJson(r.url, author, 'general', 'first draft')).json()) as { message: { id: string } };
    const path = `/rooms/general/messages/${message.id}`;
    const mine = await eventually(() => page(author, path), (h) => h.includes('first draft'));
    expect(mine).toContain(`action="${path}/edit"`);
    expect(mine).toContain(`action="${path}/delete"`);
    expect(mine).toMatch(/<textarea id="edit-body"[^>]*>first draft<\/textarea>/);
    const admins = await page(admin, path);
    expect(admins).not.toContain(`action="${path}/edit"`);
    expect(admins).toContain(`action="${path}/delete"`);
    const others = await page(other, path);
    expect(others).not.toContain(`action="${path}/edit"`);
    expect(others).not.toContain(`action="${path}/delete"`);
    expect(others).toContain(`action="${path}/reactions"`);

    let res = await form(author, `${path}/edit`, { body: 'second draft' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(path);
    expect(await page(other, path)).toContain('(edited)');
    res = await form(other, `${path}/reactions`, { emoji: '🎉' });
    expect(res.status).toBe(303);
    expect(await page(other, path)).toMatch(/aria-label="🎉 1 from reader"/);
    expect((await form(other, `${path}/delete`, {})).status).toBe(403);
    res = await form(admin, `${path}/delete`, {});
    expect(res.status).toBe(303);
    const gone = await page(other, path);
    expect(gone).toContain('This message was deleted.');
    expect(gone).not.toContain('second draft');
  });

  it('keeps the notification level chosen on the room settings page', async () => {
    expect(await page(other, '/rooms/help/settings')).toMatch(/value="everything" checked/);
    const res = await form(other, '/rooms/help/notifications', { level: 'mentions' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/rooms/help/settings?done=saved');
    const html = await page(other, '/rooms/help/settings');
    expect(html).toMatch(/value="mentions" checked/);
    expect(html).not.toMatch(/value="everything" checked/);
    expect((await form(other, '/rooms/help/notifications', { level: 'always' })).status).toBe(400);
  });

  it('shows unread counts on the room list when it loads', async () => {
    await postJson(r.url, author, 'ops', 'hello @reader');
    const html = await page(other, '/');
    expect(html).toMatch(/data-badges="ops"[^>]*data-unread="1" data-mentions="1"/);
    expect(html).toMatch(/<span class="badge unread">1<span class="sr-only"> unread<\/span>/);
  });
});
