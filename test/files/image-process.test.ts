import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { createImageProcess } from '../../src/files/image-process.ts';
import { silentLogger } from '../../src/ops/log.ts';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
// Field 19 of /proc/<pid>/stat: the nice value.
const niceOf = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);

describe('the image process (thumbnails off the replica’s thread pool)', () => {
  const images = createImageProcess({ log: silentLogger });
  afterAll(() => images.close());

  it('starts nothing until the first image, then makes thumbnails in a child at nice 19, one at a time', async () => {
    expect(images.pid()).toBeNull();
    const png = await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#36c' } }).png().toBuffer();
    const thumbs = await Promise.all([png, png, Buffer.from('not an image')].map((b) => images.thumbnail(b)));
    const pid = images.pid()!;
    expect(pid).toBeGreaterThan(0);
    expect(pid).not.toBe(process.pid);
    expect(niceOf(pid)).toBe(19);
    const meta = await sharp(thumbs[0]!).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 480, 320]);
    expect(thumbs[1]).not.toBeNull();
    expect(thumbs[2]).toBeNull();
  });

  it('replaces a process that dies, and close() ends it and leaves nothing running', async () => {
    const png = await sharp({ create: { width: 600, height: 600, channels: 3, background: '#c63' } }).png().toBuffer();
    const first = images.pid()!;
    process.kill(first, 'SIGKILL');
    // Until the replica has heard of the death (a fixed 200 ms was too short at load 14): an image
    // sent to the dead process before then gets no thumbnail, as a failed one does.
    for (const until = Date.now() + 10_000; images.pid() !== null && Date.now() < until;) await new Promise((r) => setTimeout(r, 20));
    expect(images.pid()).toBeNull();
    expect(await images.thumbnail(png)).not.toBeNull();
    const second = images.pid()!;
    expect(second).not.toBe(first);
    await images.close();
    expect(alive(second)).toBe(false);
    expect(images.pid()).toBeNull();
    expect(await images.thumbnail(png)).toBeNull();
  });
});
