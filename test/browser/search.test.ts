import type { Browser } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { useSession, watchErrors } from '../support/browser.ts';
import { describeInBrowser, withBrowserAndReplicas } from '../support/browser-rig.ts';
import { signIn } from '../support/client.ts';
import type { Replica } from '../support/replica.ts';

// From the header's search box to the message itself, highlighted among its neighbours, in view
// and clear of the sticky bars (the top bar and the room's header); with JavaScript on and off.
describeInBrowser('searching from the header', () => {
  let r: Replica;
  let browser: Browser;
  let cookie: string;
  const rig = withBrowserAndReplicas();
  beforeAll(async () => {
    ({ browser, replicas: [r] } = rig as typeof rig & { replicas: [Replica] });
    cookie = await signIn(r.url, 'seeker');
    // An old message deep in a busy room: 80 before it, 119 after.
    await r.sql`INSERT INTO messages (room_id, author_id, body, created_at)
      SELECT (SELECT id FROM rooms WHERE slug = 'help'), (SELECT id FROM users WHERE name = 'seeker'),
             CASE WHEN g = 81 THEN 'the **quokka** migration finished, see https://example.org/runbook' ELSE 'filler line ' || g END,
             now() - interval '90 days' + g * interval '1 minute'
      FROM generate_series(1, 200) AS g`;
  });

  for (const javaScriptEnabled of [true, false]) {
    it(`finds an old message and lands on it highlighted in context (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async () => {
      const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 1024, height: 700 } });
      await useSession(context, r.url, cookie);
      const page = await context.newPage();
      const errors = watchErrors(page);
      await page.goto(`${r.url}/rooms/general`);

      await page.getByRole('searchbox', { name: 'Search messages' }).fill('quokka');
      await Promise.all([page.waitForURL(/\/search\?q=quokka$/), page.keyboard.press('Enter')]);
      const result = page.locator('.result');
      expect(await result.count()).toBe(1);
      expect(await result.locator('mark').innerText()).toBe('quokka');

      await Promise.all([page.waitForURL(/\/rooms\/help\/messages\/\d+#m-\d+$/), result.getByRole('link').click()]);
      const linked = page.locator('.message.linked');
      expect(await linked.count()).toBe(1);
      expect(await linked.getAttribute('aria-current')).toBe('true');
      expect(await linked.locator('.body strong').innerText()).toBe('quokka');
      expect(await linked.locator('.body a').getAttribute('rel')).toBe('noopener noreferrer nofollow');
      expect(await page.locator('.message').count()).toBe(50);
      // In view, below the sticky header rather than under it.
      const [top, bottom, headerBottom] = await linked.evaluate((el) => {
        const box = el.getBoundingClientRect();
        const bars = [...document.querySelectorAll('header.top, .room-head')].map((h) => h.getBoundingClientRect().bottom);
        return [box.top, box.bottom, Math.max(...bars)];
      });
      expect(top).toBeGreaterThanOrEqual(headerBottom);
      expect(bottom).toBeLessThanOrEqual(700);
      await page.getByRole('link', { name: 'Older messages' }).waitFor();
      await page.getByRole('link', { name: 'Newer messages' }).waitFor();
      expect(errors).toEqual([]);
      await context.close();
    });
  }

  it('copies a message address from its actions menu', async () => {
    const context = await browser.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: r.url });
    await useSession(context, r.url, cookie);
    const page = await context.newPage();
    await page.goto(`${r.url}/rooms/help`);
    const last = page.locator('.message').last();
    await last.hover();
    await last.getByRole('button', { name: 'Message actions' }).click();
    await last.getByRole('menuitem', { name: 'Copy link' }).click();
    await last.getByRole('menuitem', { name: 'Copied' }).waitFor();
    const id = (await last.getAttribute('id'))!.slice(2);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${r.url}/rooms/help/messages/${id}#m-${id}`);
    await context.close();
  });
});
