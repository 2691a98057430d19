import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { postJson, signIn } from '../support/client.ts';
import { CHROMIUM, haveChromium, useSession, watchErrors } from '../support/browser.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';

// Real Chromium over the DevTools protocol: installability as Chromium judges it, a push delivered
// to the service worker as a push service would, and the network cut.
describe.skipIf(!haveChromium)('the installable app in Chromium', () => {
  let replica: Replica;
  let profile: string;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    replica = await startReplica(await freshDatabase(), { push: true });
    const cookie = await signIn(replica.url, 'ann');
    // A profile on disk: Chromium does not install apps from an incognito-like context.
    profile = mkdtempSync(path.join(tmpdir(), 'chat-pwa-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
    await context.grantPermissions(['notifications'], { origin: replica.url });
    await useSession(context, replica.url, cookie);
    page = await context.newPage();
    errors = watchErrors(page);
    await page.goto(`${replica.url}/`);
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await page.reload(); // now the worker controls the page
  });
  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await replica?.close();
  });

  it('serves a manifest with 192 and 512 px PNG icons, standalone, and Chromium finds no installability error', async () => {
    const manifest = (await (await fetch(`${replica.url}/manifest.webmanifest`)).json()) as { icons: { src: string; sizes: string }[] };
    expect(manifest).toMatchObject({ name: 'Swarm Chat', short_name: 'Chat', start_url: '/', display: 'standalone' });
    for (const icon of manifest.icons) {
      const res = await fetch(`${replica.url}${icon.src}`);
      expect(res.headers.get('content-type')).toBe('image/png');
      const png = Buffer.from(await res.arrayBuffer());
      expect([png.readUInt32BE(16), png.readUInt32BE(20)].join('x')).toBe(icon.sizes);
    }
    expect(manifest.icons.map((i) => i.sizes)).toEqual(['192x192', '512x512']);
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    expect(installabilityErrors).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('shows a pushed message as a notification whose click takes the tab to the message\'s permalink', async () => {
    const bob = await signIn(replica.url, 'bob');
    const { message } = (await (await postJson(replica.url, bob, 'general', '@ann look at this')).json()) as { message: { id: string } };
    const permalink = `/rooms/general/messages/${message.id}`;
    const cdp = await context.newCDPSession(page);
    const registered = new Promise<string>((resolve) => {
      cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
        const mine = registrations.find((r) => r.scopeURL === `${replica.url}/` && !r.isDeleted);
        if (mine) resolve(mine.registrationId);
      });
    });
    await cdp.send('ServiceWorker.enable');
    const registrationId = await registered;
    const data = JSON.stringify({ title: 'bob in General', body: '@ann look at this', url: permalink, tag: 'room-general', badge: 1 });
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: replica.url, registrationId, data });
    const shown = await page.waitForFunction(async () => {
      const list = await (await navigator.serviceWorker.ready).getNotifications();
      return list.length > 0 ? { title: list[0]!.title, body: list[0]!.body, url: (list[0]!.data as { url: string }).url } : null;
    });
    expect(await shown.jsonValue()).toEqual({ title: 'bob in General', body: '@ann look at this', url: permalink });
    // Headless Chromium has no notification to click: the worker gets the click event a real one would send.
    const [worker] = context.serviceWorkers();
    await Promise.all([
      page.waitForURL(`${replica.url}${permalink}`),
      worker!.evaluate(async () => {
        const sw = self as unknown as { registration: ServiceWorkerRegistration; dispatchEvent(e: Event): boolean };
        const [n] = await sw.registration.getNotifications();
        sw.dispatchEvent(new (globalThis as unknown as { NotificationEvent: new (t: string, i: { notification: Notification }) => Event }).NotificationEvent('notificationclick', { notification: n! }));
      }),
    ]);
    expect(page.url()).toBe(`${replica.url}${permalink}`);
  });

  it('shows the offline page instead of the browser\'s error when the network is gone', async () => {
    await context.setOffline(true);
    try {
      await page.goto(`${replica.url}/rooms/general`);
      await expect(page.getByRole('heading', { name: 'You are offline' }).isVisible()).resolves.toBe(true);
    } finally {
      await context.setOffline(false);
    }
  });
});
