// POST /v1/analysis/embedding-count (notes §7.6): `{count, embedded}` — the epochs in a range and
// how many of them carry an embedding (a blob of at least one f32). Every day folder the range can
// touch is counted; the reference looked only at the folders of the start and end days, missing
// everything in between for ranges over two days.
import { timestampRange } from '../store/timestamps.ts';
import { forEachDayDb } from './rangeDatabases.ts';

export function embeddingCount(dataDir: string, startS: number, endS: number): { count: number; embedded: number } {
  let count = 0, embedded = 0;
  const range = timestampRange('timestamp', startS, endS);
  forEachDayDb(dataDir, startS, endS, ({ db }) => {
    const row = db.prepare(`SELECT COUNT(*), TOTAL(length(eeg_embedding) >= 4) FROM embeddings WHERE ${range.sql}`).raw().get(...range.params) as [number, number];
    count += row[0];
    embedded += row[1];
  });
  return { count, embedded };
}
