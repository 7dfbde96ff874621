// Deleting a recording session removes every file of it (notes §4.1): the raw CSV, metrics,
// PPG, IMU and fNIRS CSVs, the sidecar, the metrics cache, the location sidecar and Parquet
// copies. The raw CSV goes last: if a removal fails half-way the session is still listed and the
// delete can be retried. Each part is unlinked, never followed, so a symlink named like a part
// removes only the link.
import { lstat, unlink } from 'node:fs/promises';
import path from 'node:path';

const PART_SUFFIXES = [
  '.json', '_metrics.csv', '_ppg.csv', '_imu.csv', '_fnirs.csv', '_metrics_cache.json', '.meta.jsonl',
  '.parquet', '_metrics.parquet', '_ppg.parquet', '_imu.parquet', '_fnirs.parquet',
];

/** Every path a session with this raw CSV may have, the raw CSV last. */
export function sessionPaths(csvPath: string): string[] {
  const stem = csvPath.replace(/\.csv$/, '');
  return [...PART_SUFFIXES.map((s) => stem + s), csvPath];
}

/** Deletes the session's files; returns the names removed. */
export async function deleteSessionFiles(csvPath: string): Promise<string[]> {
  const removed: string[] = [];
  for (const p of sessionPaths(csvPath)) {
    const info = await lstat(p).catch(() => null);
    if (!info || info.isDirectory()) continue;
    try {
      await unlink(p);
      removed.push(path.basename(p));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return removed;
}
