// The file a download writes before it is verified: `<dest>.incomplete`, next to its final
// name so that the rename into place is atomic (same directory, same filesystem).
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import type { Hash } from 'node:crypto';

export const PARTIAL_SUFFIX = '.incomplete';

export const partialPath = (dest: string) => dest + PARTIAL_SUFFIX;

/** Size of a file in bytes; 0 when it does not exist. */
export async function sizeOf(file: string): Promise<number> {
  try {
    return (await fsp.stat(file)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
}

/**
 * Feeds the first `bytes` bytes of `file` into `hash`, streaming (a resumed download's digest
 * continues from the bytes already on disk, which may be gigabytes). Stops early when aborted.
 */
export async function hashInto(file: string, bytes: number, hash: Hash, signal?: AbortSignal): Promise<void> {
  if (bytes <= 0) return;
  const stream = fs.createReadStream(file, { start: 0, end: bytes - 1, highWaterMark: 1 << 20 });
  for await (const chunk of stream) {
    if (signal?.aborted) {
      stream.destroy();
      throw signal.reason ?? new Error('aborted');
    }
    hash.update(chunk as Buffer);
  }
}
