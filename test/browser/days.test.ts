import type { Browser } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { useSession } from '../support/browser.ts';
import { describeInBrowser, withBrowserAndReplicas } from '../support/browser-rig.ts';
import { postJson, signIn } from '../support/client.ts';
import type { Replica } from '../support/replica.ts';

// Times say their day: dividers between days, and a date on every time that is not today's.
describeInBrowser('days and times on the room page', () => {
  let r: Replica;
  let browser: Browser;
  let cookie: string;
  const rig = withBrowserAndReplicas([{ rateLimitMessages: null }]);
  beforeAll(async () => {
    ({ browser, replicas: [r] } = rig as typeof rig & { replicas: [Replica] });
    cookie = await signIn(r.url, 'dora');
    await r.sql`INSERT INTO messages (room_id, author_id, body, created_at)
      SELECT (SELECT id FROM rooms WHERE slug = slug_), (SELECT id FROM users WHERE name = 'dora'), body_, now() - age_
      FROM (VALUES ('help', 'last week', interval '8 days'), ('help', 'yesterday''s', interval '1 day'), ('ops', 'only yesterday', interval '1 day'))
        AS v(slug_, body_, age_)`;
    expect((await postJson(r.url, cookie, 'help', 'posted today')).status).toBe(201);
  });

  it('without JavaScript, shows day dividers, the date on older times with the zone, and no Enter hint', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    await useSession(context, r.url, cookie);
    const page = await context.newPage();
    await page.goto(`${r.url}/rooms/help`);
    const dividers = await page.locator('.day-divider').allInnerTexts();
    expect(dividers).toHaveLength(3);
    expect(dividers.slice(1)).toEqual(['Yesterday', 'Today']);
    expect(dividers[0]).toMatch(/^\w+day,? \d{1,2} \w+ \d{4}$/);
    const time = (body: string) => page.locator('.message', { hasText: body }).locator('time').innerText();
    expect(await time('last week')).toMatch(/^\w{3},? \d{1,2} \w{3}, \d\d:\d\d UTC$/);
    expect(await time('posted today')).toMatch(/^\d\d:\d\d UTC$/);
    expect(await page.getByText('Enter sends').isVisible()).toBe(false);
    await context.close();
  });

  it('with JavaScript, shows the Enter hint and draws a new day divider when the first message of today arrives live', async () => {
    const context = await browser.newContext({ timezoneId: 'UTC' });
    await useSession(context, r.url, cookie);
    const page = await context.newPage();
    await page.goto(`${r.url}/rooms/ops`);
    await page.locator('#status', { hasText: 'Live' }).waitFor();
    expect(await page.getByText('Enter sends').isVisible()).toBe(true);
    expect(await page.locator('.day-divider').allInnerTexts()).toEqual(['Yesterday']);
    expect((await postJson(r.url, cookie, 'ops', 'first of today')).status).toBe(201);
    await page.locator('.message', { hasText: 'first of today' }).waitFor();
    expect(await page.locator('.day-divider').allInnerTexts()).toEqual(['Yesterday', 'Today']);
    // The divider sits right before the new message.
    expect(await page.locator('.day-divider.today + .message').innerText()).toContain('first of today');
    await context.close();
  });
});
