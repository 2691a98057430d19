import type { Browser, BrowserContext, Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { useSession, watchErrors } from '../support/browser.ts';
import { describeInBrowser, withBrowserAndReplicas } from '../support/browser-rig.ts';
import { postJson, signIn } from '../support/client.ts';
import type { Replica } from '../support/replica.ts';

interface Box { x: number; y: number; width: number; height: number }
const overlap = (a: Box, b: Box) => a.x < b.x + b.width - 1 && b.x < a.x + a.width - 1 && a.y < b.y + b.height - 1 && b.y < a.y + a.height - 1;

/** Every visible control of the room (links, buttons, fields) and every message's text, as laid out now. */
async function layout(page: Page) {
  return page.evaluate(() => {
    const box = (e: Element) => { const r = e.getBoundingClientRect(); return { x: r.x, y: r.y, width: r.width, height: r.height }; };
    // Visually hidden (clipped to 1 px, as a follow-up message's name and time are) counts as not shown.
    const clipped = (e: Element | null): boolean => !!e && ((getComputedStyle(e).clipPath !== 'none' && e.getBoundingClientRect().width <= 1) || clipped(e.parentElement));
    const shown = (e: Element) => { const r = e.getBoundingClientRect(); return r.width > 1 && r.height > 1 && getComputedStyle(e).visibility !== 'hidden' && !clipped(e); };
    const inView = (b: { y: number; height: number }) => b.y >= 0 && b.y + b.height <= innerHeight;
    const controls = [...document.querySelectorAll('.room a, .room button, .room textarea, .room input, .room label')]
      // The sticky header and the dock cover what scrolls under them by design; the dock's place is checked below.
      .filter((e) => shown(e) && !e.closest('.body, .room-head, .dock')).map((e) => ({ what: `${e.tagName} ${e.className} ${(e.textContent ?? '').trim().slice(0, 20)}`, box: box(e) }));
    const texts = [...document.querySelectorAll('.message .body')].map(box).filter(inView);
    return { controls, texts };
  });
}

describeInBrowser('the room page on a 360 px touch screen', () => {
  let r: Replica;
  let browser: Browser;
  let context: BrowserContext;
  const ids: string[] = [];
  const rig = withBrowserAndReplicas([{ rateLimitMessages: null }]);
  beforeAll(async () => {
    ({ browser, replicas: [r] } = rig as typeof rig & { replicas: [Replica] });
    const cookie = await signIn(r.url, 'phoebe');
    // Grouped follow-ups (same author, close together) and long lines: what a copy button used to cover.
    for (let i = 0; i < 12; i++) {
      const res = await postJson(r.url, cookie, 'general', `message ${i} ${'with words that fill the whole width of a phone '.repeat(2)}`);
      ids.push(((await res.json()) as { message: { id: string } }).message.id);
    }
    context = await browser.newContext({ viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 });
    await useSession(context, r.url, cookie);
  });

  it('opens the other rooms with one tap, in targets at least 44 px tall, and goes there with another', async () => {
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${r.url}/rooms/general#latest`);
    const nav = page.locator('#room-nav');
    expect(await nav.isVisible()).toBe(false);
    await page.getByRole('link', { name: 'Rooms', exact: true }).tap();
    await nav.waitFor({ state: 'visible' });
    const help = nav.getByRole('link', { name: /help/i });
    const box = (await help.boundingBox())!;
    expect(box.height).toBeGreaterThanOrEqual(44);
    expect(box.y + box.height).toBeLessThanOrEqual(740);
    await Promise.all([page.waitForURL(`${r.url}/rooms/help#latest`), help.tap()]);
    expect((await page.locator('#room-title').innerText()).toLowerCase()).toContain('help');
    expect(await page.locator('#room-nav').isVisible()).toBe(false);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('puts no control over any message text, and the message box below the last message', async () => {
    const page = await context.newPage();
    await page.goto(`${r.url}/rooms/general#latest`);
    await page.locator('.message').last().waitFor();
    for (const scroll of [0, 400, 99_999]) {
      await page.evaluate((y) => window.scrollTo(0, y), scroll);
      const { controls, texts } = await layout(page);
      expect(texts.length).toBeGreaterThan(0);
      for (const c of controls) for (const t of texts) expect(overlap(c.box, t), `${c.what} over a message at scroll ${scroll}`).toBe(false);
    }
    const dock = (await page.locator('.dock').boundingBox())!;
    const last = (await page.locator('.message .body').last().boundingBox())!;
    expect(last.y + last.height).toBeLessThanOrEqual(dock.y + 1);
    await page.close();
  });

  it('shows a message page with its edit card clear of the message box', async () => {
    const page = await context.newPage();
    await page.goto(`${r.url}/rooms/general/messages/${ids[11]}`);
    const card = page.locator('.message-tools');
    await card.scrollIntoViewIfNeeded();
    const save = (await page.getByRole('button', { name: 'Save the edit' }).boundingBox())!;
    const dock = (await page.locator('.dock').boundingBox())!;
    expect(overlap(save, dock)).toBe(false);
    await page.getByRole('button', { name: 'Save the edit' }).tap();
    await page.waitForURL(/\/rooms\/general\/messages\//);
    await page.close();
  });
});
