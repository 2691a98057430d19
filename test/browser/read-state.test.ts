import type { Browser } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { useSession } from '../support/browser.ts';
import { describeInBrowser, withBrowserAndReplicas } from '../support/browser-rig.ts';
import { eventually, postJson, signIn } from '../support/client.ts';
import type { Replica } from '../support/replica.ts';

// What a person saw counts as read, however quickly they left.
describeInBrowser('read state', () => {
  let r: Replica;
  let browser: Browser;
  let alice: string;
  let bob: string;
  const unread = async (slug: string) => {
    const res = await fetch(`${r.url}/api/rooms`, { headers: { cookie: alice } });
    const { rooms } = (await res.json()) as { rooms: { slug: string; unread: number }[] };
    return rooms.find((x) => x.slug === slug)!.unread;
  };
  const rig = withBrowserAndReplicas([{ rateLimitMessages: null }]);
  beforeAll(async () => {
    ({ browser, replicas: [r] } = rig as typeof rig & { replicas: [Replica] });
    alice = await signIn(r.url, 'alice');
    bob = await signIn(r.url, 'bob');
  });

  it('counts a message that arrived and was seen as read when the reader leaves the room at once', async () => {
    const context = await browser.newContext();
    await useSession(context, r.url, alice);
    const page = await context.newPage();
    await page.goto(`${r.url}/rooms/general`);
    await page.locator('#status', { hasText: 'Live' }).waitFor();
    expect((await postJson(r.url, bob, 'general', 'read me and run')).status).toBe(201);
    await page.locator('.message', { hasText: 'read me and run' }).waitFor();
    // Well within the second the page waits before writing a read mark.
    await page.goto(`${r.url}/rooms/help`);
    expect(await eventually(() => unread('general'), (n) => n === 0, 5000)).toBe(0);
    await page.goto(`${r.url}/rooms/general`);
    expect(await page.locator('#new').count()).toBe(0);
    await context.close();
  });

  it('reads up to the message a permalink shows, and no further', async () => {
    const ids: string[] = [];
    for (const body of ['one', 'two', 'three']) {
      ids.push(((await (await postJson(r.url, bob, 'ops', body)).json()) as { message: { id: string } }).message.id);
    }
    expect(await unread('ops')).toBe(3);
    const context = await browser.newContext({ javaScriptEnabled: false });
    await useSession(context, r.url, alice);
    const page = await context.newPage();
    await page.goto(`${r.url}/rooms/ops/messages/${ids[1]}`);
    expect(await unread('ops')).toBe(1);
    await context.close();
  });
});
