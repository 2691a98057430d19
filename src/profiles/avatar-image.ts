import sharp from 'sharp';
import { detectType, isSafeImage } from '../files/types.ts';
import { decodeCost, MAX_DECODE_BYTES, MAX_PIXELS, turn } from '../files/thumbnail.ts';

/** Avatars are served at most this large, square. */
export const AVATAR_PX = 512;

export type Shrunk =
  | { ok: true; webp: Buffer }
  | { ok: false; reason: 'not_image' | 'too_large' | 'busy' };

/**
 * An uploaded picture made into the avatar as served: the first frame of a PNG, JPEG, GIF or WebP
 * (recognised by its content, not its name or declared type), turned upright, cropped square,
 * at most 512 × 512, re-encoded as WebP. sharp writes no metadata unless asked (withMetadata), so
 * EXIF (a phone's GPS position) and the rest are gone. Decoding goes through the same bounded
 * line and limits as thumbnails (src/files/thumbnail.ts): a decompression bomb is refused from its
 * header, and one image at a time per replica leaves the thread pool to sign-ins.
 */
export async function shrinkAvatar(image: Buffer): Promise<Shrunk> {
  if (!isSafeImage(await detectType(image.subarray(0, 4100)))) return { ok: false, reason: 'not_image' };
  try {
    const out = await turn(async (): Promise<Shrunk> => {
      const options = { limitInputPixels: MAX_PIXELS, sequentialRead: true, failOn: 'error' } as const;
      const header = await sharp(image, options).metadata();
      if ((header.width ?? 0) * (header.height ?? 0) > MAX_PIXELS || decodeCost(header) > MAX_DECODE_BYTES) return { ok: false, reason: 'too_large' };
      const webp = await sharp(image, options)
        .rotate()
        .resize(AVATAR_PX, AVATAR_PX, { fit: 'cover', withoutEnlargement: true })
        .webp({ quality: 80 })
        .toBuffer();
      return { ok: true, webp };
    });
    return out ?? { ok: false, reason: 'busy' };
  } catch (err) {
    // sharp refuses past limitInputPixels with its own error; anything else is a broken image.
    return { ok: false, reason: /pixel limit/i.test(String((err as Error)?.message)) ? 'too_large' : 'not_image' };
  }
}
