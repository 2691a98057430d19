import type { Browser, Locator } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { useSession } from '../support/browser.ts';
import { describeInBrowser, withBrowserAndReplicas } from '../support/browser-rig.ts';
import { postJson, signIn } from '../support/client.ts';
import type { Replica } from '../support/replica.ts';

// Issue 13, finding 7: bodies of combining marks, right-to-left overrides or line breaks drew over
// the messages around them.
const marks = Array.from({ length: 3999 }, (_, i) => String.fromCodePoint(0x300 + (i % 0x70))).join('');
const HOSTILE = {
  marks: `Z${marks}`,
  overrides: `${'\u202E'.repeat(1000)}reversed to the end of the world ${'\u202D\u202E'.repeat(500)}`,
  // Blank lines fold into one paragraph break in Markdown; lines with a dot each do not.
  lines: `${'.\n'.repeat(1999)}.`,
};

describeInBrowser('hostile text in a message', () => {
  let r: Replica;
  let browser: Browser;
  const rig = withBrowserAndReplicas();
  beforeAll(() => ({ browser, replicas: [r] } = rig as typeof rig & { replicas: [Replica] }));

  it('stays inside its own message: marks and overrides are clipped and isolated, two thousand lines scroll within', async () => {
    const author = await signIn(r.url, 'spiller');
    const neighbour = await signIn(r.url, 'neighbour');
    const bodies = ['a quiet message before', HOSTILE.marks, 'between marks and overrides', HOSTILE.overrides,
      'between overrides and lines', HOSTILE.lines, 'a quiet message after'];
    for (const [i, body] of bodies.entries()) {
      expect((await postJson(r.url, i % 2 ? author : neighbour, 'help', body)).status).toBe(201);
    }
    // Tall enough to show every message at once: element shots then need no scrolling, which
    // would slide a neighbour under the sticky header between two shots.
    const context = await browser.newContext({ viewport: { width: 800, height: 1400 } });
    await useSession(context, r.url, neighbour);
    const page = await context.newPage();
    await page.goto(`${r.url}/rooms/help`);
    const items = page.locator('#messages > .message');
    await expect.poll(() => items.count()).toBe(bodies.length);

    const box = async (l: Locator) => (await l.boundingBox())!;
    // Avatars' rounded corners repaint with slightly different edges from one shot to the next.
    await page.locator('.avatar').evaluateAll((els: HTMLElement[]) => els.forEach((el) => { el.style.visibility = 'hidden'; }));
    for (const i of [1, 3, 5]) {
      const item = items.nth(i);
      const body = item.locator('.body');
      expect(await body.getAttribute('dir')).toBe('auto');
      const [li, b, next] = [await box(item), await box(body), await box(items.nth(i + 1))];
      expect(b.y).toBeGreaterThanOrEqual(li.y - 0.5);
      expect(b.y + b.height).toBeLessThanOrEqual(li.y + li.height + 0.5);
      expect(next.y).toBeGreaterThanOrEqual(li.y + li.height - 0.5);
      // Nothing of it is drawn over its neighbours: they look the same with its body hidden.
      const look = () => Promise.all([items.nth(i - 1).screenshot(), items.nth(i + 1).screenshot()]);
      const shown = await look();
      await body.evaluate((el: HTMLElement) => { el.style.visibility = 'hidden'; });
      const hidden = await look();
      await body.evaluate((el: HTMLElement) => { el.style.visibility = ''; });
      expect(shown[0].equals(hidden[0]), `message ${i} draws over the one before`).toBe(true);
      expect(shown[1].equals(hidden[1]), `message ${i} draws over the one after`).toBe(true);
    }

    const lines = items.nth(5).locator('.body');
    const { clientHeight, scrollHeight } = await lines.evaluate((el) => ({ clientHeight: el.clientHeight, scrollHeight: el.scrollHeight }));
    expect(clientHeight).toBeLessThanOrEqual(Math.min(1400 * 0.6, 40 * 16) + 1);
    expect(scrollHeight).toBeGreaterThan(clientHeight * 10);
    // The name and time after the overrides read as written.
    expect(await items.nth(4).locator('.author').innerText()).toBe('neighbour');
    await context.close();
  });
});
