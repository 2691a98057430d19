import type { Browser } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { watchErrors } from '../support/browser.ts';
import { describeInBrowser, withBrowserAndReplicas } from '../support/browser-rig.ts';
import { postJson, signIn } from '../support/client.ts';
import type { Replica } from '../support/replica.ts';

// A room an admin made public is live for a visitor without an account, read-only.
describeInBrowser('a public room for a visitor', () => {
  let a: Replica;
  let b: Replica;
  let browser: Browser;
  let admin: string;
  const rig = withBrowserAndReplicas([{ rateLimitMessages: null }, { rateLimitMessages: null }]);
  beforeAll(async () => {
    ({ browser, replicas: [a, b] } = rig as typeof rig & { replicas: [Replica, Replica] });
    admin = await signIn(a.url, 'boss');
    const made = await fetch(`${a.url}/api/rooms/help`, { method: 'PATCH', headers: { cookie: admin, 'content-type': 'application/json' }, body: JSON.stringify({ public: true }) });
    expect(made.status).toBe(200);
  });

  it('shows a new post live, posted on another replica, with no box to post from', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${a.url}/rooms/help`);
    await page.locator('#status', { hasText: 'Live' }).waitFor({ timeout: 5000 });
    expect(await page.getByRole('textbox', { name: /Message/ }).count()).toBe(0);
    expect((await postJson(b.url, admin, 'help', 'news for visitors')).status).toBe(201);
    await page.locator('.message', { hasText: 'news for visitors' }).waitFor({ timeout: 3000 });
    expect(await page.locator('#status').innerText()).toBe('Live');
    expect(errors).toEqual([]);
    await context.close();
  });
});
