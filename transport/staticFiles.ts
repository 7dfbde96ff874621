// Serves the files of one flat folder (the dashboard bundle) safely: a name is one path segment
// of plain characters with a known extension, resolved inside the folder and read only when it
// is a regular file (never through a symlink), so no request can reach anything else on disk.
// Refusals are plain 404s: a probe learns nothing about what exists outside the folder.
import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import { notFound } from './errors.ts';
import { RawReply } from './route.ts';

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
/** Files named `name-<8+ hash chars>.ext` by the build never change: cache them for a year. */
const HASHED_NAME = /-[A-Za-z0-9_]{8,}\.[a-z]+$/;

export interface StaticFolder {
  dir: string;
  /** Extra headers for every file (security headers for HTML pages, say). */
  headers?: (name: string) => Record<string, string>;
}

/** The file `name` of `folder` as a reply, or a 404 `HttpError` thrown for anything refused. */
export async function serveStatic(folder: StaticFolder, name: string): Promise<RawReply> {
  const ext = path.extname(name).toLowerCase();
  const type = CONTENT_TYPES[ext];
  if (!SAFE_NAME.test(name) || name.includes('..') || !type) throw notFound(`no dashboard file "${name}"`);
  const root = path.resolve(folder.dir);
  const file = path.resolve(root, name);
  if (path.dirname(file) !== root) throw notFound(`no dashboard file "${name}"`);
  const info = await lstat(file).catch(() => null);
  if (!info?.isFile()) throw notFound(`no dashboard file "${name}"`);
  const bytes = await readFile(file);
  const cache = HASHED_NAME.test(name) ? 'public, max-age=31536000, immutable' : 'no-cache';
  return new RawReply(200, type, bytes, {
    'cache-control': cache,
    'x-content-type-options': 'nosniff',
    ...folder.headers?.(name),
  });
}
