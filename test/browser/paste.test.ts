import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { beforeAll, expect, it } from 'vitest';
import { useSession, watchErrors } from '../support/browser.ts';
import { describeInBrowser, withBrowserAndReplicas } from '../support/browser-rig.ts';
import { signIn } from '../support/client.ts';
import type { Replica } from '../support/replica.ts';

describeInBrowser('files in Chromium', () => {
  let a: Replica;
  let b: Replica;
  let browser: Browser;
  const rig = withBrowserAndReplicas([{}, {}]);
  beforeAll(() => ({ browser, replicas: [a, b] } = rig as typeof rig & { replicas: [Replica, Replica] }));

  async function openRoom(base: string, name: string) {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    const errors = watchErrors(page);
    const cookie = await signIn(base, `${name}_${process.pid}`);
    await useSession(context, base, cookie);
    // What the page asked for and got, printed if its stream never goes live (seen once in a
    // loaded run, not reproduced since).
    const requests: string[] = [];
    page.on('response', (res) => requests.push(`${res.request().method()} ${res.url()} ${res.status()}`));
    page.on('requestfailed', (rq) => requests.push(`${rq.method()} ${rq.url()} failed: ${rq.failure()?.errorText}`));
    await page.goto(`${base}/rooms/general`);
    try {
      await page.locator('#status', { hasText: 'Live' }).waitFor();
    } catch (err) {
      console.log(`${name}'s page never went live; status ${await page.locator('#status').textContent()}; errors ${JSON.stringify(errors)}; requests:\n${requests.join('\n')}`);
      throw err;
    }
    return { context, page, errors, cookie };
  }

  it('shows an image pasted into one person’s composer in the other person’s tab, as a thumbnail', async () => {
    // One after the other: the first account of a fresh instance is its admin, and only one can be.
    const alice = await openRoom(a.url, 'alice');
    const bob = await openRoom(b.url, 'bob');
    const png = await sharp({ create: { width: 640, height: 400, channels: 3, background: '#c33' } }).png().toBuffer();
    // What the browser fires for Ctrl+V with a screenshot on the clipboard: a paste event whose
    // clipboardData holds the image as a file.
    await alice.page.evaluate((b64) => {
      const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
      const data = new DataTransfer();
      data.items.add(new File([bytes], 'image.png', { type: 'image/png' }));
      const box = document.querySelector('form.post textarea')!;
      box.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    }, png.toString('base64'));
    // The thumbnail is made in a child process at the lowest CPU priority: on a busy machine it waits.
    await alice.page.locator('.pending-files li.ready', { hasText: 'image.png' }).waitFor({ timeout: 15_000 });
    const box = alice.page.getByRole('textbox', { name: /Message/ });
    await box.fill('a screenshot');
    await box.press('Enter');

    const shown = bob.page.locator('.message', { hasText: 'a screenshot' }).locator('.attachments img');
    await shown.waitFor({ timeout: 5000 });
    // The thumbnail loaded (a broken image has no natural width) from the other replica.
    await expect.poll(() => shown.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 5000 }).toBe(480);
    expect(await alice.page.locator('.pending-files li').count()).toBe(0);
    expect(alice.errors.join('\n')).toBe('');
    expect(bob.errors.join('\n')).toBe('');
    await Promise.all([alice.context.close(), bob.context.close()]);
  });

  it('sends a file dropped on the composer without any text, and the other tab shows a download link with its size', async () => {
    const carol = await openRoom(a.url, 'carol');
    const dave = await openRoom(b.url, 'dave');
    await carol.page.evaluate(() => {
      const data = new DataTransfer();
      data.items.add(new File(['x'.repeat(2500)], 'build.log', { type: 'text/plain' }));
      const form = document.querySelector('form.post')!;
      for (const type of ['dragover', 'drop']) form.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
    });
    await carol.page.locator('.pending-files li.ready', { hasText: 'build.log' }).waitFor({ timeout: 5000 });
    // No text: the file's name stands in for it.
    await carol.page.getByRole('button', { name: 'Send' }).click();
    const link = dave.page.locator('.message', { hasText: 'build.log' }).locator('.attachments a.file');
    await link.waitFor({ timeout: 5000 });
    expect(await link.innerText()).toMatch(/build\.log\s+2\.5 KB/);
    expect(await link.getAttribute('download')).toBe('build.log');
    expect(carol.errors.join('\n')).toBe('');
    expect(dave.errors.join('\n')).toBe('');
    await Promise.all([carol.context.close(), dave.context.close()]);
  });

  it('never renders an uploaded HTML file as a page of the chat: opening it downloads it and runs no script', async () => {
    const alice = await openRoom(a.url, 'mallory');
    const html = '<!doctype html><title>pwned</title><script>document.cookie; alert("ran"); window.opener && opener.postMessage("ran", "*")</script><h1>owned</h1>';
    const res = await fetch(`${a.url}/rooms/general/attachments`, {
      method: 'POST', headers: { cookie: alice.cookie, 'content-type': 'text/html', 'x-filename': 'evil.html' }, body: html,
    });
    const { attachment } = (await res.json()) as { attachment: { url: string } };
    let dialogs = 0;
    alice.page.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    const download = alice.page.waitForEvent('download', { timeout: 5000 });
    // A navigation that turns into a download is reported as an aborted navigation.
    await alice.page.goto(`${a.url}${attachment.url}`).catch(() => {});
    expect((await download).suggestedFilename()).toBe('evil.html');
    await alice.page.waitForTimeout(300);
    expect(dialogs).toBe(0);
    expect(await alice.page.title()).not.toBe('pwned');
    expect(await alice.page.locator('h1', { hasText: 'owned' }).count()).toBe(0);
    // Even fetched as a document in a frame, the file has no origin of ours and no scripts.
    const framed = await alice.page.evaluate(async (url) => {
      const r = await fetch(url);
      return { csp: r.headers.get('content-security-policy'), type: r.headers.get('content-type') };
    }, attachment.url);
    expect(framed).toEqual({ csp: "sandbox; default-src 'none'", type: 'application/octet-stream' });
    await alice.context.close();
  });
});
