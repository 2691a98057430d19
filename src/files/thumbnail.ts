import sharp from 'sharp';

// One image at a time per replica, and no cache of decoded images: memory stays predictable.
sharp.concurrency(1);
sharp.cache(false);

/** Thumbnails fit in this box; the page shows them at most this large. */
export const THUMB_PX = 480;
// A small file can claim a huge canvas (a decompression bomb): past 40 megapixels there is no
// thumbnail, and the file is offered as a download.
const MAX_PIXELS = 40_000_000;

/** A WebP thumbnail of a png/jpeg/gif/webp image (first frame), or null when it cannot be made. */
export async function makeThumbnail(image: Buffer): Promise<Buffer | null> {
  try {
    return await sharp(image, { limitInputPixels: MAX_PIXELS, failOn: 'error' })
      .rotate()
      .resize(THUMB_PX, THUMB_PX, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 75 })
      .toBuffer();
  } catch {
    return null;
  }
}
