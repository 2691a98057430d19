import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { signIn } from '../support/client.ts';
import { haveChromium, launchBrowser, useSession, watchErrors } from '../support/browser.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';

describe.skipIf(!haveChromium)('the room page and typing', () => {
  let a: Replica;
  let b: Replica;
  let browser: Browser;
  beforeAll(async () => {
    const url = await freshDatabase();
    a = await startReplica(url);
    b = await startReplica(url);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await a?.close();
    await b?.close();
  });

  it('shows "ann is typing…" while ann types on another replica, and tells the room when the reader types', async () => {
    const ann = await signIn(a.url, 'ann');
    const bob = await signIn(b.url, 'bob');
    const context = await browser.newContext();
    await useSession(context, b.url, bob);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${b.url}/rooms/general`);
    // A string: vitest would rewrite an import() written in this file. public/stream.js holds the tab's stream.
    await page.waitForFunction("import('/public/stream.js').then((m) => m.current()?.readyState === 1)");
    await fetch(`${a.url}/api/rooms/general/typing`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: ann }, body: '{}' });
    await expect(page.getByText('ann is typing…').waitFor({ timeout: 2000 })).resolves.toBeUndefined();
    const told = page.waitForRequest((r) => r.url().endsWith('/api/rooms/general/typing') && r.method() === 'POST');
    await page.getByLabel('Message #General').pressSequentially('hi');
    expect((await (await told).response())?.status()).toBe(204);
    expect(errors).toEqual([]);
    await context.close();
  });
});
