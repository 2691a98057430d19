// The admin and room-management screenshots, taken by screenshots.ts after the room page's:
// Documentation/screenshots/{rooms-list,room-settings,room-settings-phone,admin-rooms,admin-people}.png
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { useSession } from './browser.ts';

const json = (base: string, cookie: string, method: string, url: string, body: unknown) =>
  fetch(`${base}${url}`, { method, headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify(body) }).then(async (res) => {
    if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
    return res.status === 204 ? null : (res.json() as Promise<unknown>);
  });

/** Rooms people made, a direct conversation, an archived room; then the pages that manage them. */
export async function shootRoomManagement(browser: Browser, base: string, cookies: Map<string, string>, out: string): Promise<void> {
  const [maya, felix] = [cookies.get('maya')!, cookies.get('felix')!];
  await json(base, maya, 'POST', '/api/rooms', { title: 'Launch', topic: 'Friday release: who does what', kind: 'closed', members: ['felix', 'priya'] });
  await json(base, felix, 'POST', '/api/rooms', { title: 'Design reviews', topic: 'Screens before code', kind: 'open' });
  await json(base, felix, 'POST', '/api/rooms', { title: 'Old office', topic: 'Moving boxes', kind: 'open' });
  await json(base, maya, 'PATCH', '/api/rooms/old-office', { archived: true });
  await json(base, maya, 'PATCH', '/api/rooms/help', { public: true });
  await json(base, felix, 'POST', '/api/directs', { names: ['maya'] });
  await json(base, felix, 'POST', '/api/directs', { names: ['jonas', 'priya'] });

  const shots = [
    { file: 'rooms-list.png', as: felix, url: '/', viewport: { width: 1280, height: 800 }, dark: false, scale: 1, full: true },
    { file: 'room-settings.png', as: maya, url: '/rooms/launch/settings', viewport: { width: 1280, height: 800 }, dark: false, scale: 1, full: true },
    { file: 'room-settings-phone.png', as: maya, url: '/rooms/launch/settings', viewport: { width: 360, height: 780 }, dark: true, scale: 2, full: false },
    { file: 'admin-rooms.png', as: maya, url: '/admin/rooms', viewport: { width: 1280, height: 800 }, dark: false, scale: 1, full: false },
    { file: 'admin-people.png', as: maya, url: '/admin/people', viewport: { width: 1280, height: 800 }, dark: true, scale: 1, full: false },
  ];
  for (const shot of shots) {
    const context = await browser.newContext({
      viewport: shot.viewport, colorScheme: shot.dark ? 'dark' : 'light', deviceScaleFactor: shot.scale, locale: 'en-GB', timezoneId: 'Europe/Berlin',
    });
    await useSession(context, base, shot.as);
    const page = await context.newPage();
    const res = await page.goto(`${base}${shot.url}`);
    if (res?.status() !== 200) throw new Error(`${shot.url}: ${res?.status()}`);
    await page.screenshot({ path: path.join(out, shot.file), fullPage: shot.full });
    await context.close();
    console.log(`wrote Documentation/screenshots/${shot.file}`);
  }
}
