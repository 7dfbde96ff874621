// `<data>/screenshots.sqlite`: one row per capture, in the reference's location and with its
// `screenshots` columns (notes §8.5), plus the OCR bookkeeping this daemon adds, and an FTS5
// index over the OCR text. Numbered migrations tracked in PRAGMA user_version, WAL.
//
// The reference creates its table without version tracking, so migration 1 creates the table when
// absent and then adds whatever columns an existing file lacks, reaching the same shape without
// losing a row; the text index is then filled from any OCR text already there.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { applyMigrations } from '../store/migrations.ts';

export type ScreenshotDb = Database.Database;

export const SCREENSHOT_DB_FILE = 'screenshots.sqlite';

export const screenshotDbPath = (dataDir: string) => path.join(dataDir, SCREENSHOT_DB_FILE);

/** Every column after `id`, with its declaration: the reference's first, then ours. */
const COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['timestamp', 'INTEGER NOT NULL DEFAULT 0'],
  ['unix_ts', 'INTEGER NOT NULL DEFAULT 0'],
  ['filename', `TEXT NOT NULL DEFAULT ''`],
  ['width', 'INTEGER NOT NULL DEFAULT 0'],
  ['height', 'INTEGER NOT NULL DEFAULT 0'],
  ['file_size', 'INTEGER NOT NULL DEFAULT 0'],
  ['hnsw_id', 'INTEGER'],
  ['embedding', 'BLOB'],
  ['embedding_dim', 'INTEGER NOT NULL DEFAULT 0'],
  ['model_backend', `TEXT NOT NULL DEFAULT ''`],
  ['model_id', `TEXT NOT NULL DEFAULT ''`],
  ['image_size', 'INTEGER NOT NULL DEFAULT 0'],
  ['quality', 'INTEGER NOT NULL DEFAULT 0'],
  ['app_name', `TEXT NOT NULL DEFAULT ''`],
  ['window_title', `TEXT NOT NULL DEFAULT ''`],
  ['ocr_text', `TEXT NOT NULL DEFAULT ''`],
  ['ocr_embedding', 'BLOB'],
  ['ocr_embedding_dim', 'INTEGER NOT NULL DEFAULT 0'],
  ['ocr_hnsw_id', 'INTEGER'],
  ['gif_filename', 'TEXT'],
  ['source', `TEXT NOT NULL DEFAULT 'auto'`],
  ['chat_session_id', 'INTEGER'],
  ['caption', 'TEXT'],
  // Ours: where the text stands (`pending`, `done`, `failed`, `off`), and what it cost.
  ['ocr_status', `TEXT NOT NULL DEFAULT 'pending'`],
  ['ocr_engine', `TEXT NOT NULL DEFAULT ''`],
  ['ocr_ms', 'INTEGER'],
  ['unix_ms', 'INTEGER NOT NULL DEFAULT 0'],
];

/** Migration n (1-based) brings user_version from n−1 to n. Never edit one that has shipped. */
export const SCREENSHOT_MIGRATIONS: ReadonlyArray<(db: ScreenshotDb) => void> = [
  (db) => {
    db.exec(`CREATE TABLE IF NOT EXISTS screenshots (id INTEGER PRIMARY KEY AUTOINCREMENT, ${COLUMNS.map(([n, d]) => `${n} ${d}`).join(', ')})`);
    const present = new Set((db.prepare('PRAGMA table_info(screenshots)').all() as Array<{ name: string }>).map((c) => c.name));
    for (const [name, decl] of COLUMNS) if (!present.has(name)) db.exec(`ALTER TABLE screenshots ADD COLUMN ${name} ${decl}`);
    // Rows a reference file holds already have what text they have.
    if (!present.has('ocr_status')) db.exec(`UPDATE screenshots SET ocr_status = CASE WHEN ocr_text <> '' THEN 'done' ELSE 'off' END`);
    if (!present.has('unix_ms')) db.exec('UPDATE screenshots SET unix_ms = unix_ts * 1000');
    db.exec(`
      CREATE INDEX IF NOT EXISTS idx_screenshots_unix_ts ON screenshots (unix_ts);
      CREATE INDEX IF NOT EXISTS idx_screenshots_ocr_status ON screenshots (ocr_status);
      CREATE VIRTUAL TABLE IF NOT EXISTS screenshots_fts USING fts5(
        ocr_text, content = 'screenshots', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
      );
      INSERT INTO screenshots_fts (rowid, ocr_text) SELECT id, ocr_text FROM screenshots WHERE ocr_text <> '';`);
  },
];

/** The writing connection: creates and migrates the file. */
export function openScreenshotDb(dataDir: string): ScreenshotDb {
  const file = screenshotDbPath(dataDir);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  applyMigrations(db, SCREENSHOT_MIGRATIONS);
  return db;
}

/** A read-only connection for the routes' queries (opened after the writer has migrated). */
export function openScreenshotReader(dataDir: string): ScreenshotDb {
  const db = new Database(screenshotDbPath(dataDir), { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return db;
}
