import { createHash, randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, openStream, postJson, signIn, type StreamEvent } from '../support/client.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';

interface Uploaded { id: string; name: string; size: number; type: string; url: string; thumbnail?: string }

export async function upload(base: string, cookie: string, room: string, name: string, bytes: Uint8Array): Promise<Response> {
  return fetch(`${base}/rooms/${room}/attachments`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/octet-stream', 'x-filename': encodeURIComponent(name) },
    body: new Blob([new Uint8Array(bytes)]),
  });
}

// Message has no `attachments` in its type yet (src/sync/message.ts); the JSON has them.
const filesOf = (e: StreamEvent | undefined) => (e?.message as { attachments?: Uploaded[] } | undefined)?.attachments;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('files and images in rooms, stored in PostgreSQL', () => {
  let a: Replica;
  let b: Replica;
  let alice: string;
  let bob: string;
  let png: Buffer;
  let db: string;

  beforeAll(async () => {
    db = await freshDatabase();
    [a, b] = await Promise.all([startReplica(db, { rateLimitMessages: null }), startReplica(db, { rateLimitMessages: null })]);
    alice = await signIn(a.url, `alice_${process.pid}`);
    bob = await signIn(b.url, `bob_${process.pid}`);
    png = await sharp({ create: { width: 900, height: 600, channels: 3, background: '#3a7' } }).png().toBuffer();
    const made = await fetch(`${a.url}/api/rooms`, {
      method: 'POST', headers: { cookie: alice, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Closed files', kind: 'closed' }),
    });
    expect(made.status).toBe(201);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('downloads a file uploaded through one replica from another, byte for byte, in 256 KiB chunks and more', async () => {
    const bytes = randomBytes(3 * 256 * 1024 + 12_345);
    const res = await upload(a.url, alice, 'general', 'data.bin', bytes);
    expect(res.status).toBe(201);
    const { attachment } = (await res.json()) as { attachment: Uploaded };
    expect(attachment).toMatchObject({ name: 'data.bin', size: bytes.length, type: 'application/octet-stream' });
    const posted = await fetch(`${a.url}/rooms/general/messages`, {
      method: 'POST', headers: { cookie: alice, 'content-type': 'application/json' },
      body: JSON.stringify({ body: 'the data', attachments: [attachment.id] }),
    });
    expect(posted.status).toBe(201);
    expect(((await posted.json()) as { message: { attachments: Uploaded[] } }).message.attachments).toEqual([attachment]);
    const down = await fetch(`${b.url}${attachment.url}`, { headers: { cookie: bob } });
    expect(down.status).toBe(200);
    expect(down.headers.get('content-disposition')).toMatch(/^attachment; filename="data.bin"/);
    const got = new Uint8Array(await down.arrayBuffer());
    expect(got.length).toBe(bytes.length);
    expect(sha(got)).toBe(sha(bytes));
    // The same bytes, cached: the ETag names the content.
    const again = await fetch(`${b.url}${attachment.url}`, { headers: { cookie: bob, 'if-none-match': down.headers.get('etag')! } });
    expect(again.status).toBe(304);
    expect(down.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
  });

  it('shows a posted image in the room page and in the history API as a thumbnail linking to the file', async () => {
    const res = await upload(a.url, alice, 'general', 'chart.png', png);
    const { attachment } = (await res.json()) as { attachment: Uploaded };
    expect(attachment.thumbnail).toBe(`/rooms/general/attachments/${attachment.id}/thumbnail`);
    await fetch(`${a.url}/rooms/general/messages`, {
      method: 'POST', headers: { cookie: alice, 'content-type': 'application/json' },
      body: JSON.stringify({ body: 'see the chart', attachments: [Number(attachment.id)] }),
    });
    const page = await eventually(() => fetch(`${b.url}/rooms/general`, { headers: { cookie: bob } }).then((r) => r.text()), (t) => t.includes('see the chart'));
    expect(page).toContain(`<img src="/rooms/general/attachments/${attachment.id}/thumbnail" alt="chart.png"`);
    const api = (await (await fetch(`${b.url}/api/rooms/general/messages`, { headers: { cookie: bob } })).json()) as { messages: { body: string; attachments?: Uploaded[] }[] };
    expect(api.messages.find((m) => m.body === 'see the chart')?.attachments).toEqual([attachment]);
    const thumb = await fetch(`${b.url}${attachment.thumbnail}`, { headers: { cookie: bob } });
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    const meta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
    expect(Math.max(meta.width, meta.height)).toBeLessThanOrEqual(480);
  });

  it('answers 404 to a non-member for a closed room’s file, as for the room itself', async () => {
    const res = await upload(a.url, alice, 'closed-files', 'plan.png', png);
    expect(res.status).toBe(201);
    const { attachment } = (await res.json()) as { attachment: Uploaded };
    await fetch(`${a.url}/rooms/closed-files/messages`, {
      method: 'POST', headers: { cookie: alice, 'content-type': 'application/json' },
      body: JSON.stringify({ body: 'plans', attachments: [attachment.id] }),
    });
    expect((await fetch(`${b.url}${attachment.url}`, { headers: { cookie: alice } })).status).toBe(200);
    for (const path of [attachment.url, attachment.thumbnail!]) {
      const res = await fetch(`${b.url}${path}`, { headers: { cookie: bob } });
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain('PNG');
    }
    // Uploading into it is refused alike, and so is the same id under another room's address.
    expect((await upload(b.url, bob, 'closed-files', 'x.txt', Buffer.from('x'))).status).toBe(404);
    expect((await fetch(`${b.url}/rooms/general/attachments/${attachment.id}/plan.png`, { headers: { cookie: bob } })).status).toBe(404);
  });

  it('serves an uploaded HTML file as a download of bytes, with nosniff and a sandbox policy', async () => {
    const html = Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>');
    const { attachment } = (await (await upload(a.url, alice, 'general', 'page.html', html)).json()) as { attachment: Uploaded };
    expect(attachment.type).toBe('application/octet-stream');
    const res = await fetch(`${b.url}${attachment.url}`, { headers: { cookie: alice } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="page.html"/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'");
  });

  it('serves a PNG named .txt as image/png, inline, because the type comes from the content', async () => {
    const { attachment } = (await (await upload(a.url, alice, 'general', 'notes.txt', png)).json()) as { attachment: Uploaded };
    expect(attachment.type).toBe('image/png');
    const res = await fetch(`${a.url}${attachment.url}`, { headers: { cookie: alice } });
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('content-disposition')).toMatch(/^inline; filename="notes.txt"/);
    expect(res.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'");
    expect(Buffer.from(await res.arrayBuffer()).equals(png)).toBe(true);
  });

  it('keeps an upload private to its uploader until posted, and refuses to link someone else’s', async () => {
    const { attachment } = (await (await upload(a.url, alice, 'general', 'draft.png', png)).json()) as { attachment: Uploaded };
    expect((await fetch(`${a.url}${attachment.url}`, { headers: { cookie: alice } })).status).toBe(200);
    expect((await fetch(`${a.url}${attachment.url}`, { headers: { cookie: bob } })).status).toBe(404);
    const stolen = await fetch(`${b.url}/rooms/general/messages`, {
      method: 'POST', headers: { cookie: bob, 'content-type': 'application/json' },
      body: JSON.stringify({ body: 'mine now', attachments: [attachment.id] }),
    });
    expect(stolen.status).toBe(400);
    // The refused post left nothing behind.
    const api = (await (await fetch(`${b.url}/api/rooms/general/messages`, { headers: { cookie: bob } })).json()) as { messages: { body: string }[] };
    expect(api.messages.map((m) => m.body)).not.toContain('mine now');
  });

  it('removes a message’s files with its text when the message is deleted', async () => {
    const { attachment } = (await (await upload(a.url, alice, 'general', 'gone.png', png)).json()) as { attachment: Uploaded };
    const posted = await fetch(`${a.url}/rooms/general/messages`, {
      method: 'POST', headers: { cookie: alice, 'content-type': 'application/json' },
      body: JSON.stringify({ body: 'soon gone', attachments: [attachment.id] }),
    });
    const { message } = (await posted.json()) as { message: { id: string } };
    expect((await fetch(`${b.url}${attachment.url}`, { headers: { cookie: bob } })).status).toBe(200);
    // What a deletion does to the row (delete_message in sql/040_log.sql): a tombstone.
    await a.sql`UPDATE messages SET body = NULL, deleted_at = now() WHERE id = ${message.id}`;
    for (const path of [attachment.url, attachment.thumbnail!]) {
      expect((await fetch(`${b.url}${path}`, { headers: { cookie: alice } })).status).toBe(404);
    }
    const [left] = await a.sql`SELECT count(*)::int AS n FROM attachment_chunks WHERE attachment_id = ${attachment.id}`;
    expect(left!.n).toBe(0);
  });

  it('sends a message’s files in live streams and in streams resumed from a replica started after the post', async () => {
    const live = await openStream(b.url, 'general', { cookie: bob });
    const before = (await (await postJson(a.url, alice, 'general', 'just before')).json()) as { message: { cursor: string } };
    const { attachment } = (await (await upload(a.url, alice, 'general', 'streamed.png', png)).json()) as { attachment: Uploaded };
    await fetch(`${a.url}/rooms/general/messages`, {
      method: 'POST', headers: { cookie: alice, 'content-type': 'application/json' },
      body: JSON.stringify({ body: 'streamed with a file', attachments: [attachment.id] }),
    });
    const withFile = (events: StreamEvent[]) => events.find((e) => e.message.body === 'streamed with a file');
    await eventually(() => withFile(live.events), Boolean, 5000);
    live.close();
    expect(filesOf(withFile(live.events))).toEqual([attachment]);
    expect(withFile(live.events)?.message.html).toContain(`src="${attachment.thumbnail}"`);
    // A replica that starts now holds the message in memory from its start-up seeding.
    const c = await startReplica(db);
    try {
      const resumed = await openStream(c.url, 'general', { cookie: bob, lastEventId: before.message.cursor });
      await eventually(() => withFile(resumed.events), Boolean, 5000);
      resumed.close();
      expect(filesOf(withFile(resumed.events))).toEqual([attachment]);
    } finally {
      await c.close();
    }
  });

  it('lets anyone read the files of a room an admin made public, and no one without a session read the others', async () => {
    const made = await fetch(`${a.url}/api/rooms`, {
      method: 'POST', headers: { cookie: alice, 'content-type': 'application/json' }, body: JSON.stringify({ title: 'Open house', kind: 'open' }),
    });
    expect(made.status).toBe(201);
    const { attachment } = (await (await upload(a.url, alice, 'open-house', 'poster.png', png)).json()) as { attachment: Uploaded };
    await fetch(`${a.url}/rooms/open-house/messages`, {
      method: 'POST', headers: { cookie: alice, 'content-type': 'application/json' },
      body: JSON.stringify({ body: 'welcome', attachments: [attachment.id] }),
    });
    expect((await fetch(`${b.url}${attachment.url}`)).status).toBe(401);
    const opened = await fetch(`${a.url}/api/rooms/open-house`, {
      method: 'PATCH', headers: { cookie: alice, 'content-type': 'application/json' }, body: JSON.stringify({ public: true }),
    });
    expect(opened.status).toBe(200);
    await eventually(() => fetch(`${b.url}${attachment.url}`).then((r) => r.status), (s) => s === 200, 3000);
    for (const path of [attachment.url, attachment.thumbnail!]) expect((await fetch(`${b.url}${path}`)).status).toBe(200);
    // Reading only: an anonymous upload is refused.
    expect((await upload(b.url, '', 'open-house', 'x.txt', Buffer.from('x'))).status).toBe(401);
  });

  it('refuses uploads past RATE_LIMIT_UPLOADS with 429 and Retry-After, before reading the file', async () => {
    const c = await startReplica(db, { rateLimitUploads: { max: 2, windowMs: 60_000 } });
    try {
      const carol = await signIn(c.url, `carol_${process.pid}`);
      expect((await upload(c.url, carol, 'general', '1.txt', Buffer.from('one'))).status).toBe(201);
      expect((await upload(c.url, carol, 'general', '2.txt', Buffer.from('two'))).status).toBe(201);
      const third = await upload(c.url, carol, 'general', '3.txt', Buffer.from('three'));
      expect(third.status).toBe(429);
      expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await c.close();
    }
  });

  it('takes a file from the post form without JavaScript (multipart) and redirects back to the room', async () => {
    const form = new FormData();
    form.set('body', 'from the form');
    form.set('file', new Blob([new Uint8Array(png)]), 'form.png');
    const res = await fetch(`${a.url}/rooms/general/messages`, {
      method: 'POST', headers: { cookie: alice, 'sec-fetch-site': 'same-origin', accept: 'text/html' }, body: form, redirect: 'manual',
    });
    expect(res.status).toBe(303);
    const api = (await (await fetch(`${a.url}/api/rooms/general/messages`, { headers: { cookie: alice } })).json()) as { messages: { body: string; attachments?: Uploaded[] }[] };
    const posted = api.messages.find((m) => m.body === 'from the form');
    expect(posted?.attachments?.map((f) => [f.name, f.type, f.size])).toEqual([['form.png', 'image/png', png.length]]);
  });
});
