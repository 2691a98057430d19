import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/**
 * Debian's Chromium: .ci/run installs it; Playwright's own browser downloads are not used.
 * CHROMIUM_PATH names another Chromium-based browser (GitHub's runners ship Google Chrome).
 */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
}

let shared: Promise<Browser> | undefined;

/**
 * One Chromium for all the files a test worker runs, one after another (vitest.config.ts):
 * starting one took about half a second of CPU per file. Each file closes the contexts it opened
 * (browser-rig.ts); Playwright ends the browser when the worker exits.
 */
export function sharedBrowser(): Promise<Browser> {
  if (!shared) {
    const launching = launchBrowser();
    shared = launching;
    const forget = () => { if (shared === launching) shared = undefined; };
    launching.then((b) => b.on('disconnected', forget), forget);
  }
  return shared;
}

/** Collects console errors and uncaught exceptions of a page, to assert there were none. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  return errors;
}

/** Signs in through the sign-in form, as a person would, and lands on `next`. */
export async function signInWithForm(page: Page, base: string, name: string, next = '/', password = 'correct horse'): Promise<void> {
  await page.goto(`${base}/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Password').fill(password);
  await Promise.all([page.waitForURL(`${base}${next}`), page.getByRole('button', { name: 'Sign in' }).click()]);
}

/** Gives a browser context the session of a `name=value` cookie from client.ts signIn(). */
export async function useSession(context: BrowserContext, base: string, cookie: string): Promise<void> {
  const at = cookie.indexOf('=');
  await context.addCookies([{ name: cookie.slice(0, at), value: cookie.slice(at + 1), url: base }]);
}
