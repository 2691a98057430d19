import { crc32 } from 'node:zlib';
import sharp from 'sharp';

/** POST /api/me/avatar as a form (multipart, from the page's origin) or as a bot with its token. */
export function uploadAvatar(base: string, who: { cookie?: string; token?: string }, bytes: Uint8Array, o: { path?: string; page?: boolean; name?: string } = {}): Promise<Response> {
  const form = new FormData();
  form.append('avatar', new Blob([new Uint8Array(bytes)]), o.name ?? 'me.jpg');
  return fetch(`${base}${o.path ?? '/api/me/avatar'}`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      origin: base,
      ...(o.page ? { accept: 'text/html' } : {}),
      ...(who.cookie ? { cookie: who.cookie } : {}),
      ...(who.token ? { authorization: `Bearer ${who.token}` } : {}),
    },
    body: form,
  });
}

/** A JPEG carrying EXIF with a GPS position, as a phone writes it. */
export function jpegWithGps(width = 1200, height = 800): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#c63' } })
    .jpeg()
    .withExif({ IFD0: { Make: 'PhoneCo', Model: 'Pocket 9' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '59/1 19/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '18/1 4/1 0/1' } })
    .toBuffer();
}

/**
 * A tiny PNG whose header claims `width` × `height`: a decompression bomb's shape, refused from the
 * header before any pixel is decoded.
 */
export async function pngClaiming(width: number, height: number): Promise<Buffer> {
  const png = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } }).png().toBuffer();
  // Signature (8), IHDR length (4), "IHDR" (4), width (4), height (4), ...; the CRC covers type and data.
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}

/** Posts a form the way the page does (same origin), without following the redirect. */
export function postForm(base: string, cookie: string | undefined, path: string, fields: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { origin: base, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
    body: new URLSearchParams(fields).toString(),
  });
}

export const page = (base: string, path: string, cookie?: string) =>
  fetch(`${base}${path}`, { redirect: 'manual', headers: { accept: 'text/html', ...(cookie ? { cookie } : {}) } });
