import type { Browser, Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { watchErrors } from '../support/browser.ts';
import { describeInBrowser, withBrowserAndReplicas } from '../support/browser-rig.ts';
import { signIn } from '../support/client.ts';
import type { Replica } from '../support/replica.ts';

const PASSWORD = 'a team password';

/** Fills the register form (first run, join link or open sign-up) and waits for the room list. */
async function register(page: Page, base: string, name: string, button: string): Promise<void> {
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Password').fill(PASSWORD);
  await Promise.all([page.waitForURL(`${base}/`), page.getByRole('button', { name: button }).click()]);
  expect(await page.locator('.who').innerText()).toContain(name);
}

// Issue 10, must-show 4: a team forms the way it would in real life, through the pages alone.
describeInBrowser('a team starting a private chat in Chromium', () => {
  let browser: Browser;
  let invite: Replica;
  let open: Replica;
  // The defaults a new instance has: REGISTRATION=invite with the challenge on (tests turn both off).
  const rig = withBrowserAndReplicas([{ registration: 'invite', registrationChallenge: true }, { registration: 'open', registrationChallenge: true }], { separateDatabases: true });
  beforeAll(() => ({ browser, replicas: [invite, open] } = rig as typeof rig & { replicas: [Replica, Replica] }));

  it('makes the first person admin, lets a second join by the admin\'s link (copied with its button), and both chat in a closed room; nobody joins without the link', async () => {
    const base = invite.url;
    const [adminCtx, memberCtx, strangerCtx] = await Promise.all([browser.newContext(), browser.newContext(), browser.newContext()]);
    const admin = await adminCtx.newPage();
    const member = await memberCtx.newPage();
    const stranger = await strangerCtx.newPage();
    const errors = [...watchErrors(admin), ...watchErrors(member)];

    // First run: an empty instance sends everyone to /setup, where the first account is the admin.
    await admin.goto(`${base}/rooms/general`);
    expect(new URL(admin.url()).pathname).toBe('/setup');
    await register(admin, base, 'ada', 'Create the admin account');

    // The admin copies the join link from the people page.
    await admin.getByRole('link', { name: 'Admin' }).click();
    await admin.waitForURL(`${base}/admin/people`);
    const link = await admin.getByLabel('Join link').inputValue();
    expect(link).toMatch(new RegExp(`^${base}/join/.+`));
    await adminCtx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    await admin.getByRole('button', { name: 'Copy link' }).click();
    await admin.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await admin.evaluate(() => navigator.clipboard.readText())).toBe(link);

    // A second person registers through it in another browser.
    await member.goto(link);
    await register(member, base, 'bo', 'Join');

    // The admin makes a closed room by the room list's form and adds them on its members page.
    await admin.goto(`${base}/`);
    await admin.getByLabel('Title').fill('Launch');
    await admin.getByLabel('Topic').fill('Friday, quietly');
    await admin.getByLabel('Closed: only the people added').check();
    await Promise.all([admin.waitForURL(`${base}/rooms/launch`), admin.getByRole('button', { name: 'Create the room' }).click()]);
    await admin.getByRole('link', { name: /^Members/ }).click();
    await admin.getByLabel('Add a person').fill('bo');
    await admin.getByRole('button', { name: 'Add', exact: true }).click();
    await admin.getByRole('status').filter({ hasText: 'bo is in this room now.' }).waitFor();
    await admin.getByRole('link', { name: /Back to/ }).click();
    await admin.locator('#status:not([hidden])').waitFor();

    // The member finds the room in their list, and the two talk live.
    await member.goto(`${base}/`);
    await member.getByRole('link', { name: /Launch/ }).click();
    await member.locator('#status:not([hidden])').waitFor();
    await member.getByRole('textbox', { name: /Message/ }).fill('Hi ada, I am in.');
    await member.getByRole('button', { name: 'Send' }).click();
    await admin.locator('.message', { hasText: 'Hi ada, I am in.' }).waitFor({ timeout: 5000 });
    await admin.getByRole('textbox', { name: /Message/ }).fill('Welcome, bo!');
    await admin.getByRole('button', { name: 'Send' }).click();
    await member.locator('.message', { hasText: 'Welcome, bo!' }).waitFor({ timeout: 5000 });

    // Without the link nobody joins: the join page has no form, and a made-up code is refused.
    await stranger.goto(`${base}/join`);
    expect(await stranger.getByRole('button', { name: 'Join' }).count()).toBe(0);
    expect(await stranger.locator('main').innerText()).toContain('needs a join link');
    const guessed = await stranger.goto(`${base}/join/not-the-code`);
    expect(guessed?.status()).toBe(404);
    const posted = await stranger.request.post(`${base}/users`, { form: { name: 'mallory', password: PASSWORD }, headers: { origin: base }, maxRedirects: 0 });
    expect(posted.status()).toBe(403);
    await stranger.goto(`${base}/rooms/launch`);
    expect(new URL(stranger.url()).pathname).toBe('/login');
    expect(errors).toEqual([]);
    await Promise.all([adminCtx.close(), memberCtx.close(), strangerCtx.close()]);
  }, 90_000);

  it('lets a newcomer register under REGISTRATION=open once the page has solved the challenge', async () => {
    const base = open.url;
    await signIn(base, 'owner');
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = watchErrors(page);
    const bot = await page.request.post(`${base}/users`, { form: { name: 'bot', password: PASSWORD }, headers: { origin: base }, maxRedirects: 0 });
    expect(bot.status()).toBe(403);

    await page.goto(`${base}/join`);
    await page.getByText('Done: you can join.').waitFor({ timeout: 30_000 });
    expect(await page.getByRole('button', { name: 'Join' }).isEnabled()).toBe(true);
    await register(page, base, 'newcomer', 'Join');
    await page.getByRole('link', { name: /General/ }).first().click();
    await page.locator('#status:not([hidden])').waitFor();
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);
});
