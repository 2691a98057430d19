import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { signIn } from '../support/client.ts';
import { haveChromium, launchBrowser, useSession, watchErrors } from '../support/browser.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';

// SCREENSHOTS=1 also writes Documentation/screenshots/push-settings.png.
describe.skipIf(!haveChromium)('the push settings page', () => {
  let replica: Replica;
  let browser: Browser;
  beforeAll(async () => {
    replica = await startReplica(await freshDatabase(), { push: true });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await replica?.close();
  });

  it('asks the browser for permission only when the person presses the button', async () => {
    const context = await browser.newContext({ viewport: { width: 900, height: 560 } });
    await useSession(context, replica.url, await signIn(replica.url, 'ann'));
    // Counts the permission prompts the page asks for, and answers as a person who says no.
    await context.addInitScript(() => {
      const w = window as unknown as { asked: number };
      w.asked = 0;
      Notification.requestPermission = () => {
        w.asked++;
        return Promise.resolve('denied');
      };
    });
    const anonymous = await fetch(`${replica.url}/settings/push`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect([anonymous.status, anonymous.headers.get('location')]).toEqual([303, '/login?next=%2Fsettings%2Fpush']);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${replica.url}/account`);
    await page.getByRole('link', { name: 'Push notifications on this device' }).click();
    const turnOn = page.getByRole('button', { name: 'Turn on notifications on this device' });
    await turnOn.waitFor();
    await expect(page.locator('.who strong').textContent()).resolves.toBe('ann');
    expect(await page.getByRole('status').textContent()).toBe('Notifications are off for this device.');
    if (process.env.SCREENSHOTS) await page.screenshot({ path: new URL('../../Documentation/screenshots/push-settings.png', import.meta.url).pathname });
    expect(await page.evaluate(() => (window as unknown as { asked: number }).asked)).toBe(0);
    await turnOn.click();
    await page.waitForFunction(() => (window as unknown as { asked: number }).asked === 1);
    expect(errors).toEqual([]);
    await context.close();
  });
});
