import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveChromium, launchBrowser, useSession } from '../support/browser.ts';
import { postJson, signIn } from '../support/client.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';

describe.skipIf(!haveChromium)('a tab whose session ends elsewhere', () => {
  let a: Replica;
  let b: Replica;
  let browser: Browser;
  beforeAll(async () => {
    const db = await freshDatabase();
    [a, b, browser] = await Promise.all([startReplica(db), startReplica(db), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all([a?.close(), b?.close()]);
  });

  it('shows "Signed out", disables the box and receives nothing more once "Sign out everywhere" is used on another replica', async () => {
    const reader = await signIn(a.url, 'reader');
    const poster = await signIn(a.url, 'poster');
    const context = await browser.newContext();
    await useSession(context, b.url, reader);
    const page = await context.newPage();
    await page.goto(`${b.url}/rooms/general`);
    await page.locator('#status', { hasText: 'Live' }).waitFor({ timeout: 10_000 });

    const ended = await fetch(`${a.url}/api/sessions`, { method: 'DELETE', headers: { cookie: reader, 'content-type': 'application/json' } });
    expect(ended.status).toBe(204);
    await page.locator('#status', { hasText: 'Signed out' }).waitFor({ timeout: 2_000 });
    expect(await page.locator('form.post textarea').isDisabled()).toBe(true);
    expect((await postJson(a.url, poster, 'general', 'not for the old tab')).status).toBe(201);
    await page.waitForTimeout(1000);
    expect(await page.locator('.message', { hasText: 'not for the old tab' }).count()).toBe(0);
    expect(await page.locator('#status').textContent()).toBe('Signed out');
    await context.close();
  });
});
