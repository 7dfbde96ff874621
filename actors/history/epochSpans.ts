// The 5 s epoch rows of a day's `eeg.sqlite` that fall inside a recording session: how many,
// the first and last (unix s), and the device that wrote them. Epoch timestamps mark an epoch's
// first sample, so [first, last] used as an analysis range covers every epoch of the session.
//
// Databases written by the reference also hold its ~4 Hz band rows in `embeddings` (unix ms,
// no embedding); its 5 s epochs carry 14/17-digit timestamps instead (notes §4.2). Such a file
// is recognised by its missing `band_snapshots` table, and only its 14/17-digit rows count.
import { hasTable, openDayDbReadOnly } from '../store/daySchema.ts';
import { timestampRange, unixSecondsSql } from '../store/timestamps.ts';

export interface EpochSpan {
  n: number;
  firstSecs: number | null;
  lastSecs: number | null;
  deviceName: string | null;
}

const NONE: EpochSpan = { n: 0, firstSecs: null, lastSecs: null, deviceName: null };
/** The smallest 14-digit value: below it a legacy row is a band row in unix ms. */
const COMPACT_MIN = 10_000_000_000_000;

/** One span per [startSecs, endSecs] range (inclusive), from one connection to the day's database. */
export function epochSpans(dayDir: string, ranges: ReadonlyArray<readonly [number, number]>): EpochSpan[] {
  if (ranges.length === 0) return [];
  const db = openDayDbReadOnly(dayDir);
  if (!db) return ranges.map(() => NONE);
  try {
    if (!hasTable(db, 'embeddings')) return ranges.map(() => NONE);
    const legacy = !hasTable(db, 'band_snapshots');
    const where = timestampRange('timestamp', 0, 0).sql + (legacy ? ` AND timestamp >= ${COMPACT_MIN}` : '');
    const secs = unixSecondsSql('timestamp');
    const stmt = db.prepare(
      `SELECT COUNT(*) AS n, MIN(${secs}) AS lo, MAX(${secs}) AS hi, MAX(device_name) AS dev FROM embeddings WHERE ${where}`,
    );
    return ranges.map(([a, b]) => {
      const row = stmt.get(...timestampRange('timestamp', a, b).params) as { n: number; lo: number | null; hi: number | null; dev: string | null };
      if (!row.n) return NONE;
      return { n: row.n, firstSecs: Math.floor(row.lo!), lastSecs: Math.floor(row.hi!), deviceName: row.dev };
    });
  } catch {
    // A database being rewritten or damaged must not hide the sessions themselves.
    return ranges.map(() => NONE);
  } finally {
    db.close();
  }
}
