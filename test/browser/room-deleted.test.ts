import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveChromium, launchBrowser, useSession } from '../support/browser.ts';
import { postJson, signIn } from '../support/client.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';

describe.skipIf(!haveChromium)('pages open while an admin deletes a room', () => {
  let a: Replica;
  let b: Replica;
  let browser: Browser;
  beforeAll(async () => {
    const db = await freshDatabase();
    [a, b, browser] = await Promise.all([startReplica(db), startReplica(db), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all([a?.close(), b?.close()]);
  });

  it('says "This room was deleted" on the room’s page, clears it and disables the box, and drops it from the sidebar of other pages', async () => {
    const admin = await signIn(a.url, 'head');
    const reader = await signIn(a.url, 'member');
    const made = await fetch(`${a.url}/api/rooms`, { method: 'POST', headers: { cookie: reader, 'content-type': 'application/json' }, body: JSON.stringify({ title: 'Ephemeral' }) });
    expect(made.status).toBe(201);
    expect((await postJson(a.url, reader, 'ephemeral', 'soon gone')).status).toBe(201);
    const context = await browser.newContext();
    await useSession(context, b.url, reader);
    const inRoom = await context.newPage();
    await inRoom.goto(`${b.url}/rooms/ephemeral`);
    await inRoom.locator('#status', { hasText: 'Live' }).waitFor({ timeout: 10_000 });
    const elsewhere = await context.newPage();
    await elsewhere.goto(`${b.url}/rooms/general`);
    await elsewhere.locator('#status', { hasText: 'Live' }).waitFor({ timeout: 10_000 });
    expect(await elsewhere.locator('a[href^="/rooms/ephemeral"]').count()).toBeGreaterThan(0);

    expect((await fetch(`${a.url}/api/rooms/ephemeral`, { method: 'DELETE', headers: { cookie: admin, 'content-type': 'application/json' } })).status).toBe(204);
    await inRoom.locator('#status', { hasText: 'This room was deleted' }).waitFor({ timeout: 5_000 });
    expect(await inRoom.locator('form.post textarea').isDisabled()).toBe(true);
    expect(await inRoom.locator('.message', { hasText: 'soon gone' }).count()).toBe(0);
    await elsewhere.waitForFunction(() => document.querySelectorAll('a[href^="/rooms/ephemeral"]').length === 0, undefined, { timeout: 5_000 });
    await context.close();
  });
});
