// The last step of a download: the partial file is checked (size, SHA-256) and renamed to its
// final name, so a file under its final name is always complete. A file that fails the check
// is removed: resuming it could only append to bytes already known to be wrong.
import { createHash } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { hashInto, partialPath, sizeOf } from './partialFile.ts';

export interface VerifyRequest {
  dest: string;
  /** Expected digest (lowercase hex) or null for none. */
  sha256: string | null;
  size: number | null;
  /** Digest computed during the transfer; null to hash the file now. */
  digest: string | null;
  /** Bytes `digest` covers: a file of another size was written to by something else and is hashed again. */
  received: number;
  /** True once the download was cancelled or stopped: the file is then left where it is. */
  stopped(): boolean;
}

export class VerifyError extends Error {}

export async function verifyDownload(req: VerifyRequest): Promise<{ sha256: string; bytes: number }> {
  const part = partialPath(req.dest);
  const bytes = await sizeOf(part);
  if (req.size !== null && bytes !== req.size) {
    await fsp.rm(part, { force: true });
    throw new VerifyError(`size mismatch: received ${bytes} bytes, expected ${req.size}; the file was removed`);
  }
  let digest = bytes === req.received ? req.digest : null;
  if (digest === null) {
    const hash = createHash('sha256');
    await hashInto(part, bytes, hash);
    digest = hash.digest('hex');
  }
  if (req.sha256 !== null && digest !== req.sha256) {
    await fsp.rm(part, { force: true });
    throw new VerifyError(`sha256 mismatch: received ${digest}, expected ${req.sha256}; the file was removed`);
  }
  if (req.stopped()) return { sha256: digest, bytes };
  await fsp.rename(part, req.dest);
  await syncDir(path.dirname(req.dest));
  return { sha256: digest, bytes };
}

/** Makes the rename durable (POSIX: a directory's entries are flushed by fsync on the directory). */
async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await fsp.open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Not every platform can open a directory; the rename itself is still atomic.
  }
}
