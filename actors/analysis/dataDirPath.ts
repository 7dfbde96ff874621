// Client-supplied paths (csv-metrics, day-metrics, location) are only honoured inside the data
// directory. The reference read any path it was given (notes §7.5); here a path is resolved —
// relative ones against the data directory — and every symlink on it followed (realpath), and
// whatever lands outside is refused before a single byte is read or written.
import fs from 'node:fs';
import path from 'node:path';
import { AnalysisError } from './analysisError.ts';

/**
 * realpath of `p`, or of its deepest existing ancestor joined with the rest when `p` is missing.
 * A dangling symlink on the way is followed too: where it points is where a write would land.
 */
function realpathAllowingMissing(p: string, depth = 0): string {
  const rest: string[] = [];
  let cur = p;
  for (;;) {
    try {
      return path.join(fs.realpathSync(cur), ...rest.reverse());
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') throw new AnalysisError('forbidden_path', `too many symbolic links: ${p}`);
      // A name too long for the file system cannot exist either: resolve what is above it.
      if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'ENAMETOOLONG') throw err;
    }
    let link: string | null = null;
    try {
      if (fs.lstatSync(cur).isSymbolicLink()) link = fs.readlinkSync(cur);
    } catch {
      // Does not exist at all: resolve its parent.
    }
    if (link !== null) {
      if (depth >= 40) throw new AnalysisError('forbidden_path', `too many symbolic links: ${p}`);
      return realpathAllowingMissing(path.join(path.resolve(path.dirname(cur), link), ...rest.reverse()), depth + 1);
    }
    const parent = path.dirname(cur);
    if (parent === cur) return path.join(cur, ...rest.reverse());
    rest.push(path.basename(cur));
    cur = parent;
  }
}

function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * The real path of `clientPath` if it lies inside `dataDir` (the directory itself excluded);
 * otherwise an AnalysisError `forbidden_path`.
 */
export function resolveInsideDataDir(dataDir: string, clientPath: string): string {
  const root = realpathAllowingMissing(path.resolve(dataDir));
  const real = realpathAllowingMissing(path.resolve(root, clientPath));
  if (real === root || !isInside(root, real)) {
    throw new AnalysisError('forbidden_path', `path is outside the data directory: ${clientPath}`);
  }
  return real;
}
