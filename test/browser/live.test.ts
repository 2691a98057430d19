import type { Browser, BrowserContextOptions } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { useSession, watchErrors } from '../support/browser.ts';
import { describeInBrowser, withBrowserAndReplicas } from '../support/browser-rig.ts';
import { postJson, signIn } from '../support/client.ts';
import { startReplica, type Replica } from '../support/replica.ts';

const localClock = (iso: string) =>
  new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'Asia/Kolkata' }).format(new Date(iso));

describeInBrowser('the room page with JavaScript', () => {
  let db: string;
  let a: Replica;
  let b: Replica;
  let browser: Browser;
  const rig = withBrowserAndReplicas([{}, {}]);
  beforeAll(async () => {
    ({ db, browser, replicas: [a, b] } = rig as typeof rig & { replicas: [Replica, Replica] });
    // The first account of a database is its admin, made alone (a registration racing it is refused):
    // make it before people sign up side by side.
    await signIn(a.url, 'admin');
  });

  /** A signed-in person with the room open and its event stream connected. */
  async function openRoom(base: string, name: string, room = 'general', options: BrowserContextOptions = {}) {
    const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Asia/Kolkata', ...options });
    const page = await context.newPage();
    const errors = watchErrors(page);
    const cookie = await signIn(base, name);
    await useSession(context, base, cookie);
    await page.goto(`${base}/rooms/${room}`);
    await page.locator('#status', { hasText: 'Live' }).waitFor();
    const box = page.getByRole('textbox', { name: /Message/ });
    const message = (text: string) => page.locator('.message', { hasText: text });
    return { context, page, errors, cookie, box, message };
  }

  it('shows a message from a person on one replica to a person on another within 2 s, and to its sender once', async () => {
    const [alice, bob] = await Promise.all([openRoom(a.url, 'alice'), openRoom(b.url, 'bob')]);
    await alice.box.fill('hello from replica one');
    await alice.box.press('Enter');
    await bob.message('hello from replica one').waitFor({ timeout: 2000 });
    await alice.message('hello from replica one').waitFor({ timeout: 2000 });
    expect(await alice.box.inputValue()).toBe('');

    // Shift+Enter keeps typing on a new line; Enter sends.
    await bob.box.pressSequentially('first line');
    await bob.box.press('Shift+Enter');
    await bob.box.pressSequentially('second line');
    await bob.box.press('Enter');
    // Alice's stream delivers in order: once bob's reply is there, any duplicate of hers would be too.
    const reply = alice.message('first line');
    await reply.waitFor({ timeout: 2000 });
    expect(await reply.locator('.body').innerText()).toBe('first line\nsecond line');
    expect(await alice.message('hello from replica one').count()).toBe(1);
    // Bob's own message reaches his page through his stream on the other replica, like everyone's:
    // wait for it there too (each replica polls on its own), then it is there once.
    await bob.message('first line').waitFor({ timeout: 2000 });
    expect(await bob.message('first line').count()).toBe(1);

    const time = bob.message('hello from replica one').locator('time');
    expect(await time.textContent()).toBe(localClock((await time.getAttribute('datetime'))!));
    expect([...alice.errors, ...bob.errors]).toEqual([]);
    await Promise.all([alice.context.close(), bob.context.close()]);
  });

  it('follows new messages while the reader is at the bottom, and stays put while they read older ones', async () => {
    const carol = await signIn(a.url, 'carol');
    await a.sql`INSERT INTO messages (room_id, author_id, body)
      SELECT (SELECT id FROM rooms WHERE slug = 'ops'), (SELECT id FROM users WHERE name = 'carol'), 'filler ' || g
      FROM generate_series(1, 40) AS g`;
    const reader = await openRoom(b.url, 'reader', 'ops', { viewport: { width: 360, height: 740 } });
    const atBottom = () => reader.page.evaluate(() => innerHeight + scrollY >= document.documentElement.scrollHeight - 2);
    expect(await atBottom()).toBe(true);

    await postJson(a.url, carol, 'ops', 'while at the bottom');
    await reader.message('while at the bottom').waitFor({ timeout: 2000 });
    expect(await atBottom()).toBe(true);

    await reader.page.evaluate(() => scrollTo(0, 0));
    await postJson(a.url, carol, 'ops', 'while reading back');
    await reader.message('while reading back').waitFor({ timeout: 2000 });
    expect(await reader.page.evaluate(() => scrollY)).toBe(0);
    // A person clicks where the button is; Playwright's click would scroll it into view first.
    const jump = (await reader.page.getByRole('button', { name: 'New messages' }).boundingBox())!;
    await reader.page.mouse.click(jump.x + jump.width / 2, jump.y + jump.height / 2);
    expect(await atBottom()).toBe(true);
    expect(reader.errors).toEqual([]);
    await reader.context.close();
  });

  it('keeps the draft when the session has ended, and brings it back after signing in again', async () => {
    const dora = await openRoom(a.url, 'dora');
    await dora.context.clearCookies();
    await dora.box.fill('a draft worth keeping');
    await dora.box.press('Enter');
    const link = dora.page.getByRole('alert').getByRole('link', { name: 'Sign in again' });
    expect(await link.getAttribute('href')).toBe('/login?next=/rooms/general');
    expect(await dora.box.inputValue()).toBe('a draft worth keeping');

    await link.click();
    await dora.page.getByLabel('Name').fill('dora');
    await dora.page.getByLabel('Password').fill('correct horse');
    await dora.page.getByRole('button', { name: 'Sign in' }).click();
    await dora.page.waitForURL(`${a.url}/rooms/general`);
    expect(await dora.box.inputValue()).toBe('a draft worth keeping');
    await dora.context.close();
  });

  it('keeps the draft and tells how long to wait when posting too fast', async () => {
    const strict = await startReplica(db, { rateLimitMessages: { max: 1, windowMs: 60_000 } });
    try {
      const eve = await openRoom(strict.url, 'eve');
      await eve.box.fill('the first is fine');
      await eve.box.press('Enter');
      await eve.message('the first is fine').waitFor({ timeout: 2000 });
      await eve.box.fill('the second is too soon');
      await eve.box.press('Enter');
      await eve.page.getByRole('alert').filter({ hasText: /posting too fast\. Wait \d+ s/ }).waitFor();
      expect(await eve.box.inputValue()).toBe('the second is too soon');
      await eve.context.close();
    } finally {
      await strict.close();
    }
  });

  it('says it is reconnecting when the replica it streams from goes away', async () => {
    const doomed = await startReplica(db);
    const frank = await openRoom(doomed.url, 'frank');
    await doomed.close();
    await frank.page.locator('#status', { hasText: 'Reconnecting' }).waitFor({ timeout: 3000 });
    await frank.context.close();
  });
});
