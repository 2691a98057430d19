import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { dots, GLYPH_H, GLYPH_W } from './glyphs.ts';

// The same eight colours as the message list's placeholders (public/app.css .hue-N).
const HUES = ['#4f46e5', '#0284c7', '#059669', '#d97706', '#e11d48', '#c026d3', '#0d9488', '#475569'];
const SIZE = 128;
// Pictures kept in memory: a few KiB each; the oldest goes first past this.
const KEPT = 500;

/** The colour index the message partial uses for a name (views/partials/message.eta). */
export const hueOf = (name: string): number => [...name.toLowerCase()].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) >>> 0, 7) % 8;

/** One or two initials: the name's first letter or digit, and the first after a . _ or - . */
export function initialsOf(name: string): string {
  const first = /[A-Za-z0-9]/.exec(name);
  if (!first) return '';
  const second = /[._-]([A-Za-z0-9])/.exec(name.slice(first.index + 1));
  return (first[0] + (second?.[1] ?? '')).toUpperCase();
}

/** The initials picture as SVG squares on the name's colour (no text, so no font is needed). */
export function initialsSvg(name: string): string {
  const letters = [...initialsOf(name)];
  const cell = letters.length > 1 ? 7 : 9;
  const width = (letters.length * (GLYPH_W + 1) - 1) * cell;
  const left = (SIZE - width) / 2;
  const top = (SIZE - GLYPH_H * cell) / 2;
  const squares = letters.flatMap((ch, i) => dots(ch).map(([x, y]) =>
    `<rect x="${left + (i * (GLYPH_W + 1) + x) * cell}" y="${top + y * cell}" width="${cell}" height="${cell}"/>`));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 ${SIZE} ${SIZE}">` +
    `<rect width="${SIZE}" height="${SIZE}" fill="${HUES[hueOf(name)]}"/><g fill="#fff" shape-rendering="crispEdges">${squares.join('')}</g></svg>`;
}

export interface Initials { png: Buffer; etag: string }

/** initials(name): the PNG drawn once per name and kept in memory (names are case-insensitive, pictures are not). */
export function initialsPictures(): (name: string) => Promise<Initials> {
  const kept = new Map<string, Promise<Initials>>();
  return (name) => {
    let made = kept.get(name);
    if (!made) {
      made = sharp(Buffer.from(initialsSvg(name))).png({ compressionLevel: 9, palette: true }).toBuffer()
        .then((png) => ({ png, etag: `"i-${createHash('sha256').update(png).digest('base64url').slice(0, 16)}"` }));
      kept.set(name, made);
      made.catch(() => kept.delete(name));
      if (kept.size > KEPT) kept.delete(kept.keys().next().value!);
    }
    return made;
  };
}
