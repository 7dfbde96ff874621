// Which file a client-supplied `csvPath` may name: only the raw CSV of a recording session,
// `<data>/YYYYMMDD/exg_<start>.csv` (or legacy `muse_`), as it really is on disk. The path is
// resolved (relative paths against the data directory), then its real path — symlinks followed —
// must still be such a file directly inside a day folder of the real data directory. Anything
// else (`..`, absolute paths elsewhere, a symlink leading out, NUL bytes, the data directory
// itself, eeg.sqlite, a metrics CSV, a directory) is refused before any file is touched.
// A path that would be a session CSV but does not exist is "missing", not refused.
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { rawCsvStartSecs } from '../store/sessionFiles.ts';

export type SandboxVerdict =
  | { ok: true; csvPath: string }
  | { ok: false; reason: 'forbidden' | 'missing'; detail: string };

const DAY_DIR = /^\d{8}$/;

/** `rel` (relative to the data directory) names a session CSV directly inside a day folder. */
function isSessionCsvPath(rel: string): boolean {
  const parts = rel.split(path.sep);
  return parts.length === 2 && DAY_DIR.test(parts[0]!) && rawCsvStartSecs(parts[1]!) !== null && path.basename(parts[1]!) === parts[1];
}

function inside(root: string, p: string): string | null {
  const rel = path.relative(root, p);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : null;
}

const forbidden = (detail: string): SandboxVerdict => ({ ok: false, reason: 'forbidden', detail });

export async function resolveSessionCsv(dataDir: string, requested: unknown): Promise<SandboxVerdict> {
  if (typeof requested !== 'string' || requested === '') return forbidden('csvPath must be a non-empty path');
  if (requested.includes('\0')) return forbidden('csvPath contains a NUL byte');
  // Even a `..` that would land back inside is refused: no legitimate client sends one.
  if (requested.split(/[\\/]/).includes('..')) return forbidden('csvPath contains a ".." segment');
  const root = path.resolve(dataDir);
  const realRoot = await realpath(root).catch(() => root);
  const candidate = path.resolve(root, requested);
  // Listed paths use the configured data directory; clients may also send its real spelling.
  const lexical = inside(root, candidate) ?? inside(realRoot, candidate);
  if (lexical === null || !isSessionCsvPath(lexical)) return forbidden('csvPath is not a session CSV inside the data directory');
  let real: string;
  try {
    real = await realpath(candidate);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { ok: false, reason: 'missing', detail: 'no such session' };
    return forbidden('csvPath cannot be resolved');
  }
  const rel = inside(realRoot, real);
  if (rel === null || !isSessionCsvPath(rel)) return forbidden('csvPath leads outside the data directory');
  const info = await stat(real).catch(() => null);
  if (!info?.isFile()) return forbidden('csvPath is not a regular file');
  return { ok: true, csvPath: real };
}
