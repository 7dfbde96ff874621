// A directory on its own small tmpfs, so a test can fill a disk without touching a real one.
// Mounting needs root (or CAP_SYS_ADMIN); where it is not permitted the caller gets the reason
// and skips.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

export interface SizeLimitedDir {
  dir: string;
  /** Bytes still free for an unprivileged writer. */
  free(): number;
  unmount(): void;
}

export function mountSizeLimited(dir: string, sizeBytes: number): SizeLimitedDir | { skipped: string } {
  fs.mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${Math.ceil(sizeBytes / 1024)}k,mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    return { skipped: `cannot mount a tmpfs here (${String((err as { stderr?: Buffer }).stderr ?? err).trim()})` };
  }
  return {
    dir,
    free: () => {
      const s = fs.statfsSync(dir);
      return s.bavail * s.bsize;
    },
    unmount: () => execFileSync('umount', [dir], { stdio: 'pipe' }),
  };
}
