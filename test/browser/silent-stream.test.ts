import type { Browser } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { useSession } from '../support/browser.ts';
import { describeInBrowser, withBrowserAndReplicas } from '../support/browser-rig.ts';
import { postJson, signIn } from '../support/client.ts';
import { silenceableHop } from '../support/hop.ts';
import type { Replica } from '../support/replica.ts';

describeInBrowser('a tab whose event stream breaks', () => {
  let r: Replica;
  let small: Replica;
  let browser: Browser;
  // The second replica holds 5 messages per room (20 over all rooms) and catches a stream up on at most 5 from the database.
  const rig = withBrowserAndReplicas([{}, { feedCapacity: 5, catchUpMax: 5 }]);
  beforeAll(() => ({ browser, replicas: [r, small] } = rig as typeof rig & { replicas: [Replica, Replica] }));

  it('notices two missed pings, shows Reconnecting…, and gets what was posted meanwhile on a new stream, within 35 s', async () => {
    const hop = await silenceableHop(new URL(r.url));
    const reader = await signIn(r.url, 'reader');
    const poster = await signIn(r.url, 'poster');
    const context = await browser.newContext();
    await useSession(context, hop.url, reader);
    const page = await context.newPage();
    // The page's clock is the test's: the 30 s of silence pass at once, where they cost 30 s of the
    // suite. Only the page's timers move with it; the server and the streams run in real time.
    await page.clock.install();
    await page.goto(`${hop.url}/rooms/general`);
    await page.locator('#status', { hasText: 'Live' }).waitFor({ timeout: 10_000 });

    // The status may read "Reconnecting…" for a moment only: record every text it shows.
    await page.evaluate(() => {
      const status = document.getElementById('status')!;
      const seen: string[] = ((window as unknown as { statusSeen: string[] }).statusSeen = []);
      new MutationObserver(() => seen.push(status.textContent ?? '')).observe(status, { childList: true, characterData: true, subtree: true });
    });
    const statusSeen = () => page.evaluate(() => (window as unknown as { statusSeen: string[] }).statusSeen);

    hop.freeze();
    expect((await postJson(r.url, poster, 'general', 'said into the silence')).status).toBe(201);
    await page.waitForTimeout(1000);
    // One missed ping (15 s) and then some: the tab still waits, the message stuck in the silence.
    await page.clock.runFor(25_000);
    await page.waitForTimeout(300);
    expect(await page.locator('.message', { hasText: 'said into the silence' }).count()).toBe(0);
    expect(await page.locator('#status').textContent()).toBe('Live');

    // Two missed pings: by 35 s of silence it has reconnected and shows the message.
    await page.clock.runFor(10_000);
    await page.locator('.message', { hasText: 'said into the silence' }).waitFor({ timeout: 10_000 });
    await page.locator('#status', { hasText: 'Live' }).waitFor({ timeout: 2000 });
    expect(await statusSeen()).toEqual(['Reconnecting…', 'Live']);
    await context.close();
    hop.close();
  }, 60_000);

  it('reloads the room page when the stream says resuming would cost too much, and shows the newest messages', async () => {
    const hop = await silenceableHop(new URL(small.url));
    const reader = await signIn(small.url, 'behind');
    const context = await browser.newContext();
    await useSession(context, hop.url, reader);
    const page = await context.newPage();
    await page.goto(`${hop.url}/rooms/ops`);
    await page.locator('#status', { hasText: 'Live' }).waitFor({ timeout: 10_000 });
    await page.evaluate(() => { (window as unknown as { before: boolean }).before = true; });

    // While its browser waits to reconnect, 40 messages arrive: more than memory or a catch-up holds.
    hop.cut();
    await small.sql`INSERT INTO messages (room_id, author_id, body)
      SELECT (SELECT id FROM rooms WHERE slug = 'ops'), (SELECT id FROM users WHERE name = 'behind'), 'missed ' || g
      FROM generate_series(1, 40) AS g`;
    await page.waitForFunction(() => !(window as unknown as { before?: boolean }).before, null, { timeout: 15_000 });
    await page.locator('.message', { hasText: 'missed 40' }).waitFor({ timeout: 5000 });
    await page.locator('#status', { hasText: 'Live' }).waitFor({ timeout: 5000 });
    await context.close();
    hop.close();
  });
});
