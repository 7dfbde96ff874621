// The epoch embeddings of one time range, for the UMAP projection (notes §7.8): every row of
// every day database the range touches, in all three timestamp encodings (the reference matched
// unix ms only, so epochs its live worker wrote were left out), in time order, with the text of
// the label whose EEG window covers each epoch when there is one.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { LABELS_DB_FILE } from '../labels/labelsSchema.ts';
import { blobToVector } from '../store/vectorBlob.ts';
import { storedToUnixMs, timestampRange } from '../store/timestamps.ts';
import { forEachDayDb } from './rangeDatabases.ts';

export interface RangeEmbeddings {
  /** Rows in range, with or without an embedding. */
  total: number;
  /** Epoch start of each embedded row, unix seconds, ascending. */
  utc: number[];
  vectors: Float32Array[];
  /** Covering label text per embedded row, or null. */
  labels: Array<string | null>;
}

interface LabelWindow {
  text: string;
  start: number;
  end: number;
}

export function rangeEmbeddings(dataDir: string, startS: number, endS: number): RangeEmbeddings {
  const rows: Array<{ utc: number; vector: Float32Array }> = [];
  let total = 0;
  const range = timestampRange('timestamp', startS, endS);
  forEachDayDb(dataDir, startS, endS, ({ db }) => {
    const stmt = db.prepare(`SELECT timestamp, eeg_embedding FROM embeddings WHERE ${range.sql}`).raw();
    for (const [ts, blob] of stmt.iterate(...range.params) as Iterable<[number, Uint8Array | null]>) {
      total++;
      const vector = blobToVector(blob);
      if (vector) rows.push({ utc: storedToUnixMs(ts) / 1000, vector });
    }
  });
  rows.sort((a, b) => a.utc - b.utc);
  const windows = labelWindows(dataDir, startS, endS);
  return {
    total,
    utc: rows.map((r) => r.utc),
    vectors: rows.map((r) => r.vector),
    labels: rows.map((r) => windows.find((w) => w.start <= r.utc && r.utc <= w.end)?.text ?? null),
  };
}

/** Labels whose EEG window overlaps the range, newest first (the newest covering label names a point). */
function labelWindows(dataDir: string, startS: number, endS: number): LabelWindow[] {
  const file = path.join(dataDir, LABELS_DB_FILE);
  if (!fs.existsSync(file)) return [];
  let db: Database.Database | null = null;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 2000');
    return db.prepare(
      `SELECT text, eeg_start AS start, eeg_end AS end FROM labels
        WHERE eeg_start IS NOT NULL AND eeg_end IS NOT NULL AND eeg_end >= ? AND eeg_start <= ?
        ORDER BY created_at DESC, id DESC`,
    ).all(startS, endS) as LabelWindow[];
  } catch {
    // Labels only decorate points; a missing or busy labels database must not fail the projection.
    return [];
  } finally {
    db?.close();
  }
}
