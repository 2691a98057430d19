import sharp, { type Metadata } from 'sharp';

// One image at a time per replica, and no cache of decoded images: memory stays predictable.
sharp.concurrency(1);
sharp.cache(false);

/** Thumbnails fit in this box; the page shows them at most this large. */
export const THUMB_PX = 480;
// A small file can claim a huge canvas (a decompression bomb): past 40 megapixels there is no
// thumbnail, and the file is offered as a download.
export const MAX_PIXELS = 40_000_000;
// What decoding may cost, judged from the header before any pixel is decoded: width × height ×
// channels × bytes per sample, divided by what JPEG and WebP save by shrinking while they load.
// A 40-megapixel 16-bit PNG (240 MB) gets no thumbnail; a 40-megapixel 8-bit one (120 MB) does.
export const MAX_DECODE_BYTES = 128 * 1024 * 1024;
// Images wait their turn: sharp's work runs on libuv's thread pool, which scrypt (sign-in) shares;
// one image at a time leaves the rest of the pool to sign-ins (issue 19: four parallel huge PNGs
// took a bystander's sign-in from 0.5 to 2.5 s). Past the waiting line an image gets no thumbnail.
const RUNNING = 1;
const WAITING = 8;

const SAMPLE_BYTES: Record<string, number> = { uchar: 1, char: 1, ushort: 2, short: 2, uint: 4, int: 4, float: 4, complex: 8, double: 8, dpcomplex: 16 };

let running = 0;
const line: Array<() => void> = [];

/** Runs image work in this replica's one line (thumbnails, avatars); null when the line is full. */
export async function turn<T>(work: () => Promise<T>): Promise<T | null> {
  if (running >= RUNNING) {
    if (line.length >= WAITING) return null;
    await new Promise<void>((go) => line.push(go));
  } else {
    running++;
  }
  try {
    return await work();
  } finally {
    const next = line.shift();
    if (next) next();
    else running--;
  }
}

/** The bytes decoding this image for a thumbnail would take, from its header alone. */
export function decodeCost(m: Metadata): number {
  const width = m.width ?? 0;
  const height = m.height ?? 0;
  const shrink = m.format === 'jpeg' || m.format === 'webp' ? Math.min(8, Math.max(1, Math.floor(Math.max(width, height) / THUMB_PX))) : 1;
  return (width * height * (m.channels ?? 4) * (SAMPLE_BYTES[m.depth ?? 'uchar'] ?? 4)) / (shrink * shrink);
}

/** A WebP thumbnail of a png/jpeg/gif/webp image (first frame), or null when it cannot (or should not) be made. */
export async function makeThumbnail(image: Buffer): Promise<Buffer | null> {
  try {
    return await turn(async () => {
      const options = { limitInputPixels: MAX_PIXELS, sequentialRead: true, failOn: 'error' } as const;
      const header = await sharp(image, options).metadata();
      if ((header.width ?? 0) * (header.height ?? 0) > MAX_PIXELS || decodeCost(header) > MAX_DECODE_BYTES) return null;
      return sharp(image, options)
        .rotate()
        .resize(THUMB_PX, THUMB_PX, { fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 75 })
        .toBuffer();
    });
  } catch {
    return null;
  }
}
