import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnReplica, type ReplicaProcess } from '../../src/dev/cluster.ts';
import { freshDatabase } from '../support/db.ts';
import { signIn } from '../support/client.ts';

const rss = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
// The replica and its children (the image process), in MiB.
const treeRss = (pid: number): number => {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // gone
  }
  return rss(pid) + children.reduce((n, c) => n + (() => { try { return treeRss(c); } catch { return 0; } })(), 0);
};
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;

// Signs `name` in every 100 ms from a process of its own until stdin closes; prints each time in ms.
const BYSTANDER = `
  const [base, name] = process.argv.slice(1); const times = []; let on = true;
  process.stdin.on('end', () => { on = false; }); process.stdin.resume();
  const once = () => fetch(base + '/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password: 'correct horse' }) }).then((r) => r.text());
  (async () => { await once(); process.stderr.write('warm\\n');
    while (on) { const t = performance.now(); await once(); times.push(performance.now() - t); await new Promise((r) => setTimeout(r, 100)); }
    console.log(times.join('\\n')); })();`;

/** A bystander's sign-in times while `during` runs (or for `ms` when idle). */
async function signInTimes(base: string, name: string, during: () => Promise<unknown>): Promise<number[]> {
  const p = spawn(process.execPath, ['-e', BYSTANDER, base, name], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((r) => p.stderr.once('data', r));
  await during();
  p.stdin.end();
  await new Promise((r) => p.once('exit', r));
  return out.trim().split('\n').map(Number);
}

// Issue 19 (Medium): four parallel uploads of a 310 KB, 40-megapixel, 16-bit PNG took another
// person's sign-in p50 from 0.50 to 2.46 s (max 4.66 s) and memory 242 -> 540 MB: sharp and scrypt
// share libuv's thread pool.
describe('thumbnails of huge images beside sign-in', () => {
  let replica: ReplicaProcess;
  let cookie: string;
  const images: Record<string, Buffer> = {};
  beforeAll(async () => {
    replica = await spawnReplica('thumbs', {
      DATABASE_URL: await freshDatabase(), LOG_LEVEL: 'warn', REGISTRATION: 'open', REGISTRATION_CHALLENGE: 'off',
      RATE_LIMIT_UPLOADS: 'off', RATE_LIMIT_SIGNIN: 'off', RATE_LIMIT_SIGNIN_NAME: 'off', RATE_LIMIT_SIGNIN_ADDRESS: 'off', UPLOAD_MAX_MB: '20',
    });
    await replica.ready();
    cookie = await signIn(replica.url, 'uploader');
    await signIn(replica.url, 'bystander');
    // 8,000 x 5,000 = 40 megapixels, mostly flat: a few hundred KB. At 16 bits per sample (the
    // issue's file) the header check refuses to decode it (240 MB); at 8 bits (120 MB) it is decoded.
    const canvas = () => sharp({ create: { width: 8000, height: 5000, channels: 3, background: { r: 40, g: 90, b: 200 } } })
      .composite([{ input: { text: { text: 'big', dpi: 600 } }, top: 100, left: 100 }]);
    images['16-bit'] = await canvas().toColourspace('rgb16').png({ compressionLevel: 9 }).toBuffer();
    // Three channels, no alpha: 120 MB to decode, under the 128 MB the header check allows.
    images['8-bit'] = await sharp(await canvas().raw().toBuffer(), { raw: { width: 8000, height: 5000, channels: 4 } }).removeAlpha().png({ compressionLevel: 9 }).toBuffer();
    // The image process starts with the first image (a second or two of CPU, once per replica):
    // start it now, so the figures below are a running replica's, not its start-up's.
    const small = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 1, g: 2, b: 3 } } }).png().toBuffer();
    const warm = await fetch(`${replica.url}/rooms/general/attachments`, { method: 'POST', headers: { cookie, 'content-type': 'image/png', 'x-filename': 'warm.png' }, body: new Uint8Array(small) });
    expect(warm.status).toBe(201);
  }, 180_000);
  afterAll(() => replica?.kill('SIGKILL'));

  const attack = async (kind: string, rounds: number) => {
    const image = images[kind]!;
    const idle = await signInTimes(replica.url, 'bystander', () => new Promise((r) => setTimeout(r, 3000)));
    const pid = replica.proc.pid!;
    const [before, ownBefore] = [treeRss(pid), rss(pid)];
    let [peak, ownPeak] = [before, ownBefore];
    const sampler = setInterval(() => {
      peak = Math.max(peak, treeRss(pid));
      ownPeak = Math.max(ownPeak, rss(pid));
    }, 50);
    const statuses: number[] = [];
    const started = performance.now();
    const attacked = await signInTimes(replica.url, 'bystander', () => Promise.all(Array.from({ length: 4 }, async (_, i) => {
      for (let round = 0; round < rounds; round++) {
        const res = await fetch(`${replica.url}/rooms/general/attachments`, {
          method: 'POST', headers: { cookie, 'content-type': 'image/png', 'x-filename': `bomb-${i}-${round}.png` }, body: new Uint8Array(image),
        });
        statuses.push(res.status);
        await res.arrayBuffer();
      }
    })));
    const took = performance.now() - started;
    clearInterval(sampler);
    const fmt = (xs: number[]) => `p50 ${quantile(xs, 0.5).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms (${xs.length} sign-ins)`;
    console.log(`${kind} PNG ${(image.length / 1024).toFixed(0)} KB; sign-in idle: ${fmt(idle)}; during ${4 * rounds} uploads (4 at a time, ${(took / 1000).toFixed(1)} s): ${fmt(attacked)}; RSS of the replica ${ownBefore.toFixed(0)} -> peak ${ownPeak.toFixed(0)} MiB, with its image process ${before.toFixed(0)} -> ${peak.toFixed(0)} MiB`);
    expect(statuses.every((s) => s === 201)).toBe(true);
    return { idle, attacked, growth: ownPeak - ownBefore, treeGrowth: peak - before };
  };

  // The goal is sign-in within 2x its idle time. Images are decoded in a process of their
  // own at nice 19 (src/files/image-process.ts), so libvips never holds the thread pool scrypt uses
  // and the kernel gives sign-ins the cores first; and a person's uploads go one at a time on a
  // replica (src/web/files/upload-line.ts), so receiving, hashing and storing them keeps at most
  // one core busy. The issue's own file (16-bit) is refused by the header check and never decoded:
  // before the line its four parallel uploads alone took sign-in to 1.6-3.2x idle. The bound is the
  // median's ratio to idle measured in the same run, with room for a loaded machine (2.5x).
  for (const [kind, rounds] of [['16-bit', 8], ['8-bit', 6]] as const) {
    it(`keeps a bystander’s sign-in within about 2x idle, and memory flat, while 4 people upload 40-megapixel ${kind} PNGs at once`, async () => {
      const { idle, attacked, growth, treeGrowth } = await attack(kind, rounds);
      const idleP50 = quantile(idle, 0.5);
      expect(quantile(attacked, 0.5)).toBeLessThan(2.5 * idleP50);
      expect(Math.max(...attacked)).toBeLessThan(Math.max(3000, 6 * idleP50));
      // The replica's own memory stays flat; the image process (started on the first image) holds one image at a time.
      expect(growth).toBeLessThan(200);
      expect(treeGrowth).toBeLessThan(450);
    }, 240_000);
  }
});
