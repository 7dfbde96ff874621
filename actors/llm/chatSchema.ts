// `<data>/chats/chat_history.sqlite`: the LLM chat history, in the reference's location and with
// its tables and columns (notes §4.6, skill-llm `chat_store.rs`), so its files open here and ours
// open there. Numbered migrations tracked in PRAGMA user_version, WAL.
//
// The reference grew `chat_sessions` by ALTER TABLE (title, archived, params) without version
// tracking, so a file it wrote may have any subset of those columns. Migration 1 therefore creates
// the tables when absent and then adds whatever columns an older file lacks, reaching the same
// shape without losing a row.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { applyMigrations } from '../store/migrations.ts';

export type ChatDb = Database.Database;

export const CHATS_DIR = 'chats';
export const CHAT_DB_FILE = 'chat_history.sqlite';

export const chatDbPath = (dataDir: string) => path.join(dataDir, CHATS_DIR, CHAT_DB_FILE);

/** Columns the reference added to `chat_sessions` after creating it, with their declarations. */
const LATER_SESSION_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['title', `TEXT NOT NULL DEFAULT ''`],
  ['archived', 'INTEGER NOT NULL DEFAULT 0'],
  ['params', `TEXT NOT NULL DEFAULT ''`],
];

/** Migration n (1-based) brings user_version from n−1 to n. Never edit one that has shipped. */
export const CHAT_MIGRATIONS: ReadonlyArray<(db: ChatDb) => void> = [
  (db) => {
    db.exec(`
      CREATE TABLE IF NOT EXISTS chat_sessions (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at  INTEGER NOT NULL,
        model_name  TEXT    NOT NULL DEFAULT ''
      );
      CREATE TABLE IF NOT EXISTS chat_messages (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id  INTEGER NOT NULL REFERENCES chat_sessions(id),
        role        TEXT    NOT NULL,
        content     TEXT    NOT NULL,
        thinking    TEXT,
        created_at  INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS idx_chat_msg_session ON chat_messages (session_id);
      CREATE TABLE IF NOT EXISTS chat_tool_calls (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        message_id   INTEGER NOT NULL REFERENCES chat_messages(id) ON DELETE CASCADE,
        tool         TEXT    NOT NULL,
        status       TEXT    NOT NULL,
        detail       TEXT,
        tool_call_id TEXT,
        args         TEXT,
        result       TEXT,
        created_at   INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS idx_tool_calls_message ON chat_tool_calls (message_id);`);
    const present = new Set((db.prepare('PRAGMA table_info(chat_sessions)').all() as Array<{ name: string }>).map((c) => c.name));
    for (const [name, decl] of LATER_SESSION_COLUMNS) if (!present.has(name)) db.exec(`ALTER TABLE chat_sessions ADD COLUMN ${name} ${decl}`);
  },
];

/** The daemon's one connection (chat history is written from the main thread only). */
export function openChatDb(dataDir: string): ChatDb {
  const file = chatDbPath(dataDir);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  applyMigrations(db, CHAT_MIGRATIONS);
  return db;
}
