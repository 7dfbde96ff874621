// `<data>/labels.sqlite`: the labels table with the reference's columns (notes §8.1), so its
// files open here and ours open there. Numbered migrations tracked in PRAGMA user_version, WAL.
//
// The reference created the table in two eras (an older `label_store` schema without the
// embedding columns, and the daemon's, which adds what is missing with ALTER TABLE). Migration 1
// therefore creates the table when absent and then adds any column an older file lacks, so a
// reference-era file of either age reaches the same shape without losing a row.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { applyMigrations } from '../store/migrations.ts';

export type LabelsDb = Database.Database;

export const LABELS_DB_FILE = 'labels.sqlite';

/** Every column of the reference's table, with the type it declares (id aside). */
const COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['text', `TEXT NOT NULL DEFAULT ''`],
  ['context', `TEXT DEFAULT ''`],
  ['eeg_start', 'INTEGER'],
  ['eeg_end', 'INTEGER'],
  ['wall_start', 'INTEGER'],
  ['wall_end', 'INTEGER'],
  ['label_start', 'INTEGER'],
  ['label_end', 'INTEGER'],
  ['created_at', 'INTEGER'],
  ['text_embedding', 'BLOB'],
  ['context_embedding', 'BLOB'],
  ['embedding_model', 'TEXT'],
];

/** Migration n (1-based) brings user_version from n−1 to n. Never edit one that has shipped. */
export const LABEL_MIGRATIONS: ReadonlyArray<(db: LabelsDb) => void> = [
  (db) => {
    db.exec(`CREATE TABLE IF NOT EXISTS labels (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      text TEXT NOT NULL,
      context TEXT DEFAULT '',
      eeg_start INTEGER,
      eeg_end INTEGER,
      wall_start INTEGER,
      wall_end INTEGER,
      label_start INTEGER,
      label_end INTEGER,
      created_at INTEGER,
      text_embedding BLOB,
      context_embedding BLOB,
      embedding_model TEXT
    )`);
    const present = new Set((db.prepare('PRAGMA table_info(labels)').all() as Array<{ name: string }>).map((c) => c.name));
    for (const [name, type] of COLUMNS) if (!present.has(name)) db.exec(`ALTER TABLE labels ADD COLUMN ${name} ${type}`);
    db.exec('CREATE INDEX IF NOT EXISTS idx_labels_eeg_start ON labels(eeg_start)');
  },
];

/** The daemon's one connection (labels are written from the main thread only). */
export function openLabelsDb(dataDir: string): LabelsDb {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = new Database(path.join(dataDir, LABELS_DB_FILE));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  applyMigrations(db, LABEL_MIGRATIONS);
  return db;
}
