import { readFileSync } from 'node:fs';
import sharp from 'sharp';

export const ICON_SIZES = [192, 512] as const;
export type IconSize = (typeof ICON_SIZES)[number];

/**
 * The app's PNG icons, drawn by sharp from the one source picture (public/icon.svg) the first time
 * they are asked for, then kept in memory.
 */
export function appIcons(source = new URL('../../public/icon.svg', import.meta.url)): (size: IconSize) => Promise<Buffer> {
  const made = new Map<number, Promise<Buffer>>();
  return (size) => {
    let png = made.get(size);
    if (!png) {
      const svg = readFileSync(source);
      png = sharp(svg, { density: Math.ceil((72 * size) / 32) }).resize(size, size).png().toBuffer();
      made.set(size, png);
      png.catch(() => made.delete(size));
    }
    return png;
  };
}
