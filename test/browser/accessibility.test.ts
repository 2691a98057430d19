import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { useSession } from '../support/browser.ts';
import { describeInBrowser, withBrowserAndReplicas } from '../support/browser-rig.ts';
import { postJson, signIn } from '../support/client.ts';
import type { Replica } from '../support/replica.ts';

// The pages' CSP allows no inline script: the test contexts bypass it to inject axe (bypassCSP).
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface Violation { id: string; impact: string | null; help: string; nodes: { target: string[]; failureSummary?: string }[] }

/** axe-core's serious and critical findings on the page as it is now (WCAG 2.x A and AA, and its best practices). */
async function audit(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: Violation[] }> } }).axe;
    return (await axe.run(document, { resultTypes: ['violations'] })).violations;
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help}: ${v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} ${n.failureSummary ?? ''}`).join(' | ')}`);
}

describeInBrowser('the main pages under axe-core', () => {
  let r: Replica;
  let browser: Browser;
  let cookie: string;
  let id = '';
  const rig = withBrowserAndReplicas([{ rateLimitMessages: null }]);
  beforeAll(async () => {
    ({ browser, replicas: [r] } = rig as typeof rig & { replicas: [Replica] });
    cookie = await signIn(r.url, 'ada'); // the first account: an admin
    const other = await signIn(r.url, 'bo');
    await postJson(r.url, other, 'general', 'Morning! Is the **release** out?');
    const res = await postJson(r.url, cookie, 'general', 'Yes, see https://example.com/notes and ask @bo');
    id = ((await res.json()) as { message: { id: string } }).message.id;
    await postJson(r.url, cookie, 'general', 'A follow-up, with `code`');
    await fetch(`${r.url}/api/rooms/general/messages/${id}/reactions`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ emoji: '🎉' }) });
  });

  const pages = () => [
    ['the rooms list', '/'],
    ['a room', '/rooms/general#latest'],
    ['a message\'s page', `/rooms/general/messages/${id}`],
    ['search', '/search?q=release'],
    ['account settings', '/account'],
    ['a profile', '/users/bo'],
    ['one\'s own profile', '/users/ada'],
    ['room settings', '/rooms/general/settings'],
    ['admin people', '/admin/people'],
    ['admin rooms', '/admin/rooms'],
  ];

  for (const scheme of ['light', 'dark'] as const) {
    it(`finds no serious or critical violation on the main pages in ${scheme} mode`, async () => {
      const context = await browser.newContext({ colorScheme: scheme, viewport: { width: 1200, height: 800 }, bypassCSP: true });
      await useSession(context, r.url, cookie);
      const page = await context.newPage();
      const found: Record<string, string[]> = {};
      for (const [name, path] of pages()) {
        await page.goto(`${r.url}${path}`);
        await page.waitForLoadState('load');
        const v = await audit(page);
        if (v.length) found[name!] = v;
      }
      // The actions menu and the reaction picker, open.
      await page.goto(`${r.url}/rooms/general#latest`);
      const li = page.locator(`#m-${id}`);
      await li.hover();
      await li.getByRole('button', { name: 'Message actions' }).click();
      const menu = await audit(page);
      if (menu.length) found['the actions menu'] = menu;
      await page.getByRole('menuitem', { name: 'React' }).click();
      await page.getByRole('searchbox', { name: 'Search emoji by name' }).fill('heart');
      const picker = await audit(page);
      if (picker.length) found['the reaction picker'] = picker;
      expect(found).toEqual({});
      await context.close();
    }, 120_000);
  }

  it('finds no serious or critical violation on the sign-in page and a room on a phone', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${r.url}/login`);
    expect(await audit(page)).toEqual([]);
    await useSession(context, r.url, cookie);
    await page.goto(`${r.url}/rooms/general#room-nav`);
    expect(await audit(page)).toEqual([]);
    await context.close();
  }, 120_000);
});
