import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { Browser } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { useSession, watchErrors } from '../support/browser.ts';
import { describeInBrowser, withBrowserAndReplicas } from '../support/browser-rig.ts';
import { postJson, signIn } from '../support/client.ts';
import type { Replica } from '../support/replica.ts';

// SCREENSHOTS=1 also writes Documentation/screenshots/profile.png and profile-transfer.png.
const shot = (file: string) => new URL(`../../Documentation/screenshots/${file}`, import.meta.url).pathname;

/** A picture to upload: shapes on a gradient, as a JPEG from a phone would be (no text, no fonts needed). */
function picture(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="900" height="700"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
    <stop offset="0" stop-color="#0ea5e9"/><stop offset="1" stop-color="#6d28d9"/></linearGradient></defs>
    <rect width="900" height="700" fill="url(#g)"/><circle cx="450" cy="290" r="150" fill="#fde68a"/>
    <rect x="230" y="470" width="440" height="260" rx="200" fill="#fde68a"/></svg>`;
  return sharp(Buffer.from(svg)).jpeg().toBuffer();
}

describeInBrowser('the profile page in Chromium, without and with JavaScript', () => {
  let r: Replica;
  let browser: Browser;
  const rig = withBrowserAndReplicas([{ rateLimitMessages: null }]);
  beforeAll(() => {
    ({ browser, replicas: [r] } = rig as typeof rig & { replicas: [Replica] });
  });

  it('a person uploads a picture with the plain form, sees it on the profile and beside their messages, and makes a sign-in link whose QR code opens on a phone', async () => {
    const maya = await signIn(r.url, 'maya');
    await fetch(`${r.url}/api/me`, { method: 'PATCH', headers: { cookie: maya, 'content-type': 'application/json' }, body: JSON.stringify({ bio: 'Runs the staging swarm. Ask me about rolling updates.' }) });
    await postJson(r.url, maya, 'general', 'Morning all! The new replicas are up.');
    const context = await browser.newContext({ viewport: { width: 900, height: 900 }, javaScriptEnabled: false });
    await useSession(context, r.url, maya);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${r.url}/users/maya`);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'avatar-')), 'me.jpg');
    writeFileSync(file, await picture());
    await page.getByLabel('A PNG, JPEG, GIF or WebP picture').setInputFiles(file);
    await Promise.all([page.waitForURL(/\/users\/maya\?avatar=1$/), page.getByRole('button', { name: 'Upload picture' }).click()]);
    await expect.poll(() => page.locator('img.profile-avatar').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(512);
    expect(await page.getByRole('status').textContent()).toContain('Your picture is changed.');
    if (process.env.SCREENSHOTS) await page.screenshot({ path: shot('profile.png') });

    await page.getByRole('button', { name: 'Sign in on another device' }).click();
    const link = await page.getByLabel('Sign-in link', { exact: true }).inputValue();
    expect(link).toMatch(new RegExp(`^${r.url}/transfer/`));
    expect(await page.locator('figure.qr svg').getAttribute('aria-label')).toBe('QR code of the sign-in link');
    if (process.env.SCREENSHOTS) {
      await page.screenshot({ path: shot('profile-transfer.png'), fullPage: true });
    }

    // The phone opens the link: one button, and it is signed in as maya, the picture beside her message.
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const tab = await phone.newPage();
    const phoneErrors = watchErrors(tab);
    await tab.goto(link);
    await Promise.all([tab.waitForURL(`${r.url}/`), tab.getByRole('button', { name: 'Sign in' }).click()]);
    await tab.goto(`${r.url}/rooms/general`);
    const beside = tab.locator('li.message a.avatar img').first();
    await beside.scrollIntoViewIfNeeded();
    await expect.poll(() => beside.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(512);
    await tab.goto(link);
    expect(await tab.getByRole('alert').textContent()).toContain('used already');
    expect([...errors, ...phoneErrors.filter((e) => !e.includes('410'))]).toEqual([]);
    await Promise.all([context.close(), phone.close()]);
  });
});
