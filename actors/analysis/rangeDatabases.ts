// The day databases a time range can touch, opened read-only one at a time. Day folders are
// pre-filtered by name (one day of padding each side, notes §7); rows are then filtered exactly by
// timestamp in every query, so the padding only costs an index probe.
//
// Every analysis query reads table `embeddings`: in this daemon's databases it holds only the 5 s
// epochs (the ~4 Hz rows live in `band_snapshots`); in a legacy database — one without
// `band_snapshots` — it holds both kinds mixed, and all of them are read, as the reference did.
import { dayDirsForRange } from '../store/dayDirs.ts';
import { dayDbPath, hasTable, openDayDbReadOnly, type Db } from '../store/daySchema.ts';

export interface DayDb {
  dayDir: string;
  file: string;
  db: Db;
  /** No `band_snapshots`: a reference-era database with mixed rows and timestamp encodings. */
  legacy: boolean;
}

/** Calls `fn` for each day database of the range that has an `embeddings` table, oldest day first. */
export function forEachDayDb(dataDir: string, startS: number, endS: number, fn: (day: DayDb) => void): void {
  for (const dayDir of dayDirsForRange(dataDir, startS, endS)) withDayDb(dayDir, fn);
}

/** Opens one day database read-only for the duration of `fn`; skipped when absent or unreadable. */
export function withDayDb(dayDir: string, fn: (day: DayDb) => void): void {
  const db = openDayDbReadOnly(dayDir);
  if (!db) return;
  try {
    if (!hasTable(db, 'embeddings')) return;
    fn({ dayDir, file: dayDbPath(dayDir), db, legacy: !hasTable(db, 'band_snapshots') });
  } finally {
    db.close();
  }
}
