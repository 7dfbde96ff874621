// Captured PNGs become WebP with sharp (libvips, prebuilt for each platform as npm optional
// packages, so nothing is compiled or fetched at install). sharp works on libuv's thread pool, off
// the event loop; one thread and no cache, because the daemon shares the machine with the user's
// own work and a screenshot every few seconds needs neither.
import sharp from 'sharp';

sharp.concurrency(1);
sharp.cache(false);

export interface EncodedWebp {
  bytes: Buffer;
  width: number;
  height: number;
}

/** The image at `input`, scaled to fit `maxSide`×`maxSide` (never enlarged), as WebP of `quality` (1–100). */
export async function encodeWebp(input: string, maxSide: number, quality: number): Promise<EncodedWebp> {
  const { data, info } = await sharp(input, { failOn: 'error' })
    .rotate()
    .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
    .webp({ quality, effort: 2 })
    .toBuffer({ resolveWithObject: true });
  return { bytes: data, width: info.width, height: info.height };
}
