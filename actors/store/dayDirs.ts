// The data directory holds one folder per UTC day, `YYYYMMDD/`, each with its own `eeg.sqlite`
// and the session files that started that day (notes §4.1). Range queries pad a day on each
// side, as the reference does, so a local-time day never misses a folder.
import fs from 'node:fs';
import path from 'node:path';

export const DAY_DB_FILE = 'eeg.sqlite';
const DAY_DIR = /^\d{8}$/;

/** `YYYYMMDD` of the UTC day containing `ms`. */
export function utcDayName(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replace(/-/g, '');
}

/** Unix ms of 00:00 UTC of the day after the one containing `ms`. */
export function nextUtcMidnight(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
}

/** Every `YYYYMMDD` folder in the data directory, oldest first. */
export function listDayDirs(dataDir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dataDir);
  } catch {
    return [];
  }
  return names.filter((n) => DAY_DIR.test(n)).sort().map((n) => path.join(dataDir, n));
}

/** Day folders overlapping [startS − 1 day, endS + 1 day] (unix seconds). */
export function dayDirsForRange(dataDir: string, startS: number, endS: number): string[] {
  const lo = utcDayName((startS - 86_400) * 1000);
  const hi = utcDayName((endS + 86_400) * 1000);
  return listDayDirs(dataDir).filter((d) => {
    const name = path.basename(d);
    return name >= lo && name <= hi;
  });
}
