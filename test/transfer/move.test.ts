import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/db/connect.ts';
import { signIn } from '../support/client.ts';
import { emptyDatabase, freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';

const run = promisify(execFile);
const SECRET = `xylophone-${randomBytes(4).toString('hex')}`;
const PASSWORD = 'moving day 2026';
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** `npm run export` / `npm run import` as an operator runs them, against one database. */
function cli(script: string, file: string, databaseUrl: string) {
  return run(process.execPath, ['--import', 'tsx', script, file], { env: { ...process.env, DATABASE_URL: databaseUrl }, timeout: 120_000 });
}

type Msg = { id: string; author: string; body: string; createdAt: string; editedAt?: string; deleted?: true; reactions?: object; attachments?: { url: string; name: string }[] };

/** Signs in only (POST /session): the imported people exist already. */
async function signInAs(base: string, name: string): Promise<string> {
  const res = await fetch(`${base}/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password: PASSWORD }) });
  expect(res.status).toBe(200);
  return res.headers.getSetCookie()[0]!.split(';')[0]!;
}

async function api<T>(base: string, cookie: string, method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${url}`, { method, headers: { cookie, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

/** What one person sees: their rooms, and each room's whole history as JSON. */
async function viewOf(base: string, cookie: string) {
  const { rooms } = await api<{ rooms: { slug: string; title: string; kind: string }[] }>(base, cookie, 'GET', '/api/rooms');
  const histories: Record<string, Omit<Msg, 'cursor'>[]> = {};
  for (const r of rooms) {
    const { messages } = await api<{ messages: (Msg & { cursor?: string })[] }>(base, cookie, 'GET', `/api/rooms/${r.slug}/messages?limit=500`);
    histories[r.slug] = messages.map(({ cursor: _cursor, ...m }) => m);
  }
  return { rooms: rooms.map((r) => ({ slug: r.slug, title: r.title, kind: r.kind })), histories };
}

describe('moving an instance to another server: npm run export, then npm run import', () => {
  const names: [string, string, string] = [`ada${process.pid}`, `bo${process.pid}`, `cy${process.pid}`];
  const dir = mkdtempSync(path.join(tmpdir(), 'chat-transfer-'));
  const archive = path.join(dir, 'instance.tar');
  const file = randomBytes(700 * 1024);
  let source: string;
  let target: string;
  let before: Record<string, Awaited<ReturnType<typeof viewOf>>> = {};
  let order: string[] = [];
  let b: Replica;
  let avatar: Buffer;

  beforeAll(async () => {
    source = await freshDatabase();
    const a = await startReplica(source, { rateLimitMessages: null });
    const [ada, bo, cy] = [await signIn(a.url, names[0], PASSWORD), await signIn(a.url, names[1], PASSWORD), await signIn(a.url, names[2], PASSWORD)];
    const { room: closed } = await api<{ room: { slug: string } }>(a.url, ada, 'POST', '/api/rooms', { title: 'Plans', kind: 'closed', members: [names[1]] });
    const { room: direct } = await api<{ room: { slug: string } }>(a.url, ada, 'POST', '/api/directs', { names: [names[2]] });
    const post = async (cookie: string, room: string, body: string, extra = {}) =>
      (await api<{ message: Msg }>(a.url, cookie, 'POST', `/rooms/${room}/messages`, { body, ...extra })).message;
    for (let i = 0; i < 5; i++) await post(i % 2 ? bo : ada, 'general', `general ${i}`);
    const edited = await post(bo, 'general', 'first draft');
    await api(a.url, bo, 'PATCH', `/api/rooms/general/messages/${edited.id}`, { body: 'final text' });
    const liked = await post(ada, closed.slug, 'the plan');
    await api(a.url, bo, 'POST', `/api/rooms/${closed.slug}/messages/${liked.id}/reactions`, { emoji: '👍' });
    const gone = await post(bo, closed.slug, `the secret word is ${SECRET}`);
    await api(a.url, ada, 'POST', `/api/rooms/${closed.slug}/messages/${gone.id}/reactions`, { emoji: '🎉' });
    await api(a.url, bo, 'DELETE', `/api/rooms/${closed.slug}/messages/${gone.id}`);
    await post(cy, direct.slug, 'just between us');
    const up = await fetch(`${a.url}/rooms/${closed.slug}/attachments`, {
      method: 'POST', headers: { cookie: ada, 'content-type': 'application/octet-stream', 'x-filename': 'plan.bin' }, body: new Blob([new Uint8Array(file)]),
    });
    const { attachment } = (await up.json()) as { attachment: { id: string } };
    await post(ada, closed.slug, 'the file', { attachments: [attachment.id] });
    // A bio and a picture (src/profiles/): they move with their person.
    await api(a.url, ada, 'PATCH', '/api/me', { bio: 'Moved house, kept the bio.' });
    const form = new FormData();
    form.append('avatar', new Blob([new Uint8Array(await sharp({ create: { width: 64, height: 64, channels: 3, background: '#36c' } }).png().toBuffer())]), 'me.png');
    expect((await fetch(`${a.url}/api/me/avatar`, { method: 'POST', headers: { cookie: ada, origin: a.url }, body: form })).status).toBe(204);
    avatar = Buffer.from(await (await fetch(`${a.url}/users/${names[0]}/avatar`, { headers: { cookie: ada } })).arrayBuffer());
    // Two writers whose transactions started in one order and took their ids in the other: the
    // stream puts the lower id after the higher one, and so must the new server.
    const [w1, w2] = [connect(source, { max: 1 }), connect(source, { max: 1 })];
    const insert = (db: typeof w1, body: string) => db`
      INSERT INTO messages (room_id, author_id, body) SELECT r.id, u.id, ${body} FROM rooms r, users u WHERE r.slug = 'general' AND u.name = ${names[0]}`;
    await w1.begin(async (t1) => {
      await t1`SELECT pg_current_xact_id()`;
      await insert(w2, 'later transaction, lower id');
      await insert(t1 as unknown as typeof w1, 'earlier transaction, higher id');
    });
    await Promise.all([w1.end(), w2.end()]);
    before = { [names[0]]: await viewOf(a.url, ada), [names[1]]: await viewOf(a.url, bo), [names[2]]: await viewOf(a.url, cy) };
    const sql = connect(source, { max: 1 });
    order = (await sql<{ id: string }[]>`SELECT id FROM messages ORDER BY tx, id`).map((r) => r.id);
    await sql.end();
    await a.close();

    await cli('src/export-cli.ts', archive, source);
    target = await emptyDatabase();
    await cli('src/import-cli.ts', archive, target);
    b = await startReplica(target, { rateLimitMessages: null, registration: 'invite' });
  });
  afterAll(async () => {
    await b?.close();
  });

  it('lets every person sign in with the same password and see the same rooms and histories', async () => {
    for (const name of names) {
      expect(await viewOf(b.url, await signInAs(b.url, name))).toEqual(before[name]);
    }
    expect(before[names[0]]!.rooms.map((r) => r.kind).sort()).toEqual(expect.arrayContaining(['closed', 'direct', 'open']));
    expect(before[names[2]]!.rooms.some((r) => r.kind === 'closed')).toBe(false);
  });

  it('keeps the stream order, and puts a message posted after the import after every imported one', async () => {
    const cy = await signInAs(b.url, names[2]);
    const { message } = await api<{ message: Msg }>(b.url, cy, 'POST', '/rooms/general/messages', { body: 'hello from the new server' });
    const sql = connect(target, { max: 1 });
    const now = (await sql<{ id: string }[]>`SELECT id FROM messages ORDER BY tx, id`).map((r) => r.id);
    await sql.end();
    expect(now).toEqual([...order, message.id]);
    expect(order.map(BigInt).some((id, i, all) => i > 0 && id < all[i - 1]!)).toBe(true);
    expect(BigInt(message.id)).toBeGreaterThan(BigInt(order.at(-1)!));
  });

  it('leaves the deleted text nowhere: not in the archive, not in any table of the new database', async () => {
    expect(readFileSync(archive).includes(SECRET)).toBe(false);
    const sql = connect(target, { max: 1 });
    const tables = await sql<{ name: string }[]>`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`;
    for (const { name } of tables) {
      const [hit] = await sql.unsafe<{ n: string }[]>(`SELECT count(*) AS n FROM "${name}" t WHERE t::text LIKE $1`, [`%${SECRET}%`]);
      expect(hit!.n, name).toBe('0');
    }
    await sql.end();
  });

  it('serves the files with the same bytes', async () => {
    const ada = await signInAs(b.url, names[0]);
    const withFile = Object.values(before[names[0]]!.histories).flat().find((m) => m.attachments?.length)!;
    const res = await fetch(`${b.url}${withFile.attachments![0]!.url}`, { headers: { cookie: ada } });
    expect(res.status).toBe(200);
    expect(sha(new Uint8Array(await res.arrayBuffer()))).toBe(sha(file));
  });

  it('moves bios and pictures with their people', async () => {
    const ada = await signInAs(b.url, names[0]);
    expect(((await api<{ user: { bio: string } }>(b.url, ada, 'GET', '/api/me')).user.bio)).toBe('Moved house, kept the bio.');
    // As a member sees it: a visitor without a session gets initials for every name.
    const res = await fetch(`${b.url}/users/${names[0]}/avatar`, { headers: { cookie: await signInAs(b.url, names[1]) } });
    expect(res.headers.get('content-type')).toBe('image/webp');
    expect(Buffer.from(await res.arrayBuffer()).equals(avatar)).toBe(true);
  });

  it('refuses to import into an instance that is not empty, with one line and exit code 1', async () => {
    const err = await cli('src/import-cli.ts', archive, target).then(() => null, (e: { code: number; stderr: string }) => e);
    expect(err?.code).toBe(1);
    expect(err?.stderr.trim()).toMatch(/^import refused: the target instance is not empty/);
  });
});
