// The query side of a range search: every embedded epoch row of `[startS, endS]` (unix seconds,
// inclusive) in any of the three timestamp encodings — the reference queried unix ms only, so
// the epochs its live worker wrote (17-digit) were never used as queries (notes §6.2 quirk).
import path from 'node:path';
import { forEachDayDb } from '../analysis/rangeDatabases.ts';
import { storedToUnixMs, timestampRange } from '../store/timestamps.ts';
import { blobToVector } from '../store/vectorBlob.ts';

export interface QueryEpoch {
  /** As stored. */
  timestamp: number;
  unixMs: number;
  day: string;
  vector: Float32Array;
}

/** Embedded rows of the range, oldest first; `deviceName` (unless null or "all") keeps that device's only. */
export function readQueryEpochs(dataDir: string, startS: number, endS: number, deviceName: string | null): QueryEpoch[] {
  const out: QueryEpoch[] = [];
  const range = timestampRange('timestamp', startS, endS);
  const byDevice = deviceName !== null && deviceName !== 'all';
  forEachDayDb(dataDir, startS, endS, ({ dayDir, db }) => {
    const rows = db
      .prepare(`SELECT timestamp, eeg_embedding AS v FROM embeddings WHERE ${range.sql} AND length(eeg_embedding) >= 4${byDevice ? ' AND device_name = ?' : ''}`)
      .all(...range.params, ...(byDevice ? [deviceName] : [])) as { timestamp: number; v: Buffer }[];
    const day = path.basename(dayDir);
    for (const r of rows) {
      const vector = blobToVector(r.v);
      if (vector) out.push({ timestamp: r.timestamp, unixMs: storedToUnixMs(r.timestamp), day, vector });
    }
  });
  return out.sort((a, b) => a.unixMs - b.unixMs || a.day.localeCompare(b.day));
}
