import type { Browser } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { signInWithForm, useSession, watchErrors } from '../support/browser.ts';
import { describeInBrowser, withBrowserAndReplicas } from '../support/browser-rig.ts';
import { postJson, signIn } from '../support/client.ts';
import type { Replica } from '../support/replica.ts';

describeInBrowser('the pages without JavaScript and on a phone', () => {
  let r: Replica;
  let browser: Browser;
  const rig = withBrowserAndReplicas([{ replicaName: 'replica-under-test' }]);
  beforeAll(() => ({ browser, replicas: [r] } = rig as typeof rig & { replicas: [Replica] }));

  it('lets a person join, sign in, post and page through history with JavaScript off', async () => {
    const old = await signIn(r.url, 'archivist');
    await r.sql`INSERT INTO messages (room_id, author_id, body)
      SELECT (SELECT id FROM rooms WHERE slug = 'help'), (SELECT id FROM users WHERE name = 'archivist'), 'old message ' || g
      FROM generate_series(1, 55) AS g`;
    await postJson(r.url, old, 'help', 'newest before mine');
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const errors = watchErrors(page);

    // Registration is its own form (POST /users); it signs the new person in.
    await page.goto(`${r.url}/join`);
    await page.getByLabel('Name').fill('nojs');
    await page.getByLabel('Password').fill('correct horse');
    await Promise.all([page.waitForURL(`${r.url}/`), page.getByRole('button', { name: 'Join' }).click()]);
    expect(await page.locator('.who').innerText()).toContain('nojs');
    // Members only: without a session the room sends the reader to sign in, and back to the room after.
    await context.clearCookies();
    await page.goto(`${r.url}/rooms/help`);
    expect(page.url()).toBe(`${r.url}/login?next=${encodeURIComponent('/rooms/help')}`);
    expect(await page.locator('.message').count()).toBe(0);
    await signInWithForm(page, r.url, 'nojs', '/rooms/help');
    expect(await page.locator('.who').innerText()).toContain('nojs');
    expect(await page.locator('footer').innerText()).toContain('replica-under-test');
    await page.getByRole('textbox', { name: /Message/ }).fill('posted by a form\nwith two lines');
    await page.getByRole('button', { name: 'Send' }).click();
    const mine = page.locator('.message', { hasText: 'posted by a form' });
    await mine.waitFor();
    // The redirect keeps the Send button's #latest, so the page opens at the newest messages.
    expect(new URL(page.url())).toMatchObject({ pathname: '/rooms/help', hash: '#latest' });
    expect(await mine.evaluate((el) => el.getBoundingClientRect().bottom <= innerHeight)).toBe(true);
    expect(await mine.locator('.body').innerText()).toBe('posted by a form\nwith two lines');
    expect(await page.locator('.message').count()).toBe(50);
    expect(await page.locator('time').first().innerText()).toMatch(/^\d\d:\d\d UTC$/);

    await page.getByRole('link', { name: 'Older messages' }).click();
    await page.locator('.message', { hasText: 'old message 1' }).first().waitFor();
    expect(new URL(page.url()).searchParams.has('before')).toBe(true);
    expect(await page.locator('.message').count()).toBe(7);
    await page.getByRole('link', { name: 'Newest messages' }).click();
    await mine.waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('tells a person on the sign-in page the name or password is wrong, alike for a taken name and an unknown one', async () => {
    // Sign-in only signs in and gives no hint whether a name exists; joining is its own page.
    await signIn(r.url, 'taken');
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const said: string[] = [];
    for (const name of ['taken', 'nobody-here']) {
      await page.goto(`${r.url}/login`);
      await page.getByLabel('Name').fill(name);
      await page.getByLabel('Password').fill('not the password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      said.push(await alert.innerText());
      expect(await page.getByLabel('Name').inputValue()).toBe(name);
      expect(await page.getByRole('link', { name: 'Join' }).getAttribute('href')).toBe('/join');
    }
    expect(said[0]).toMatch(/name or the password is wrong/);
    expect(said[1]).toBe(said[0]);
    expect(await r.sql`SELECT 1 FROM users WHERE name = 'nobody-here'`).toHaveLength(0);
    await context.close();
  });

  it('fits a 360 px wide phone screen, even with a long unbroken message from a long name', async () => {
    const longName = 'a-very-long-name-of-32-chars-xyz';
    const cookie = await signIn(r.url, longName);
    await postJson(r.url, cookie, 'general', `https://example.com/${'unbroken'.repeat(60)}`);
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    await useSession(context, r.url, cookie);
    const page = await context.newPage();
    const errors = watchErrors(page);
    for (const path of ['/', '/login', '/rooms/general', '/rooms/nowhere']) {
      await page.goto(`${r.url}${path}`);
      if (path === '/rooms/general') await page.locator('.message', { hasText: 'unbroken' }).waitFor();
      const { scrollWidth, innerWidth } = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
      }));
      // A mobile browser widens its layout viewport to fit overflowing content: both must stay at 360.
      expect({ path, scrollWidth, innerWidth }).toEqual({ path, scrollWidth: 360, innerWidth: 360 });
    }
    // The 404 page's own status is the one expected console line.
    expect(errors.filter((e) => !/404/.test(e))).toEqual([]);
    await context.close();
  });
});
