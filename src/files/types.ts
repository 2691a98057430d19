import { fileTypeFromBuffer } from 'file-type';

export const OCTET = 'application/octet-stream';

/** The only types shown inline: raster images a browser cannot run. SVG is not one of them. */
const SAFE_IMAGES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

// Anything a browser might parse as a document or a script is served as bytes.
const ACTIVE = /html|xml|svg|javascript|ecmascript|^text\/|pdf|x-shockwave|xhtml/i;

/** The type of the content from its first bytes; octet-stream when nothing is recognised. */
export async function detectType(head: Uint8Array): Promise<string> {
  const found = await fileTypeFromBuffer(head).catch(() => undefined);
  return found?.mime ?? OCTET;
}

export const isSafeImage = (type: string): boolean => SAFE_IMAGES.has(type);

/** The Content-Type a stored file is served with. */
export function servedType(type: string): string {
  if (isSafeImage(type)) return type;
  return ACTIVE.test(type) ? OCTET : type;
}

/**
 * A file name fit for storage and headers: its last path part, without control characters or
 * bidirectional overrides, at most 255 characters, never empty and never "thumbnail" (the
 * thumbnail's address).
 */
export function cleanName(raw: string | null | undefined): string {
  let name = (raw ?? '').split(/[/\\]/).pop() ?? '';
  name = name.replace(/[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]/g, '').trim();
  if (!name.isWellFormed()) name = name.toWellFormed();
  name = [...name].slice(0, 255).join('');
  if (name === '' || name === '.' || name === '..') return 'file';
  return name === 'thumbnail' ? 'thumbnail.file' : name;
}

/** Content-Disposition with an ASCII fallback and the UTF-8 name (RFC 6266). */
export function disposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
