// `<data>/hooks.sqlite`: every hook fire, in the reference's table (notes §4.6, `hook_events`:
// id, triggered_at_utc as the integer YYYYMMDDHHmmss, and three JSON texts), so its files open
// here and ours there. One column is ours: `hook_name`, so the statuses (last trigger, count)
// survive a restart without parsing every row. WAL, numbered migrations in PRAGMA user_version,
// one connection on the main thread, statements prepared once.
import fs from 'node:fs';
import path from 'node:path';
import Database, { type Statement } from 'better-sqlite3';
import { applyMigrations } from '../store/migrations.ts';

type Db = Database.Database;

export const HOOKS_DB_FILE = 'hooks.sqlite';

/** Migration n (1-based) brings user_version from n−1 to n. Never edit one that has shipped. */
export const HOOKS_MIGRATIONS: ReadonlyArray<(db: Db) => void> = [
  (db) => {
    db.exec(`
      CREATE TABLE IF NOT EXISTS hook_events (
        id               INTEGER PRIMARY KEY AUTOINCREMENT,
        triggered_at_utc INTEGER NOT NULL,
        hook_json        TEXT    NOT NULL,
        trigger_json     TEXT    NOT NULL,
        payload_json     TEXT    NOT NULL
      );
      CREATE INDEX IF NOT EXISTS idx_hook_events_time ON hook_events (triggered_at_utc DESC);`);
  },
  (db) => {
    const columns = new Set((db.prepare('PRAGMA table_info(hook_events)').all() as Array<{ name: string }>).map((c) => c.name));
    if (!columns.has('hook_name')) db.exec('ALTER TABLE hook_events ADD COLUMN hook_name TEXT');
    // Rows the reference wrote carry the name inside hook_json only.
    db.exec(`UPDATE hook_events SET hook_name = json_extract(hook_json, '$.name') WHERE hook_name IS NULL AND json_valid(hook_json)`);
    db.exec('CREATE INDEX IF NOT EXISTS idx_hook_events_name ON hook_events (hook_name, id)');
  },
];

export interface HookLogRow {
  id: number;
  triggered_at_utc: number;
  hook_json: string;
  trigger_json: string;
  payload_json: string;
}

export interface NewHookLogRow {
  hookName: string;
  triggeredAtUtc: number;
  hook: unknown;
  trigger: unknown;
  payload: unknown;
}

export interface HookTally {
  hookName: string;
  count: number;
  last: HookLogRow;
}

export class HooksLog {
  readonly #db: Db;
  readonly #insert: Statement<[string, number, string, string, string]>;
  readonly #setPayload: Statement<[string, number]>;
  readonly #page: Statement<[number, number]>;
  readonly #count: Statement<[]>;
  readonly #tallies: Statement<[]>;

  constructor(dataDir: string) {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    this.#db = new Database(path.join(dataDir, HOOKS_DB_FILE));
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.pragma('busy_timeout = 5000');
    applyMigrations(this.#db, HOOKS_MIGRATIONS);
    this.#insert = this.#db.prepare('INSERT INTO hook_events (hook_name, triggered_at_utc, hook_json, trigger_json, payload_json) VALUES (?, ?, ?, ?, ?)');
    this.#setPayload = this.#db.prepare('UPDATE hook_events SET payload_json = ? WHERE id = ?');
    const cols = 'id, triggered_at_utc, hook_json, trigger_json, payload_json';
    this.#page = this.#db.prepare(`SELECT ${cols} FROM hook_events ORDER BY triggered_at_utc DESC, id DESC LIMIT ? OFFSET ?`);
    this.#count = this.#db.prepare('SELECT count(*) AS n FROM hook_events');
    this.#tallies = this.#db.prepare(
      `SELECT e.hook_name AS hook_name, t.n AS n, ${cols.split(', ').map((c) => `e.${c}`).join(', ')}
       FROM (SELECT hook_name, count(*) AS n, max(id) AS last_id FROM hook_events WHERE hook_name IS NOT NULL GROUP BY hook_name) t
       JOIN hook_events e ON e.id = t.last_id`,
    );
  }

  append(row: NewHookLogRow): number {
    const info = this.#insert.run(row.hookName, row.triggeredAtUtc, JSON.stringify(row.hook), JSON.stringify(row.trigger), JSON.stringify(row.payload));
    return Number(info.lastInsertRowid);
  }

  /** Replaces a row's payload (a command's result arrives after the fire was logged). */
  setPayload(id: number, payload: unknown): void {
    this.#setPayload.run(JSON.stringify(payload), id);
  }

  /** Newest first. */
  page(limit: number, offset: number): HookLogRow[] {
    return this.#page.all(limit, offset) as HookLogRow[];
  }

  count(): number {
    return (this.#count.get() as { n: number }).n;
  }

  /** Per hook name: how often it fired and its latest row. */
  tallies(): HookTally[] {
    return (this.#tallies.all() as Array<HookLogRow & { hook_name: string; n: number }>).map(({ hook_name, n, ...last }) => ({ hookName: hook_name, count: n, last }));
  }

  close(): void {
    this.#db.close();
  }
}

