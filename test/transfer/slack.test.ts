import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, statSync, createWriteStream, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { connect, type Sql } from '../../src/db/connect.ts';
import { launchBrowser, watchErrors } from '../support/browser.ts';
import { itInBrowser } from '../support/browser-rig.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';

const run = promisify(execFile);
const FIXTURE = new URL('../fixtures/slack-export/', import.meta.url).pathname;
const SHOT = new URL('../../Documentation/screenshots/slack-import.png', import.meta.url).pathname;

/** The fixture folder as the zip Slack hands out. */
async function zipFixture(to: string): Promise<void> {
  const zip = new yazl.ZipFile();
  const walk = (dir: string, prefix = '') => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full, `${prefix}${name}/`);
      else zip.addFile(full, `${prefix}${name}`);
    }
  };
  walk(FIXTURE);
  zip.end();
  await new Promise<void>((resolve, reject) => zip.outputStream.pipe(createWriteStream(to)).on('close', () => resolve()).on('error', reject));
}

function importSlack(file: string, databaseUrl: string, origin: string) {
  return run(process.execPath, ['--import', 'tsx', 'src/import-slack-cli.ts', file], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PUBLIC_ORIGIN: origin }, timeout: 120_000,
  });
}

const counts = (sql: Sql) => sql<{ t: string; n: string }[]>`
  SELECT 'users' AS t, count(*) AS n FROM users UNION ALL SELECT 'rooms', count(*) FROM rooms
  UNION ALL SELECT 'messages', count(*) FROM messages UNION ALL SELECT 'reactions', count(*) FROM reactions
  UNION ALL SELECT 'members', count(*) FROM room_members`;

describe('coming from Slack: npm run import:slack -- <export.zip>', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'chat-slack-'));
  const file = path.join(dir, 'slack-export.zip');
  let db: string;
  let sql: Sql;
  let a: Replica;
  let first: { stdout: string };
  let latest: { stdout: string };

  beforeAll(async () => {
    await zipFixture(file);
    db = await freshDatabase();
    sql = connect(db, { max: 1 });
    a = await startReplica(db, { registration: 'invite' });
    first = await importSlack(file, db, a.url);
    latest = first;
  });
  afterAll(async () => {
    await a?.close();
    await sql?.end();
  });

  it('prints what it imported and a one-use link for the primary owner', () => {
    expect(first.stdout).toContain('imported from Slack: 4 people, 2 new rooms, 10 messages, 6 reactions');
    expect(first.stdout).toMatch(new RegExp(`sign-in link for maria, the primary owner .*: ${a.url}/reset/[A-Za-z0-9_-]{43}`));
  });

  it('adds nothing when run a second time', async () => {
    const before = await counts(sql);
    const second = await importSlack(file, db, a.url);
    latest = second;
    expect(second.stdout).toContain('imported from Slack: 0 people, 0 new rooms, 0 messages, 0 reactions');
    expect(await counts(sql)).toEqual(before);
  });

  it('makes owners and admins admins, people accounts without a password, and private channels closed rooms of their members', async () => {
    const people = await sql<{ name: string; role: string; active: boolean }[]>`
      SELECT u.name, u.role, u.deactivated_at IS NULL AS active FROM slack_users s JOIN users u ON u.id = s.user_id ORDER BY u.name`;
    expect(people).toEqual([
      { name: 'li.wei', role: 'admin', active: true }, { name: 'maria', role: 'admin', active: true },
      { name: 'old_timer', role: 'member', active: false }, { name: 'sam', role: 'member', active: true },
    ]);
    const signIn = await fetch(`${a.url}/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'sam', password: 'any password at all' }) });
    expect(signIn.status).toBe(401);
    const [room] = await sql<{ kind: string; members: string[] }[]>`
      SELECT r.kind, array_agg(u.name ORDER BY u.name) AS members FROM rooms r JOIN room_members m ON m.room_id = r.id JOIN users u ON u.id = m.user_id
      WHERE r.slug = 'leadership' GROUP BY r.kind`;
    expect(room).toEqual({ kind: 'closed', members: ['li.wei', 'maria'] });
  });

  it('puts #general into the room that exists here, in time order, with thread replies after their parent linking it', async () => {
    const rows = await sql<{ id: string; author: string; body: string; edited: boolean; reactions: Record<string, string[]> | null }[]>`
      SELECT m.id, u.name AS author, m.body, m.edited_at IS NOT NULL AS edited, reactions_of(m.id) AS reactions
      FROM messages m JOIN users u ON u.id = m.author_id JOIN rooms r ON r.id = m.room_id
      WHERE r.slug = 'general' ORDER BY m.tx, m.id`;
    expect(rows.map((r) => r.author)).toEqual(['maria', 'sam', 'li.wei', 'li.wei', 'old_timer', 'sam']);
    const [welcome, reply1, reply2, standup, plan, lunch] = rows;
    expect(welcome!.body).toBe('Welcome @sam! Start with [the docs](https://example.com/docs) & ask here.');
    expect(welcome!.reactions).toEqual({ '👍': ['li.wei', 'sam'] });
    expect(reply1!.body).toBe(`↪ [reply in a thread](${a.url}/rooms/general/messages/${welcome!.id})\nThanks! Reading them now.`);
    expect(reply2!.body).toContain('#dev-talk');
    expect(standup).toMatchObject({ body: 'Standup moves to 10:00 from Monday', edited: true, reactions: { '👍🏼': ['maria'] } });
    expect(plan!.body).toBe('The floor plan\n📎 [floor-plan.pdf](https://files.slack.com/files-pri/T0FIXTURE-F01PLAN/floor-plan.pdf)');
    expect(lunch!.body).toBe('@here lunch at noon? https://example.com/menu');
    const [bot] = await sql<{ author: string; body: string }[]>`SELECT u.name AS author, m.body FROM messages m JOIN users u ON u.id = m.author_id WHERE m.body LIKE 'Deployed%'`;
    expect(bot).toEqual({ author: 'slack-bot', body: 'Deployed *v1.4.2* to production\n> Build #88 passed in 4 min' });
  });

  itInBrowser('reads right in Chromium once the owner follows the printed link', async () => {
    // Each run makes a new link while the owner has no password; the newest one works.
    const link = /(http\S+\/reset\/\S+)/.exec(latest.stdout)![1]!;
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const errors = watchErrors(page);
      await page.goto(link);
      await page.getByLabel('New password').fill('from slack with love');
      await Promise.all([page.waitForURL(`${a.url}/`), page.getByRole('button', { name: 'Set password and sign in' }).click()]);
      await page.goto(`${a.url}/rooms/general`);
      const docs = page.getByRole('link', { name: 'the docs' });
      await expect.poll(() => docs.getAttribute('href')).toBe('https://example.com/docs');
      await expect.poll(() => page.getByText('Thanks! Reading them now.').count()).toBe(1);
      await expect.poll(() => page.getByRole('link', { name: 'reply in a thread' }).count()).toBe(2);
      // Documentation/transfer.md's picture, rewritten only when asked: a test run leaves the tree clean.
      const shot = await page.screenshot({ fullPage: true });
      expect(shot.length).toBeGreaterThan(10_000);
      if (process.env.UPDATE_SCREENSHOTS === '1') {
        mkdirSync(path.dirname(SHOT), { recursive: true });
        writeFileSync(SHOT, shot);
      }
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('lets a person claim their imported account once through the join link, keeping their history', async () => {
    const owner = await fetch(`${a.url}/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'maria', password: 'from slack with love' }) });
    expect(owner.status).toBe(200);
    const cookie = owner.headers.getSetCookie()[0]!.split(';')[0]!;
    const { code } = (await (await fetch(`${a.url}/api/invite`, { headers: { cookie } })).json()) as { code: string };
    const register = (password: string, withCode = code) => fetch(`${a.url}/users`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'sam', password, code: withCode }),
    });
    expect((await register('sams new password', 'not-the-code')).status).toBe(403);
    expect((await register('sams new password')).status).toBe(201);
    expect((await register('someone else trying')).status).toBe(409);
    const sam = await fetch(`${a.url}/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'sam', password: 'sams new password' }) });
    expect(sam.status).toBe(200);
    const [row] = await sql<{ n: string }[]>`SELECT count(*) AS n FROM messages m JOIN users u ON u.id = m.author_id WHERE u.name = 'sam'`;
    expect(row!.n).toBe('3');
  });
});
