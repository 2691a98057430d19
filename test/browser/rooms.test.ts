import type { Browser, Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { useSession, watchErrors } from '../support/browser.ts';
import { describeInBrowser, withBrowserAndReplicas } from '../support/browser-rig.ts';
import { signIn } from '../support/client.ts';
import type { Replica } from '../support/replica.ts';

const fitsWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

describeInBrowser('managing rooms on a 360 px phone with JavaScript off', () => {
  let r: Replica;
  let browser: Browser;
  const rig = withBrowserAndReplicas();
  beforeAll(() => ({ browser, replicas: [r] } = rig as typeof rig & { replicas: [Replica] }));

  it('creates a closed room, removes a member and archives the room through the forms alone, without sideways scrolling', async () => {
    const admin = await signIn(r.url, 'root');
    await signIn(r.url, 'pat');
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 740 }, colorScheme: 'dark' });
    await useSession(context, r.url, admin);
    const page = await context.newPage();
    const errors = watchErrors(page);

    await page.goto(`${r.url}/`);
    expect(await fitsWidth(page)).toBe(true);
    await page.getByLabel('Title').fill('Phone room');
    await page.getByLabel('Closed: only the people added').check();
    await page.getByLabel(/People to add/).fill('pat');
    await Promise.all([page.waitForURL(`${r.url}/rooms/phone-room`), page.getByRole('button', { name: 'Create the room' }).click()]);

    await page.getByRole('link', { name: /^Members/ }).click();
    expect(await fitsWidth(page)).toBe(true);
    expect(await page.locator('.members li').allInnerTexts()).toEqual([expect.stringContaining('pat'), expect.stringContaining('root (you)')]);
    await page.getByRole('button', { name: 'Remove pat' }).click();
    await page.getByRole('status').filter({ hasText: 'pat is no longer in this room.' }).waitFor();
    expect(await page.locator('.members li').count()).toBe(1);

    await page.goto(`${r.url}/admin/rooms`);
    expect(await fitsWidth(page)).toBe(true);
    await page.getByRole('button', { name: 'Archive Phone room' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    expect(await page.getByRole('row', { name: /Phone room/ }).innerText()).toContain('archived');
    await page.goto(`${r.url}/rooms/phone-room`);
    expect(await page.locator('.signin-hint').innerText()).toContain('archived');
    expect(errors).toEqual([]);
    await context.close();
  });
});
