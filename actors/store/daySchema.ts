// The per-day `eeg.sqlite`: numbered migrations tracked in PRAGMA user_version, WAL, and the two
// ways it is opened — one writer (the recorder) and any number of read-only readers.
//
// Two tables, kept apart so counts mean what they say (quirk §15.2 of the notes):
// - `embeddings`: one row per 5 s epoch — the reference's table and columns, so its readers and
//   files interoperate; `eeg_embedding` is empty until the encoder fills it;
// - `band_snapshots`: the ~4 Hz rows of the live band analysis.
// Both store `timestamp` as unix ms; `metrics_json` holds the flat metric keys of epochMetrics.ts.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DAY_DB_FILE } from './dayDirs.ts';
import { applyMigrations } from './migrations.ts';

export type Db = Database.Database;

/** Migration n (1-based) brings user_version from n−1 to n. Never edit one that has shipped. */
export const DAY_MIGRATIONS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS embeddings (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     timestamp INTEGER NOT NULL,
     device_id TEXT,
     device_name TEXT,
     hnsw_id INTEGER DEFAULT 0,
     eeg_embedding BLOB,
     label TEXT,
     extra_embedding BLOB,
     ppg_ambient REAL,
     ppg_infrared REAL,
     ppg_red REAL,
     metrics_json TEXT
   );
   CREATE INDEX IF NOT EXISTS idx_embeddings_timestamp ON embeddings(timestamp);`,
  `CREATE TABLE IF NOT EXISTS band_snapshots (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     timestamp INTEGER NOT NULL,
     device_name TEXT,
     metrics_json TEXT NOT NULL
   );
   CREATE INDEX IF NOT EXISTS idx_band_snapshots_timestamp ON band_snapshots(timestamp);`,
];

export function dayDbPath(dayDir: string): string {
  return path.join(dayDir, DAY_DB_FILE);
}

/**
 * The recorder's connection. WAL with synchronous=NORMAL: a committed transaction survives the
 * process being killed (the OS still has the pages); only a power cut can lose the last few.
 */
export function openDayDbForWrite(dayDir: string): Db {
  fs.mkdirSync(dayDir, { recursive: true, mode: 0o700 });
  const db = new Database(dayDbPath(dayDir));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  applyMigrations(db, DAY_MIGRATIONS);
  return db;
}

/** A read-only connection, or null when the day has no database (yet). */
export function openDayDbReadOnly(dayDir: string): Db | null {
  const file = dayDbPath(dayDir);
  if (!fs.existsSync(file)) return null;
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 2000');
    return db;
  } catch {
    return null;
  }
}

/** True when `table` exists: legacy databases have no `band_snapshots`. */
export function hasTable(db: Db, table: string): boolean {
  return db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(table) !== undefined;
}
