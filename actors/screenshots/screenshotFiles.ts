// Where screenshot images live and which of them a client may fetch.
//
// Captures are `<data>/screenshots/YYYYMMDD/YYYYMMDDHHmmss.webp` (UTC, like the day folders of
// recordings), as the reference names them (notes §8.5); a second capture within the same second
// gets `_1`, `_2`… before the extension. The row's `filename` is the path relative to the
// screenshots folder.
//
// Serving (`GET /screenshots/{filename}`, `/screenshots/{date}/{filename}`) goes through
// `resolveScreenshotFile`, which accepts nothing but those two name shapes — so `..`, slashes,
// backslashes, NUL bytes, absolute paths and any other file never reach the file system — and
// then requires the real path (symlinks followed) to be a regular file inside the real
// screenshots folder, so a symlink planted in the folder cannot lead out of it.
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';

export const SCREENSHOTS_DIR = 'screenshots';
/** Captured images wait here for encoding and OCR; emptied at start. */
export const INCOMING_DIR = '.incoming';

const DATE = /^\d{8}$/;
const FILE = /^(\d{8})\d{6}(?:_\d{1,4})?\.(?:webp|gif)$/;

export const screenshotsRoot = (dataDir: string) => path.join(dataDir, SCREENSHOTS_DIR);

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `YYYYMMDDHHmmss` of a UTC instant, as text (the reference's `timestamp`). */
export function captureStamp(unixMs: number): string {
  const d = new Date(unixMs);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
}

/** The relative filename of the n-th capture (0-based) within one second. */
export function captureFilename(stamp: string, n: number): string {
  return `${stamp.slice(0, 8)}/${stamp}${n === 0 ? '' : `_${n}`}.webp`;
}

export type ServeVerdict = { ok: true; file: string; size: number } | { ok: false; status: 403 | 404; detail: string };

/**
 * The file a request names: `date` null infers the folder from the name's first 8 digits.
 * 404 for a name that is not a screenshot's (`..`, slashes, any other file: no screenshot has
 * such a name) or is absent; 403 for one that exists but whose real path leads out of the folder.
 */
export async function resolveScreenshotFile(dataDir: string, date: string | null, name: string): Promise<ServeVerdict> {
  const m = FILE.exec(name);
  if (!m || (date !== null && !DATE.test(date))) return { ok: false, status: 404, detail: 'no such screenshot: names look like YYYYMMDD/YYYYMMDDHHmmss.webp' };
  const root = screenshotsRoot(dataDir);
  const candidate = path.join(root, date ?? m[1]!, name);
  let realRoot: string;
  let real: string;
  try {
    realRoot = await realpath(root);
    real = await realpath(candidate);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, status: 404, detail: 'no such screenshot' };
    return { ok: false, status: 403, detail: 'the screenshot cannot be resolved' };
  }
  const rel = path.relative(realRoot, real);
  const parts = rel.split(path.sep);
  if (rel.startsWith('..') || path.isAbsolute(rel) || parts.length !== 2 || !DATE.test(parts[0]!) || !FILE.test(parts[1]!)) {
    return { ok: false, status: 403, detail: 'the screenshot leads outside the screenshots folder' };
  }
  const info = await stat(real).catch(() => null);
  if (!info?.isFile()) return { ok: false, status: 403, detail: 'not a regular file' };
  return { ok: true, file: real, size: info.size };
}
