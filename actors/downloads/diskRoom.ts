// Whether the rest of a download fits on its disk with room to spare. The daemon records
// sessions on the same disk: a model download that filled it would stop the recording running
// beside it (the recorder drops data and raises a toast on ENOSPC). So a transfer whose
// remaining bytes would leave less than DISK_RESERVE_BYTES free is refused before its first
// byte is written, and not retried. Only a size the server states is checked; a disk that fills
// during a transfer (another writer, a server that sent no length) still fails as a disk error.
import fsp from 'node:fs/promises';

/** Free space a download must leave behind: a few hours of a 32-channel recording's CSVs. */
export const DISK_RESERVE_BYTES = 1024 ** 3;

/**
 * Null when `toWrite` bytes fit in `dir`'s filesystem leaving `reserve` free, counting the
 * `freed` bytes of a partial file about to be rewritten from byte 0; otherwise why not.
 */
export async function shortOfRoom(dir: string, toWrite: number, freed = 0, reserve = DISK_RESERVE_BYTES): Promise<string | null> {
  const fs = await fsp.statfs(dir);
  const available = fs.bavail * fs.bsize + freed;
  if (toWrite <= available - reserve) return null;
  return `not enough free space in ${dir}: ${formatBytes(toWrite)} to write, ${formatBytes(available)} available, and ${formatBytes(reserve)} is kept free for recordings`;
}

function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) (n /= 1024), i++;
  return i === 0 ? `${n} bytes` : `${n.toFixed(1)} ${units[i]}`;
}
