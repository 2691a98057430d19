import type { Browser, Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { useSession, watchErrors } from '../support/browser.ts';
import { describeInBrowser, withBrowserAndReplicas } from '../support/browser-rig.ts';
import { signIn } from '../support/client.ts';
import type { Replica } from '../support/replica.ts';

const fitsWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

describeInBrowser('account and admin pages on a 360 px phone with JavaScript off', () => {
  let r: Replica;
  let browser: Browser;
  const rig = withBrowserAndReplicas();
  beforeAll(() => ({ browser, replicas: [r] } = rig as typeof rig & { replicas: [Replica] }));

  it('sets the chat up, then an admin deactivates someone and makes a reset link by forms alone, every page fitting the screen', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${r.url}/`);
    expect(page.url()).toBe(`${r.url}/setup`);
    expect(await fitsWidth(page)).toBe(true);
    await page.getByLabel('Name').fill('founder');
    await page.getByLabel('Password').fill('founder password');
    await Promise.all([page.waitForURL(`${r.url}/`), page.getByRole('button', { name: 'Create the admin account' }).click()]);
    expect(await fitsWidth(page)).toBe(true);

    const invite = (await (await fetch(`${r.url}/api/invite`, { headers: { cookie: (await context.cookies())
      .filter((c) => c.name === 'chat_session').map((c) => `${c.name}=${c.value}`).join('') } })).json()) as { code: string };
    const member = await (async () => {
      const res = await fetch(`${r.url}/users`, { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'drifter', password: 'drifter password', code: invite.code }) });
      expect(res.status).toBe(201);
      return res.headers.getSetCookie().find((c) => c.startsWith('chat_session='))!.split(';')[0]!;
    })();

    await page.goto(`${r.url}/admin/people`);
    expect(await fitsWidth(page)).toBe(true);
    await Promise.all([page.waitForURL(/done=deactivate/), page.locator('form[action="/admin/people/drifter/deactivate"] button').click()]);
    expect(await page.locator('main').innerText()).toContain('drifter deactivated');
    expect((await fetch(`${r.url}/api/rooms`, { headers: { cookie: member } })).status).toBe(401);
    await page.locator('form[action="/admin/people/drifter/reset"] button').click();
    const link = await page.getByLabel('Password-reset link').inputValue();
    expect(link).toMatch(new RegExp(`^${r.url}/reset/`));
    expect(await fitsWidth(page)).toBe(true);

    await page.goto(`${r.url}/account`);
    expect(await fitsWidth(page)).toBe(true);
    const stranger = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 740 } });
    const other = await stranger.newPage();
    await other.goto(`${r.url}/join/${invite.code}`);
    expect(await fitsWidth(other)).toBe(true);
    // A deactivated person's reset link leads nowhere (issue 19); its page still fits.
    await other.goto(link);
    expect(await other.locator('main').innerText()).toContain('This reset link is not valid');
    expect(await fitsWidth(other)).toBe(true);
    await stranger.close();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('lets a member reach their account page from the header, where there is no admin link', async () => {
    const cookie = await signIn(r.url, 'someone');
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 740 } });
    await useSession(context, r.url, cookie);
    const page = await context.newPage();
    await page.goto(`${r.url}/`);
    expect(await page.locator('.who a[href="/admin/people"]').count()).toBe(0);
    await Promise.all([page.waitForURL(`${r.url}/account`), page.locator('.who .me a').click()]);
    expect(await page.locator('h1').innerText()).toBe('Your account');
    expect(await fitsWidth(page)).toBe(true);
    await context.close();
  });
});
