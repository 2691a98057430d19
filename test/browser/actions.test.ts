import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { useSession, watchErrors } from '../support/browser.ts';
import { describeInBrowser, withBrowserAndReplicas } from '../support/browser-rig.ts';
import { postJson, signIn } from '../support/client.ts';
import type { Replica } from '../support/replica.ts';

/** A message's text once the stream has brought its edit (or anything else) back. */
const bodyOf = (page: Page, id: string) => page.locator(`#m-${id} > .body`);

describeInBrowser('the actions menu of a message', () => {
  let r: Replica;
  let browser: Browser;
  let desk: BrowserContext;
  let cookie: string;
  const ids: string[] = [];
  const rig = withBrowserAndReplicas([{ rateLimitMessages: null }]);
  beforeAll(async () => {
    ({ browser, replicas: [r] } = rig as typeof rig & { replicas: [Replica] });
    cookie = await signIn(r.url, 'ada');
    // One author, seconds apart: all but the first are grouped follow-ups with their time clipped away.
    for (let i = 0; i < 6; i++) {
      const res = await postJson(r.url, cookie, 'general', `note ${i} with **Markdown**`);
      ids.push(((await res.json()) as { message: { id: string } }).message.id);
    }
    desk = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    await desk.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: r.url });
    await useSession(desk, r.url, cookie);
  });

  async function room(context = desk): Promise<{ page: Page; errors: string[] }> {
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${r.url}/rooms/general#latest`);
    await page.locator('#status', { hasText: 'Live' }).waitFor();
    return { page, errors };
  }
  const menuOf = async (page: Page, li: Locator) => {
    await li.hover();
    await li.getByRole('button', { name: 'Message actions' }).click();
    return page.getByRole('menu');
  };

  it('edits a grouped follow-up message by mouse: hover, the menu, Edit, Enter', async () => {
    const { page, errors } = await room();
    const li = page.locator(`#m-${ids[1]}`);
    expect(await li.getAttribute('class')).toContain('follow');
    await (await menuOf(page, li)).getByRole('menuitem', { name: 'Edit' }).click();
    const field = li.getByRole('textbox', { name: 'Edit your message' });
    await expect.poll(() => field.inputValue()).toBe('note 1 with **Markdown**');
    await field.fill('note 1, edited by mouse');
    await field.press('Enter');
    await expect.poll(() => bodyOf(page, ids[1]!).innerText()).toBe('note 1, edited by mouse');
    await li.locator('.edited').waitFor();
    expect(await page.locator('.inline-edit').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('edits one\'s last message with Up arrow in the empty box, and Esc cancels an edit', async () => {
    const { page, errors } = await room();
    const box = page.getByRole('textbox', { name: /Message #/ });
    await box.focus();
    await box.press('ArrowUp');
    const last = page.locator(`#m-${ids[5]}`);
    const field = last.getByRole('textbox', { name: 'Edit your message' });
    await expect.poll(() => field.inputValue()).toBe('note 5 with **Markdown**');
    await field.press('Escape');
    expect(await page.locator('.inline-edit').count()).toBe(0);
    expect(await bodyOf(page, ids[5]!).innerText()).toBe('note 5 with Markdown');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('body');
    await box.press('ArrowUp');
    await expect.poll(() => field.inputValue()).toBe('note 5 with **Markdown**');
    await field.fill('note 5, edited from the keyboard');
    await field.press('Enter');
    await expect.poll(() => bodyOf(page, ids[5]!).innerText()).toBe('note 5, edited from the keyboard');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('edits a follow-up on a 360 px touch screen through a visible ⋯ button at least 44 px, and opens the menu by a long press', async () => {
    const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true });
    await useSession(phone, r.url, cookie);
    const { page, errors } = await room(phone);
    const li = page.locator(`#m-${ids[3]}`);
    const more = li.getByRole('button', { name: 'Message actions' });
    await more.scrollIntoViewIfNeeded();
    expect(await more.isVisible()).toBe(true);
    const box = (await more.boundingBox())!;
    expect(Math.min(box.width, box.height)).toBeGreaterThanOrEqual(44);
    await more.tap();
    const edit = page.getByRole('menuitem', { name: 'Edit' });
    expect((await edit.boundingBox())!.height).toBeGreaterThanOrEqual(44);
    await edit.tap();
    const field = li.getByRole('textbox', { name: 'Edit your message' });
    await expect.poll(() => field.inputValue()).toBe('note 3 with **Markdown**');
    await field.fill('note 3, edited on a phone');
    await li.getByRole('button', { name: 'Save' }).tap();
    await expect.poll(() => bodyOf(page, ids[3]!).innerText()).toBe('note 3, edited on a phone');
    // A long press on the text opens the same menu; a short one does not.
    const text = bodyOf(page, ids[2]!);
    await text.dispatchEvent('touchstart');
    await text.dispatchEvent('touchend');
    await page.waitForTimeout(700);
    expect(await page.getByRole('menu').isVisible()).toBe(false);
    await text.dispatchEvent('touchstart');
    await page.getByRole('menu', { name: 'Message by ada' }).waitFor();
    await text.dispatchEvent('touchend');
    expect(await page.getByRole('menuitem').allInnerTexts()).toEqual(['Reply', 'React', 'Edit', 'Delete', 'Copy link']);
    expect(errors).toEqual([]);
    await phone.close();
  });

  it('reacts through the picker, whose search finds an emoji by name', async () => {
    const { page, errors } = await room();
    const li = page.locator(`#m-${ids[2]}`);
    await (await menuOf(page, li)).getByRole('menuitem', { name: 'React' }).click();
    const picker = page.getByRole('dialog', { name: 'React with an emoji' });
    expect(await picker.getByRole('group', { name: 'Usual reactions' }).getByRole('button').count()).toBe(8);
    await picker.getByRole('searchbox', { name: 'Search emoji by name' }).fill('rocket');
    await picker.getByRole('button', { name: 'rocket', exact: true }).click();
    await li.locator('.reactions').getByRole('button', { name: '🚀 1 from ada' }).waitFor();
    expect(await picker.count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('replies by quoting the message with a link to it, and copies its link', async () => {
    const { page, errors } = await room();
    const li = page.locator(`#m-${ids[4]}`);
    await (await menuOf(page, li)).getByRole('menuitem', { name: 'Reply' }).click();
    const box = page.getByRole('textbox', { name: /Message #/ });
    const permalink = `/rooms/general/messages/${ids[4]}#m-${ids[4]}`;
    expect(await box.inputValue()).toBe(`> note 4 with Markdown\n> — [ada](${permalink})\n\n`);
    await box.pressSequentially('Agreed.');
    await box.press('Enter');
    const reply = page.locator('.message').last();
    await reply.locator('blockquote', { hasText: 'note 4 with Markdown' }).waitFor();
    expect(await reply.getByRole('link', { name: 'ada' }).getAttribute('href')).toBe(permalink);
    await (await menuOf(page, li)).getByRole('menuitem', { name: 'Copy link' }).click();
    await page.getByRole('menuitem', { name: 'Copied' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${r.url}${permalink}`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('deletes a message after a confirmation, and keeps it when the confirmation is declined', async () => {
    const { page, errors } = await room();
    const li = page.locator(`#m-${ids[0]}`);
    page.once('dialog', (d) => void d.dismiss());
    await (await menuOf(page, li)).getByRole('menuitem', { name: 'Delete' }).click();
    expect(await li.locator('.tombstone').count()).toBe(0);
    page.once('dialog', (d) => void d.accept());
    await (await menuOf(page, li)).getByRole('menuitem', { name: 'Delete' }).click();
    await li.locator('.tombstone').waitFor();
    expect(await li.getByRole('button', { name: 'Message actions' }).count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('offers reply, react, edit and delete on the message\'s own page without JavaScript', async () => {
    const plain = await browser.newContext({ javaScriptEnabled: false });
    await useSession(plain, r.url, cookie);
    const page = await plain.newPage();
    await page.goto(`${r.url}/rooms/general/messages/${ids[2]}`);
    expect(await page.locator('button.more').first().isVisible()).toBe(false);
    for (const name of ['Send the reply', 'Save the edit', 'Delete this message', 'React with 🔥']) await page.getByRole('button', { name }).waitFor();
    const reply = page.getByRole('textbox', { name: 'Reply, quoting this message' });
    const permalink = `/rooms/general/messages/${ids[2]}#m-${ids[2]}`;
    expect(await reply.inputValue()).toBe(`> note 2 with **Markdown**\n> — [ada](${permalink})\n\n`);
    await reply.press('End');
    await reply.pressSequentially('Seen, thanks.');
    await Promise.all([page.waitForURL(`${r.url}/rooms/general#latest`), page.getByRole('button', { name: 'Send the reply' }).click()]);
    const last = page.locator('.message').last();
    expect(await last.locator('blockquote strong').innerText()).toBe('Markdown');
    expect(await last.getByRole('link', { name: 'ada' }).getAttribute('href')).toBe(permalink);
    expect(await last.locator('.body').innerText()).toContain('Seen, thanks.');
    await plain.close();
  });
});
