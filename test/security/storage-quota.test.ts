import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { signIn } from '../support/client.ts';

const upload = (base: string, cookie: string, room: string, name: string, bytes: Uint8Array) =>
  fetch(`${base}/rooms/${room}/attachments`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/octet-stream', 'x-filename': encodeURIComponent(name) },
    body: new Blob([new Uint8Array(bytes)]),
  });

// Issue 19 (Low): no storage quota; 5 x 10 MB from one member in 5.3 s, ~43 GB a day at the upload
// limit. STORAGE_QUOTA counts each person's stored bytes in the database, over all replicas.
describe('storage quota per person, over replicas', () => {
  let a: Replica;
  let b: Replica;
  const KB = 1024;
  beforeAll(async () => {
    const db = await freshDatabase();
    const settings = { rateLimitMessages: null, rateLimitUploads: null, storageQuotaBytes: 100 * KB };
    [a, b] = await Promise.all([startReplica(db, settings), startReplica(db, settings)]);
  });
  afterAll(() => Promise.all([a?.close(), b?.close()]));

  const stored = async (name: string) => {
    const [row] = await a.sql<{ files: number; bytes: string; chunks: number }[]>`
      SELECT count(*)::int AS files, coalesce(sum(a.size), 0)::text AS bytes,
             (SELECT count(*)::int FROM attachment_chunks c JOIN attachments x ON x.id = c.attachment_id JOIN users v ON v.id = x.uploader_id WHERE v.name = ${name}) AS chunks
      FROM attachments a JOIN users u ON u.id = a.uploader_id WHERE u.name = ${name}`;
    return row!;
  };

  it('answers an upload past the quota with 413 and the figures, keeps what was stored, and leaves nothing of the refused file', async () => {
    const name = `quota_${process.pid}`;
    const cookie = await signIn(a.url, name);
    expect((await upload(a.url, cookie, 'general', 'one.bin', randomBytes(40 * KB))).status).toBe(201);
    expect((await upload(b.url, cookie, 'general', 'two.bin', randomBytes(40 * KB))).status).toBe(201);
    const refused = await upload(b.url, cookie, 'general', 'three.bin', randomBytes(40 * KB));
    expect(refused.status).toBe(413);
    expect(((await refused.json()) as { error: string }).error).toContain('used 80 KB of 100 KB, this file 40 KB');
    // A multipart form (the file's size unknown until read) is cut off as soon as it passes the quota.
    const form = new FormData();
    form.set('file', new Blob([new Uint8Array(randomBytes(300 * KB))]), 'big.bin');
    const cut = await fetch(`${a.url}/rooms/general/attachments`, { method: 'POST', headers: { cookie, 'sec-fetch-site': 'same-origin' }, body: form });
    expect(cut.status).toBe(413);
    expect(((await cut.json()) as { error: string }).error).toMatch(/used 80 KB of 100 KB, this file at least [\d.]+ KB/);
    expect(await stored(name)).toEqual({ files: 2, bytes: String(80 * KB), chunks: 2 });
  });

  it('lets parallel uploads on two replicas together take no more than the quota', async () => {
    const name = `racer_${process.pid}`;
    const cookie = await signIn(a.url, name);
    const answers = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => upload(i % 2 ? b.url : a.url, cookie, 'general', `${i}.bin`, randomBytes(30 * KB))));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 201, 201, 413, 413, 413]);
    expect(await stored(name)).toEqual({ files: 3, bytes: String(90 * KB), chunks: 3 });
  });

  it("counts a deleted message's files no more", async () => {
    const cookie = await signIn(a.url, `deleter_${process.pid}`);
    const file = ((await (await upload(a.url, cookie, 'general', 'big.bin', randomBytes(90 * KB))).json()) as { attachment: { id: string } }).attachment;
    const posted = await fetch(`${a.url}/rooms/general/messages`, {
      method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ body: 'with a file', attachments: [file.id] }),
    });
    const id = ((await posted.json()) as { message: { id: string } }).message.id;
    expect((await upload(b.url, cookie, 'general', 'more.bin', randomBytes(20 * KB))).status).toBe(413);
    const del = await fetch(`${a.url}/api/rooms/general/messages/${id}`, { method: 'DELETE', headers: { cookie, 'content-type': 'application/json' } });
    expect(del.status).toBe(204);
    expect((await upload(b.url, cookie, 'general', 'more.bin', randomBytes(20 * KB))).status).toBe(201);
  });

  it('has a default a real team never meets, and off', () => {
    expect(loadConfig({}).storageQuotaBytes).toBe(1024 ** 3);
    expect(loadConfig({ STORAGE_QUOTA: '500MB' }).storageQuotaBytes).toBe(500 * 1024 ** 2);
    expect(loadConfig({ STORAGE_QUOTA: 'off' }).storageQuotaBytes).toBeNull();
    expect(() => loadConfig({ STORAGE_QUOTA: 'lots' })).toThrow(/STORAGE_QUOTA/);
  });
});
