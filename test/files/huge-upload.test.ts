import { readFileSync } from 'node:fs';
import { connect as tcp } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnReplica, type ReplicaProcess } from '../../src/dev/cluster.ts';
import { connect } from '../../src/db/connect.ts';
import { eventually, signIn } from '../support/client.ts';
import { freshDatabase } from '../support/db.ts';

const GB = 1024 ** 3;
const PIECE = Buffer.alloc(1024 * 1024); // zeros

const rssMiB = (pid: number): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

interface Sent { status: number; head: string; sentMiB: number; ms: number; peakMiB: number }

/**
 * Streams up to 1 GB of zeros from a generator over a raw socket, chunked or under the given
 * Content-Length, reading the answer while it writes, and samples the replica's RSS meanwhile.
 * It stops when the server answers and closes, or after 60 s.
 */
function sendGigabyte(r: ReplicaProcess, cookie: string, framing: { chunked: true } | { length: number }): Promise<Sent> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = tcp(r.port, '127.0.0.1');
    let answer = '';
    let sent = 0;
    let peak = rssMiB(r.proc.pid!);
    const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(r.proc.pid!))), 20);
    const finish = () => {
      clearInterval(sampler);
      clearTimeout(deadline);
      socket.destroy();
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
      resolve({ status, head: answer.split('\r\n\r\n')[0]!, sentMiB: sent / 1024 / 1024, ms: Date.now() - started, peakMiB: peak });
    };
    const deadline = setTimeout(finish, 60_000);
    socket.on('data', (d) => (answer += d.toString('latin1')));
    socket.on('close', finish);
    socket.on('error', () => {});
    function* zeros(): Generator<Buffer> {
      for (let n = 0; n < GB; n += PIECE.length) {
        yield 'chunked' in framing ? Buffer.concat([Buffer.from(`${PIECE.length.toString(16)}\r\n`), PIECE, Buffer.from('\r\n')]) : PIECE;
      }
      if ('chunked' in framing) yield Buffer.from('0\r\n\r\n');
    }
    socket.on('connect', async () => {
      socket.write(
        `POST /rooms/general/attachments HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${cookie}\r\n` +
        'Content-Type: application/octet-stream\r\nX-Filename: zeros.bin\r\n' +
        ('chunked' in framing ? 'Transfer-Encoding: chunked\r\n' : `Content-Length: ${framing.length}\r\n`) + '\r\n',
      );
      for (const piece of zeros()) {
        if (socket.destroyed || answer.length > 0) break;
        sent += piece.length;
        if (!socket.write(piece)) await new Promise((ok) => { socket.once('drain', ok); socket.once('close', ok); });
      }
    });
  });
}

describe('a 1 GB upload against a 10 MB limit, on a replica running as its own process', () => {
  let replica: ReplicaProcess;
  let cookie: string;
  let db: string;

  beforeAll(async () => {
    db = await freshDatabase();
    replica = await spawnReplica('huge', { DATABASE_URL: db, LOG_LEVEL: 'warn', REGISTRATION: 'open', REGISTRATION_CHALLENGE: 'off', UPLOAD_MAX_MB: '10' });
    await replica.ready(60_000);
    cookie = await signIn(replica.url, `uploader_${process.pid}`);
    // Warm up: one upload just under the limit, so lazily loaded code and pools are in place.
    // Its speed, and the download's, are printed for Documentation/files.md.
    const bytes = new Uint8Array(9 * 1024 * 1024).map((_, i) => (i * 7919) & 255);
    for (const run of ['cold', 'warm']) {
      let t = performance.now();
      const ok = await fetch(`${replica.url}/rooms/general/attachments`, {
        method: 'POST', headers: { cookie, 'content-type': 'application/octet-stream', 'x-filename': 'warm.bin' }, body: bytes,
      });
      expect(ok.status).toBe(201);
      const up = performance.now() - t;
      const { attachment } = (await ok.json()) as { attachment: { url: string } };
      t = performance.now();
      const back = await fetch(`${replica.url}${attachment.url}`, { headers: { cookie } }).then((r) => r.arrayBuffer());
      const down = performance.now() - t;
      expect(back.byteLength).toBe(bytes.length);
      console.log(`9 MiB ${run}: upload ${up.toFixed(0)} ms (${(9 / (up / 1000)).toFixed(0)} MiB/s), download ${down.toFixed(0)} ms (${(9 / (down / 1000)).toFixed(0)} MiB/s)`);
    }
  });
  afterAll(() => replica?.kill('SIGKILL'));

  it('refuses 1 GB sent chunked, without Content-Length, with 413 once 10 MB have arrived, and memory stays flat', async () => {
    const before = rssMiB(replica.proc.pid!);
    const out = await sendGigabyte(replica, cookie, { chunked: true });
    const after = rssMiB(replica.proc.pid!);
    console.log(`chunked 1 GB: ${out.status} after ${out.sentMiB.toFixed(0)} MiB sent in ${out.ms} ms; RSS ${before.toFixed(0)} → peak ${out.peakMiB.toFixed(0)} → ${after.toFixed(0)} MiB`);
    expect(out.status).toBe(413);
    expect(out.head).toMatch(/connection: close/i);
    expect(out.sentMiB).toBeLessThan(200);
    expect(out.peakMiB - before).toBeLessThan(50);
  });

  it('refuses a Content-Length of 1 GB at once with 413, before reading the body', async () => {
    const before = rssMiB(replica.proc.pid!);
    const out = await sendGigabyte(replica, cookie, { length: GB });
    console.log(`declared 1 GB: ${out.status} after ${out.sentMiB.toFixed(0)} MiB sent in ${out.ms} ms; RSS ${before.toFixed(0)} → peak ${out.peakMiB.toFixed(0)} MiB`);
    expect(out.status).toBe(413);
    expect(out.sentMiB).toBeLessThan(100);
    expect(out.peakMiB - before).toBeLessThan(50);
  });

  it('ends a connection whose Content-Length lies (5 MiB declared, 1 GB sent) with 400, stores nothing of it, and memory stays flat', async () => {
    const before = rssMiB(replica.proc.pid!);
    const out = await sendGigabyte(replica, cookie, { length: 5 * 1024 * 1024 });
    console.log(`lying length: ${out.status} after ${out.sentMiB.toFixed(0)} MiB sent in ${out.ms} ms; RSS ${before.toFixed(0)} → peak ${out.peakMiB.toFixed(0)} MiB`);
    // What follows the declared body is not a request: Node answers 400 and closes the connection,
    // which cuts the upload off, and the half-written file is removed.
    expect([400, 413]).toContain(out.status);
    expect(out.sentMiB).toBeLessThan(200);
    expect(out.peakMiB - before).toBeLessThan(50);
    const sql = connect(db, { max: 1 });
    try {
      const rows = await eventually(() => sql`SELECT id FROM attachments WHERE name = 'zeros.bin'`, (r) => r.length === 0, 5000);
      expect(rows).toHaveLength(0);
    } finally {
      await sql.end();
    }
    expect((await fetch(`${replica.url}/readyz`)).status).toBe(200);
  });
});
