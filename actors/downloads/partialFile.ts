// The file a download writes before it is verified: `<dest>.incomplete`, next to its final
// name so that the rename into place is atomic (same directory, same filesystem), and the
// turns taken on it: fetching, verifying and deleting it each wait for the previous operation
// on the same file to let go of it.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Hash } from 'node:crypto';

export const PARTIAL_SUFFIX = '.incomplete';

export const partialPath = (dest: string) => dest + PARTIAL_SUFFIX;

// The last operation on each partial file, for the whole process rather than one runner: a
// manager restarted under its supervisor (or in a test) builds new download actors while the
// old ones are still closing the same files.
const turns = new Map<string, Promise<void>>();

/**
 * Runs `op` on `dest`'s partial file once every operation queued on it before has settled,
 * whichever download actor queued it: a resumed transfer never measures, hashes or appends to
 * a file that a stopping one is still writing, and a cancel never deletes a file that would
 * then come back.
 */
export function inTurn<T>(dest: string, op: () => Promise<T>): Promise<T> {
  const file = path.resolve(partialPath(dest));
  const next = (turns.get(file) ?? Promise.resolve()).then(op);
  const settled = next.then(
    () => undefined,
    () => undefined,
  );
  turns.set(file, settled);
  void settled.then(() => {
    if (turns.get(file) === settled) turns.delete(file);
  });
  return next;
}

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
