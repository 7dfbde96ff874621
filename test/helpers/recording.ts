// Reads what the recorder left on disk, independently of the recorder's own code: day folders,
// raw CSV rows, sidecars, and SQLite integrity.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export interface RawCsv {
  header: string[];
  rows: number[][];
  /** Bytes after the last newline (a partial line), if any. */
  partialTail: string;
}

export function dayFolders(dataDir: string): string[] {
  return fs.existsSync(dataDir) ? fs.readdirSync(dataDir).filter((n) => /^\d{8}$/.test(n)).sort().map((n) => path.join(dataDir, n)) : [];
}

export function rawCsvFiles(dataDir: string): string[] {
  return dayFolders(dataDir).flatMap((d) => fs.readdirSync(d).filter((n) => /^exg_\d+\.csv$/.test(n)).sort().map((n) => path.join(d, n)));
}

export function readCsv(file: string): RawCsv {
  const text = fs.readFileSync(file, 'utf8');
  const lastNl = text.lastIndexOf('\n');
  const complete = text.slice(0, lastNl + 1);
  const lines = complete.split('\n').filter((l) => l.length > 0);
  const header = (lines.shift() ?? '').split(',');
  const rows = lines.map((l) => l.split(',').map((c) => (c === '' ? NaN : Number(c))));
  return { header, rows, partialTail: text.slice(lastNl + 1) };
}

export function integrityCheck(dbFile: string): string {
  const db = new Database(dbFile, { readonly: true });
  try {
    return String(db.pragma('integrity_check', { simple: true }));
  } finally {
    db.close();
  }
}

export function readJson(file: string): any {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}
