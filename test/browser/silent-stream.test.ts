import { createServer, connect, type Server, type Socket } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveChromium, launchBrowser, useSession } from '../support/browser.ts';
import { postJson, signIn } from '../support/client.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';

/**
 * A TCP hop that can go silent: freeze() stops every connection whose latest request is an event
 * stream from passing anything either way, without closing it, as a host that died without
 * closing its sockets would. New connections pass as before.
 */
function silenceableHop(target: URL): Promise<{ url: string; freeze(): void; close(): void }> {
  const pairs = new Set<{ client: Socket; upstream: Socket; streaming: boolean }>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    const pair = { client, upstream, streaming: false };
    pairs.add(pair);
    client.on('data', (chunk: Buffer) => {
      const line = /^[A-Z]+ (\S+) HTTP\/1\.1/m.exec(chunk.toString('latin1'));
      if (line) pair.streaming = line[1]!.split('?')[0]!.endsWith('/events');
    });
    client.pipe(upstream).pipe(client);
    const end = () => { client.destroy(); upstream.destroy(); pairs.delete(pair); };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        url: `http://127.0.0.1:${port}`,
        freeze() {
          for (const p of pairs) {
            if (!p.streaming) continue;
            p.client.unpipe(p.upstream);
            p.upstream.unpipe(p.client);
            p.client.pause();
            p.upstream.pause();
          }
        },
        close() {
          for (const p of pairs) p.client.destroy(), p.upstream.destroy();
          server.close();
        },
      });
    }),
  );
}

describe.skipIf(!haveChromium)('a tab whose event stream goes silent', () => {
  let r: Replica;
  let browser: Browser;
  beforeAll(async () => {
    [r, browser] = await Promise.all([freshDatabase().then((db) => startReplica(db)), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await r?.close();
  });

  it('notices two missed pings, shows Reconnecting…, and gets what was posted meanwhile on a new stream, within 35 s', async () => {
    const hop = await silenceableHop(new URL(r.url));
    const reader = await signIn(r.url, 'reader');
    const poster = await signIn(r.url, 'poster');
    const context = await browser.newContext();
    await useSession(context, hop.url, reader);
    const page = await context.newPage();
    await page.goto(`${hop.url}/rooms/general`);
    await page.locator('#status', { hasText: 'Live' }).waitFor({ timeout: 10_000 });

    // The status may read "Reconnecting…" for a moment only: record every text it shows.
    await page.evaluate(() => {
      const status = document.getElementById('status')!;
      const seen: string[] = ((window as unknown as { statusSeen: string[] }).statusSeen = []);
      new MutationObserver(() => seen.push(status.textContent ?? '')).observe(status, { childList: true, characterData: true, subtree: true });
    });
    const statusSeen = () => page.evaluate(() => (window as unknown as { statusSeen: string[] }).statusSeen);

    hop.freeze();
    const frozenAt = Date.now();
    expect((await postJson(r.url, poster, 'general', 'said into the silence')).status).toBe(201);
    await page.waitForTimeout(1000);
    expect(await page.locator('.message', { hasText: 'said into the silence' }).count()).toBe(0);
    expect(await page.locator('#status').textContent()).toBe('Live');

    await page.locator('.message', { hasText: 'said into the silence' }).waitFor({ timeout: 35_000 - (Date.now() - frozenAt) });
    expect(Date.now() - frozenAt).toBeLessThan(35_000);
    expect(Date.now() - frozenAt).toBeGreaterThan(15_000);
    await page.locator('#status', { hasText: 'Live' }).waitFor({ timeout: 2000 });
    expect(await statusSeen()).toEqual(['Reconnecting…', 'Live']);
    await context.close();
    hop.close();
  }, 60_000);
});
