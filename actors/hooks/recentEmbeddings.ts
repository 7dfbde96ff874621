// The most recent stored epoch embeddings across the day databases, newest day first, for the
// threshold suggestion (the reference sampled up to 300 of them, at least 20 per day).
import { listDayDirs } from '../store/dayDirs.ts';
import { openDayDbReadOnly } from '../store/daySchema.ts';
import { unixSecondsSql } from '../store/timestamps.ts';
import { blobToVector } from '../store/vectorBlob.ts';

export function recentEmbeddings(dataDir: string, max: number): Float32Array[] {
  const days = listDayDirs(dataDir).reverse();
  const perDay = Math.max(Math.floor(max / Math.max(days.length, 1)), 20);
  const out: Float32Array[] = [];
  for (const dir of days) {
    if (out.length >= max) break;
    const db = openDayDbReadOnly(dir);
    if (!db) continue;
    try {
      const rows = db
        .prepare(`SELECT eeg_embedding AS blob FROM embeddings WHERE length(eeg_embedding) >= 4 ORDER BY ${unixSecondsSql('timestamp')} DESC LIMIT ?`)
        .all(Math.min(perDay, max - out.length)) as Array<{ blob: Buffer }>;
      for (const r of rows) {
        const v = blobToVector(r.blob);
        if (v) out.push(v);
      }
    } catch {
      // A file that is not a day database holds no embeddings.
    } finally {
      db.close();
    }
  }
  return out;
}
