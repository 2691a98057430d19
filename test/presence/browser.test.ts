import type { Browser } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { useSession, watchErrors } from '../support/browser.ts';
import { describeInBrowser, withBrowserAndReplicas } from '../support/browser-rig.ts';
import { signIn } from '../support/client.ts';
import type { Replica } from '../support/replica.ts';

// Stated in Documentation/presence.md: 0.1 s + one heartbeat on the other replica (slack for a busy machine).
const INTERVAL = 500;
const BOUND = 100 + INTERVAL + 1400;

describeInBrowser('Here now in Chromium (issue 11, must show 4)', () => {
  let a: Replica, b: Replica;
  let browser: Browser;
  const rig = withBrowserAndReplicas([{ presenceIntervalMs: INTERVAL }, { presenceIntervalMs: INTERVAL }]);
  beforeAll(() => ({ browser, replicas: [a, b] } = rig as typeof rig & { replicas: [Replica, Replica] }));

  it('lists a person who opens the room on another replica, and drops them within the stated time of their closing the tab', async () => {
    const [alice, bob] = [`alice${process.pid}`, `bob${process.pid}`];
    const bobs = await browser.newContext();
    await useSession(bobs, b.url, await signIn(b.url, bob));
    const page = await bobs.newPage();
    const errors = watchErrors(page);
    await page.goto(`${b.url}/rooms/general`);
    const here = page.locator('#here .here-people');
    await here.locator('li', { hasText: bob }).waitFor();

    const alices = await browser.newContext();
    await useSession(alices, a.url, await signIn(a.url, alice));
    const tab = await alices.newPage();
    await tab.goto(`${a.url}/rooms/general`);
    await tab.locator('#here li', { hasText: bob }).waitFor({ timeout: BOUND });
    await here.locator('li', { hasText: alice }).waitFor({ timeout: BOUND });

    const closed = Date.now();
    await tab.close();
    await here.locator('li', { hasText: alice }).waitFor({ state: 'detached', timeout: BOUND });
    console.log(`Chromium: a closed tab left the other replica's Here now after ${Date.now() - closed} ms (heartbeat ${INTERVAL} ms)`);
    expect(await here.locator('li').allTextContents()).toEqual([bob]);
    expect(errors).toEqual([]);
    await Promise.all([bobs.close(), alices.close()]);
  });
});
