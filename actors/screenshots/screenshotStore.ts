// The screenshots table and its text index: rows written by the capture worker, read by the
// routes. Statements are prepared once; writes go through the writer connection, queries through
// a read-only one (WAL lets them run side by side).
import type Database from 'better-sqlite3';
import { openScreenshotDb, openScreenshotReader, type ScreenshotDb } from './screenshotSchema.ts';

export type OcrStatus = 'pending' | 'done' | 'failed' | 'off';

export interface NewScreenshot {
  /** `YYYYMMDDHHmmss` (UTC). */
  timestamp: string;
  unixMs: number;
  /** Relative to the screenshots folder: `YYYYMMDD/YYYYMMDDHHmmss.webp`. */
  filename: string;
  width: number;
  height: number;
  fileSize: number;
  imageSize: number;
  quality: number;
  ocrStatus: OcrStatus;
}

/** The reference's `ScreenshotResult` (notes §8.5). */
export interface ScreenshotResult {
  timestamp: number;
  unix_ts: number;
  filename: string;
  app_name: string;
  window_title: string;
  ocr_text: string;
  similarity: number;
  gif_filename: string | null;
}

export interface ScreenshotCounts {
  total: number;
  ocr_done: number;
  ocr_pending: number;
  ocr_failed: number;
  last_capture_unix: number;
  last_ocr_unix: number;
}

/** A stored screenshot as the queries read it: a result without its similarity. */
type Row = Omit<ScreenshotResult, 'similarity'> & { id: number };

const RESULT_COLUMNS = 's.id, s.timestamp, s.unix_ts, s.filename, s.app_name, s.window_title, s.ocr_text, s.gif_filename';

const toResult = (r: Row, similarity: number): ScreenshotResult => ({
  timestamp: r.timestamp,
  unix_ts: r.unix_ts,
  filename: r.filename,
  app_name: r.app_name,
  window_title: r.window_title,
  ocr_text: r.ocr_text,
  similarity,
  gif_filename: r.gif_filename,
});

/**
 * An FTS5 query from free text: each word becomes a quoted prefix term, all of them required, so
 * a client's quotes, operators or column filters are never parsed as FTS syntax. null when the
 * text has no word at all.
 */
export function ftsQuery(text: string): string | null {
  const words = text.match(/[\p{L}\p{N}]+/gu);
  if (!words) return null;
  return words.slice(0, 32).map((w) => `"${w}"*`).join(' ');
}

/** A LIKE pattern matching `text` literally anywhere. */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export class ScreenshotStore {
  readonly #db: ScreenshotDb;
  readonly #reader: ScreenshotDb;
  readonly #insert: Database.Statement;
  readonly #setOcr: Database.Statement;
  readonly #indexText: Database.Statement;
  readonly #abandonPending: Database.Statement;
  readonly #around: Database.Statement;
  readonly #fts: Database.Statement;
  readonly #substring: Database.Statement;
  readonly #counts: Database.Statement;
  readonly #byId: Database.Statement;

  constructor(dataDir: string) {
    this.#db = openScreenshotDb(dataDir);
    this.#reader = openScreenshotReader(dataDir);
    this.#insert = this.#db.prepare(`
      INSERT INTO screenshots (timestamp, unix_ts, unix_ms, filename, width, height, file_size, image_size, quality, ocr_status, source)
      VALUES (@timestamp, @unix_ts, @unix_ms, @filename, @width, @height, @file_size, @image_size, @quality, @ocr_status, 'auto')`);
    this.#setOcr = this.#db.prepare('UPDATE screenshots SET ocr_text = ?, ocr_status = ?, ocr_engine = ?, ocr_ms = ? WHERE id = ?');
    this.#indexText = this.#db.prepare('INSERT INTO screenshots_fts (rowid, ocr_text) VALUES (?, ?)');
    this.#abandonPending = this.#db.prepare(`UPDATE screenshots SET ocr_status = 'failed' WHERE ocr_status = 'pending'`);
    this.#around = this.#reader.prepare(`
      SELECT ${RESULT_COLUMNS} FROM screenshots s
      WHERE s.unix_ts BETWEEN ? AND ? ORDER BY abs(s.unix_ts - ?), s.unix_ts LIMIT ?`);
    this.#fts = this.#reader.prepare(`
      SELECT ${RESULT_COLUMNS}, bm25(screenshots_fts) AS score FROM screenshots_fts
      JOIN screenshots s ON s.id = screenshots_fts.rowid
      WHERE screenshots_fts MATCH ? ORDER BY score, s.unix_ts DESC LIMIT ?`);
    this.#substring = this.#reader.prepare(`
      SELECT ${RESULT_COLUMNS} FROM screenshots s
      WHERE s.ocr_text LIKE ? ESCAPE '\\' ORDER BY s.unix_ts DESC LIMIT ?`);
    this.#counts = this.#reader.prepare(`
      SELECT count(*) AS total,
             coalesce(sum(ocr_status = 'done'), 0) AS ocr_done,
             coalesce(sum(ocr_status = 'pending'), 0) AS ocr_pending,
             coalesce(sum(ocr_status = 'failed'), 0) AS ocr_failed,
             coalesce(max(unix_ts), 0) AS last_capture_unix,
             coalesce(max(CASE WHEN ocr_status = 'done' THEN unix_ts END), 0) AS last_ocr_unix
      FROM screenshots`);
    this.#byId = this.#reader.prepare(`SELECT ${RESULT_COLUMNS} FROM screenshots s WHERE s.id = ?`);
  }

  insert(s: NewScreenshot): number {
    const info = this.#insert.run({
      timestamp: Number(s.timestamp),
      unix_ts: Math.floor(s.unixMs / 1000),
      unix_ms: s.unixMs,
      filename: s.filename,
      width: s.width,
      height: s.height,
      file_size: s.fileSize,
      image_size: s.imageSize,
      quality: s.quality,
      ocr_status: s.ocrStatus,
    });
    return Number(info.lastInsertRowid);
  }

  /** Stores a capture's text and, when there is any, makes it searchable — in one transaction. */
  setOcr(id: number, text: string, status: 'done' | 'failed', engine: string, ms: number | null): void {
    this.#db.transaction(() => {
      this.#setOcr.run(text, status, engine, ms === null ? null : Math.round(ms), id);
      if (status === 'done' && text !== '') this.#indexText.run(id, text);
    })();
  }

  /** Rows a previous run left waiting for OCR: the images it would have read are gone. */
  abandonPending(): number {
    return this.#abandonPending.run().changes;
  }

  get(id: number): ScreenshotResult | null {
    const r = this.#byId.get(id) as Row | undefined;
    return r ? toResult(r, 1) : null;
  }

  /**
   * Captures within `windowSecs` of `unixSecs`, nearest first; similarity falls from 1 at the
   * instant to 0 at the window's edge.
   */
  around(unixSecs: number, windowSecs: number, limit: number): ScreenshotResult[] {
    const t = Math.round(unixSecs);
    const rows = this.#around.all(t - windowSecs, t + windowSecs, t, limit) as Row[];
    return rows.map((r) => toResult(r, windowSecs > 0 ? Math.max(0, 1 - Math.abs(r.unix_ts - t) / windowSecs) : 1));
  }

  /**
   * Ranked full-text search over the OCR text (every word, as a prefix). Similarity is BM25's
   * relevance s mapped into (0, 1) as s / (1 + s).
   */
  searchText(query: string, k: number): ScreenshotResult[] {
    const match = ftsQuery(query);
    if (match === null) return [];
    const rows = this.#fts.all(match, k) as Array<Row & { score: number }>;
    return rows.map((r) => {
      const s = Math.max(0, -r.score);
      return toResult(r, Math.round((s / (1 + s)) * 1e6) / 1e6);
    });
  }

  /** Case-insensitive (ASCII) literal substring search over the OCR text, newest first. */
  searchSubstring(query: string, k: number): ScreenshotResult[] {
    return (this.#substring.all(likePattern(query), k) as Row[]).map((r) => toResult(r, 1));
  }

  counts(): ScreenshotCounts {
    return this.#counts.get() as ScreenshotCounts;
  }

  close(): void {
    this.#reader.close();
    this.#db.close();
  }
}
