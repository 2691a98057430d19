import type { Browser } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { useSession, watchErrors } from '../support/browser.ts';
import { describeInBrowser, withBrowserAndReplicas } from '../support/browser-rig.ts';
import { postJson, signIn } from '../support/client.ts';
import type { Replica } from '../support/replica.ts';

describeInBrowser('unread and mention badges in Chromium (issue 11, must show 3)', () => {
  let a: Replica;
  let b: Replica;
  let browser: Browser;
  const rig = withBrowserAndReplicas([{}, {}]);
  beforeAll(() => ({ browser, replicas: [a, b] } = rig as typeof rig & { replicas: [Replica, Replica] }));

  it('shows the other person unread and mention badges within 2 s without a reload, and opening the room in one tab clears them in the other', async () => {
    const context = await browser.newContext();
    await useSession(context, a.url, await signIn(a.url, 'alice'));
    const bob = await signIn(b.url, 'bob');
    // Two tabs of alice's, on two replicas: both on #general.
    const [tab1, tab2] = [await context.newPage(), await context.newPage()];
    const errors = [...watchErrors(tab1), ...watchErrors(tab2)];
    await tab1.goto(`${a.url}/rooms/general`);
    await tab2.goto(`${b.url}/rooms/general`);
    for (const tab of [tab1, tab2]) await tab.locator('#status', { hasText: 'Live' }).waitFor();

    const sent = Date.now();
    expect((await postJson(b.url, bob, 'ops', 'deploy at noon, @alice?')).status).toBe(201);
    const ops = (tab: typeof tab1) => tab.locator('.room-nav [data-badges="ops"]');
    for (const tab of [tab1, tab2]) {
      await ops(tab).locator('.badge.unread', { hasText: '1' }).waitFor({ timeout: 2000 });
      await ops(tab).locator('.badge.mention', { hasText: '@1' }).waitFor({ timeout: 2000 });
    }
    const badgesAfterMs = Date.now() - sent;
    expect(badgesAfterMs).toBeLessThan(2000);
    expect(await tab1.title()).toMatch(/^\(1\) /);
    // A reload shows the same counts: the page's stream starts after what they already count.
    await tab1.reload();
    await tab1.locator('#status', { hasText: 'Live' }).waitFor();
    await tab1.waitForTimeout(500);
    expect(await ops(tab1).locator('.badge').allTextContents()).toEqual(['@1 mentions of you', '1 unread']);

    // Reading #ops in the second tab clears the badges in the first, through the read event.
    const opened = Date.now();
    await tab2.goto(`${b.url}/rooms/ops`);
    await expect.poll(() => ops(tab1).locator('.badge').count(), { timeout: 5000, interval: 50 }).toBe(0);
    const clearedAfterMs = Date.now() - opened;
    expect(await tab1.title()).not.toMatch(/^\(/);
    // The mention of the reader stands out on the page they read it on.
    await tab2.locator('.message .mention.me', { hasText: '@alice' }).waitFor({ timeout: 2000 });
    // A message in the room the tab shows, at the bottom and visible, is read at once: no badge.
    await postJson(b.url, bob, 'general', 'lunch?');
    await tab1.locator('.message', { hasText: 'lunch?' }).waitFor({ timeout: 2000 });
    await tab1.waitForTimeout(1200);
    expect(await tab1.locator('.room-nav [data-badges="general"] .badge').count()).toBe(0);
    expect(await tab2.locator('.room-nav [data-badges="general"] .badge').count()).toBe(0);
    console.log(`badges after ${badgesAfterMs} ms; cleared in the other tab after ${clearedAfterMs} ms`);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('completes @names in the composer, and edits, deletions and reactions reach an open page live', async () => {
    const context = await browser.newContext();
    await useSession(context, a.url, await signIn(a.url, 'carol'));
    const bob = await signIn(b.url, 'bob');
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${a.url}/rooms/help`);
    await page.locator('#status', { hasText: 'Live' }).waitFor();
    const box = page.getByRole('textbox', { name: /Message/ });
    await box.pressSequentially('thanks @bo');
    await page.getByRole('option', { name: '@bob' }).waitFor({ timeout: 2000 });
    await box.press('Enter');
    expect(await box.inputValue()).toBe('thanks @bob ');

    const posted = (await (await postJson(b.url, bob, 'help', 'typo hre')).json()) as { message: { id: string } };
    const li = page.locator(`#m-${posted.message.id}`);
    await li.waitFor({ timeout: 2000 });
    const api = (method: string, path: string, body?: unknown) => fetch(`${b.url}/api/rooms/help/messages/${posted.message.id}${path}`, {
      method, headers: { cookie: bob, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect((await api('PATCH', '', { body: 'typo here' })).status).toBe(200);
    await li.locator('.body', { hasText: 'typo here' }).waitFor({ timeout: 2000 });
    await li.locator('.edited').waitFor();
    expect((await api('POST', '/reactions', { emoji: '👍' })).status).toBe(200);
    const thumbs = page.locator(`#m-${posted.message.id} .reactions button`, { hasText: '👍' });
    await thumbs.locator('.count', { hasText: '1' }).waitFor({ timeout: 2000 });
    // Carol's click toggles her reaction through fetch, without leaving the page.
    await thumbs.click();
    await page.locator(`#m-${posted.message.id} .reactions .count`, { hasText: '2' }).waitFor({ timeout: 2000 });
    expect(page.url()).toBe(`${a.url}/rooms/help`);
    expect((await api('DELETE', '')).status).toBe(204);
    await page.locator(`#m-${posted.message.id}.deleted`, { hasText: 'This message was deleted.' }).waitFor({ timeout: 2000 });
    expect(await page.locator(`#m-${posted.message.id} .reactions`).count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('keeps the room list page live: a badge appears for a new message and goes when the room is read elsewhere', async () => {
    const context = await browser.newContext();
    const dave = await signIn(a.url, 'dave');
    await useSession(context, a.url, dave);
    const bob = await signIn(b.url, 'bob');
    const list = await context.newPage();
    const errors = watchErrors(list);
    const streamOpen = list.waitForResponse((res) => new URL(res.url()).pathname === '/events');
    await list.goto(`${a.url}/`);
    await streamOpen;
    await postJson(b.url, bob, 'off-topic', 'anyone for coffee?');
    const badge = list.locator('.rooms [data-badges="off-topic"] .badge.unread', { hasText: '1' });
    await badge.waitFor({ timeout: 2000 });
    expect(await list.title()).toMatch(/^\(1\) /);
    const read = await context.newPage();
    await read.goto(`${b.url}/rooms/off-topic`);
    await expect.poll(() => list.locator('.rooms [data-badges="off-topic"] .badge').count(), { timeout: 5000, interval: 50 }).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('edits and deletes one\'s message from its own page by the same forms, sent as JSON when the script runs', async () => {
    const context = await browser.newContext();
    const erin = await signIn(a.url, 'erin');
    await useSession(context, a.url, erin);
    const page = await context.newPage();
    const errors = watchErrors(page);
    const { message } = (await (await postJson(a.url, erin, 'general', 'draft one')).json()) as { message: { id: string } };
    await page.goto(`${a.url}/rooms/general/messages/${message.id}`);
    const sent: string[] = [];
    page.on('request', (req) => { if (req.url().includes('/api/rooms/general/messages/')) sent.push(req.method()); });
    await page.getByLabel('Edit your message').fill('draft two');
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Save the edit' }).click()]);
    await page.locator(`#m-${message.id} .body`, { hasText: 'draft two' }).waitFor({ timeout: 2000 });
    await Promise.all([page.waitForURL(`${a.url}/rooms/general#latest`), page.getByRole('button', { name: 'Delete this message' }).click()]);
    await page.locator(`#m-${message.id}.deleted`).waitFor({ timeout: 2000 });
    expect(sent).toEqual(['PATCH', 'DELETE']);
    expect(errors).toEqual([]);
    await context.close();
  });
});
