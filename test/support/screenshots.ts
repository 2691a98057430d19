// Takes the README's screenshots: npx tsx test/support/screenshots.ts
// It starts its own embedded PostgreSQL and one replica, seeds a conversation, and writes
// Documentation/screenshots/room-{desktop,phone,dark}.png, the phone's room list, the page without
// JavaScript and a message's actions menu (room-{phone-rooms,no-js,actions}.png), then the
// room-management and admin pages (screenshots-rooms.ts).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { connect } from '../../src/db/connect.ts';
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { migrate } from '../../src/db/migrate.ts';
import { silentLogger } from '../../src/ops/log.ts';
import { createChat, listen } from '../../src/server.ts';
import { haveChromium, launchBrowser, useSession } from './browser.ts';
import { postJson, sessionCookieOf, signIn } from './client.ts';
import { shootRoomManagement } from './screenshots-rooms.ts';

const OUT = new URL('../../Documentation/screenshots/', import.meta.url);
const PASSWORD = 'correct horse';

// [author, minutes ago, body]
const CONVERSATION: [string, number, string][] = [
  ['maya', 52, 'Morning all! The new replicas are up in the staging swarm.'],
  ['jonas', 49, 'Nice. Did the rolling update start the new task first?'],
  ['maya', 48, 'Yes: start-first, and it rolled back by itself when I broke the health check on purpose.'],
  ['priya', 41, 'I killed replica 2 mid-conversation and my browser just said "Reconnecting…" for a second, then carried on. No gaps.'],
  ['jonas', 37, 'That is the Last-Event-ID resume doing its job.'],
  ['felix', 30, 'Checklist for Friday:\n1. bump POLL_INTERVAL_MS back to the default\n2. rotate the pgAdmin password\n3. write the release notes'],
  ['priya', 22, 'I can take the release notes.'],
  ['priya', 21, 'Anything you want called out besides dark mode?'],
  ['maya', 12, 'The phone layout! It finally fits a 360 px screen without sideways scrolling.'],
  ['felix', 4, 'Shipping it after lunch. Demo at 15:00 in the big room.'],
];

/** The first person sets the chat up (and is its admin); the admin makes everyone else's account. */
async function account(base: string, name: string, admin: string | undefined): Promise<string> {
  if (!admin) return signIn(base, name, PASSWORD);
  const post = (path: string, cookie?: string) => fetch(`${base}${path}`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) }, body: JSON.stringify({ name, password: PASSWORD }),
  });
  const made = await post('/users', admin);
  if (made.status !== 201) throw new Error(`creating ${name}: ${made.status} ${await made.text()}`);
  return sessionCookieOf(await post('/session'))!;
}

async function main() {
  if (!haveChromium) throw new Error('needs /usr/bin/chromium (apt-get install chromium)');
  const dir = mkdtempSync(path.join(tmpdir(), 'chat-screens-'));
  const pg = await startEmbeddedPostgres({ dataDir: dir });
  const sql = connect(pg.url);
  const chat = createChat({ ...loadConfig({}), replicaName: 'chat-2', pollIntervalMs: 50, registration: 'invite' }, sql, silentLogger);
  try {
    await migrate(sql);
    await chat.start();
    const server = await listen(chat, 0, '127.0.0.1');
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

    const cookies = new Map<string, string>();
    for (const [author, minutesAgo, body] of CONVERSATION) {
      if (!cookies.has(author)) cookies.set(author, await account(base, author, cookies.get('maya')));
      const res = await postJson(base, cookies.get(author)!, 'general', body);
      const { message } = (await res.json()) as { message: { id: string } };
      await sql`UPDATE messages SET created_at = now() - make_interval(mins => ${minutesAgo}) WHERE id = ${message.id}`;
    }

    // More rooms for the phone's room list, one with news for felix.
    const maya = cookies.get('maya')!;
    for (const title of ['Releases', 'Random']) {
      await fetch(`${base}/api/rooms`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: maya }, body: JSON.stringify({ title, kind: 'open' }) });
    }
    await postJson(base, maya, 'releases', 'Release notes draft is up, @felix have a look?');
    await fetch(`${base}/api/directs`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: cookies.get('felix')! }, body: JSON.stringify({ names: ['priya'] }) });

    mkdirSync(OUT, { recursive: true });
    const browser = await launchBrowser();
    const shots = [
      { file: 'room-desktop.png', viewport: { width: 1280, height: 800 }, colorScheme: 'light' as const, scale: 1 },
      { file: 'room-phone.png', viewport: { width: 390, height: 844 }, colorScheme: 'light' as const, scale: 2 },
      { file: 'room-dark.png', viewport: { width: 1280, height: 800 }, colorScheme: 'dark' as const, scale: 1 },
      { file: 'room-phone-rooms.png', viewport: { width: 360, height: 780 }, colorScheme: 'light' as const, scale: 2, hash: '#room-nav' },
      { file: 'room-no-js.png', viewport: { width: 1280, height: 800 }, colorScheme: 'light' as const, scale: 1, noScript: true },
      { file: 'room-actions.png', viewport: { width: 1280, height: 800 }, colorScheme: 'light' as const, scale: 1, menu: true },
    ];
    for (const shot of shots) {
      const context = await browser.newContext({
        viewport: shot.viewport, colorScheme: shot.colorScheme, deviceScaleFactor: shot.scale, locale: 'en-GB', timezoneId: 'Europe/Berlin',
        javaScriptEnabled: !shot.noScript, hasTouch: shot.scale > 1, isMobile: shot.scale > 1,
      });
      const page = await context.newPage();
      await useSession(context, base, cookies.get('felix')!);
      await page.goto(`${base}/rooms/general${shot.hash ?? '#latest'}`);
      if (!shot.noScript) await page.locator('#status:not([hidden])').waitFor();
      if (!shot.hash) await page.getByRole('textbox', { name: /Message/ }).fill('See you all there');
      if (shot.menu) {
        // felix's own message: every action is offered.
        const mine = page.locator('.message[data-author="felix"]').last();
        await mine.hover();
        await mine.getByRole('button', { name: 'Message actions' }).click();
        await page.getByRole('menu').waitFor();
      }
      await page.screenshot({ path: path.join(OUT.pathname, shot.file) });
      await context.close();
      console.log(`wrote Documentation/screenshots/${shot.file}`);
    }
    await shootRoomManagement(browser, base, cookies, OUT.pathname);
    await browser.close();
    server.closeAllConnections();
    server.close();
  } finally {
    await chat.stop();
    await sql.end({ timeout: 1 });
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
