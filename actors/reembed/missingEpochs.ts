// Epoch rows of the day databases and which of them lack an embedding (notes §5.5: a missing
// embedding is NULL or shorter than one f32).
//
// Only 5 s epoch rows count (quirk §15.2). This daemon keeps its ~4 Hz band rows in their own
// table; a database written by the reference has them in `embeddings` too, as unix-ms rows
// beside its 14/17-digit epoch rows. Such a file is recognised by its missing `band_snapshots`
// table, and only its 14/17-digit rows are epochs — embedding the band rows would be ~20
// overlapping 5 s windows per epoch, which is what the reference did.
import path from 'node:path';
import Database from 'better-sqlite3';
import { listDayDirs } from '../store/dayDirs.ts';
import { dayDbPath, hasTable, openDayDbForWrite, openDayDbReadOnly, type Db } from '../store/daySchema.ts';
import { storedToUnixMs } from '../store/timestamps.ts';

/** The smallest 14-digit value: below it a legacy row is a band row in unix ms. */
const COMPACT_MIN = 10_000_000_000_000;
const MISSING = '(eeg_embedding IS NULL OR length(eeg_embedding) < 4)';

export interface MissingEpoch {
  id: number;
  /** Unix ms of the epoch's first sample, whatever encoding the row stores. */
  startMs: number;
  deviceName: string | null;
}

export interface DayCounts {
  date: string;
  total: number;
  missing: number;
  embedded: number;
}

/** Day folders the reference would scan (`YYYYMMDD` starting "20"), newest first. */
export function reembedDays(dataDir: string): string[] {
  return listDayDirs(dataDir).filter((d) => path.basename(d).startsWith('20')).reverse();
}

/** The WHERE fragment selecting epoch rows of this database. */
function epochRows(db: Db): string {
  return hasTable(db, 'band_snapshots') ? '1' : `timestamp >= ${COMPACT_MIN}`;
}

export function dayCounts(dayDir: string): DayCounts {
  const date = path.basename(dayDir);
  const db = openDayDbReadOnly(dayDir);
  if (!db) return { date, total: 0, missing: 0, embedded: 0 };
  try {
    if (!hasTable(db, 'embeddings')) return { date, total: 0, missing: 0, embedded: 0 };
    const [total, missing] = db.prepare(`SELECT COUNT(*), TOTAL(${MISSING}) FROM embeddings WHERE ${epochRows(db)}`).raw().get() as [number, number];
    return { date, total, missing, embedded: total - missing };
  } catch {
    // A database being rewritten or damaged counts as empty rather than failing the estimate.
    return { date, total: 0, missing: 0, embedded: 0 };
  } finally {
    db.close();
  }
}

/** Epoch rows of one day lacking an embedding, oldest first (so each raw file is read forwards). */
export function missingEpochs(dayDir: string): MissingEpoch[] {
  const db = openDayDbReadOnly(dayDir);
  if (!db) return [];
  try {
    if (!hasTable(db, 'embeddings')) return [];
    const rows = db
      .prepare(`SELECT id, timestamp, device_name FROM embeddings WHERE ${epochRows(db)} AND ${MISSING}`)
      .raw()
      .all() as Array<[number, number, string | null]>;
    return rows.map(([id, ts, deviceName]) => ({ id, startMs: storedToUnixMs(ts), deviceName })).sort((a, b) => a.startMs - b.startMs || a.id - b.id);
  } catch {
    return [];
  } finally {
    db.close();
  }
}

/**
 * A write connection for filling embeddings. Current databases get the store's own (migrated,
 * WAL, busy timeout). A reference-era file is opened as it is: migrating it would add an empty
 * `band_snapshots` and its band rows would then be taken for epochs by every reader.
 */
export function openForEmbeddingUpdates(dayDir: string): Db {
  const probe = openDayDbReadOnly(dayDir);
  const current = probe ? hasTable(probe, 'band_snapshots') : true;
  probe?.close();
  if (current) return openDayDbForWrite(dayDir);
  const db = new Database(dayDbPath(dayDir), { fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return db;
}

/** Fills an epoch's embedding unless one arrived meanwhile (the live encoder, another run). */
export function embeddingUpdate(db: Db) {
  const stmt = db.prepare<[Buffer, number]>(`UPDATE embeddings SET eeg_embedding = ? WHERE id = ? AND ${MISSING}`);
  // Little-endian f32, the blob format of the reference (and of every x86/ARM host).
  return (id: number, vector: Float32Array): boolean => stmt.run(Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength), id).changes > 0;
}
