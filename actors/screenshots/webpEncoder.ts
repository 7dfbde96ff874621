// Captured PNGs become WebP with sharp (libvips, prebuilt for each platform as npm optional
// packages, so nothing is compiled or fetched at install). sharp works on libuv's thread pool, off
// the event loop; one thread and no cache, because the daemon shares the machine with the user's
// own work and a screenshot every few seconds needs neither. Loaded with the first screenshot
// (about 180 ms and 15 MB), not when the daemon starts: capture is off by default.
import type sharpModule from 'sharp';

type Sharp = typeof sharpModule;

let loading: Promise<Sharp> | null = null;

function loadSharp(): Promise<Sharp> {
  loading ??= import('sharp').then(({ default: sharp }: { default: Sharp }) => {
    sharp.concurrency(1);
    sharp.cache(false);
    return sharp;
  });
  return loading;
}

export interface EncodedWebp {
  bytes: Buffer;
  width: number;
  height: number;
}

/** The image at `input`, scaled to fit `maxSide`×`maxSide` (never enlarged), as WebP of `quality` (1–100). */
export async function encodeWebp(input: string, maxSide: number, quality: number): Promise<EncodedWebp> {
  const sharp = await loadSharp();
  const { data, info } = await sharp(input, { failOn: 'error' })
    .rotate()
    .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
    .webp({ quality, effort: 2 })
    .toBuffer({ resolveWithObject: true });
  return { bytes: data, width: info.width, height: info.height };
}
