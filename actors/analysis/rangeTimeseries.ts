// POST /v1/analysis/timeseries (notes §7.2): the epochs of a range as EpochRows, at most
// TIMESERIES_MAX_ROWS of them, evenly spaced over the whole range.
//
// Sampling happens inside SQLite: every day database first counts its epochs in range; with N in
// total, step = ⌈N / max⌉, and the epoch with global index g (day databases in time order, rows by
// time within each) is kept when g mod step = 0 — a ROW_NUMBER() window offset by the epochs of
// the earlier days. Only the kept rows leave SQLite and have their JSON parsed. (The reference gave
// each database in turn whatever budget was left, so the first days of a long range took it all.)
// Kept rows that do not count (epochValues.ts) are dropped afterwards, so such rows can make the
// answer a little shorter than the budget.
import { storedToUnixMs, timestampRange, unixSecondsSql } from '../store/timestamps.ts';
import { dayDirsForRange } from '../store/dayDirs.ts';
import { epochRowOf, type EpochRow } from './epochRow.ts';
import { epochValues } from './epochValues.ts';
import { withDayDb, type DayDb } from './rangeDatabases.ts';
import { SESSION_METRIC_KEYS } from './sessionMetrics.ts';

export const TIMESERIES_MAX_ROWS = 800;

const KEY_INDEX = new Map<string, number>(SESSION_METRIC_KEYS.map((k, i) => [k, i]));

function rangeFilter(startS: number, endS: number) {
  const range = timestampRange('timestamp', startS, endS);
  return { sql: `${range.sql} AND metrics_json IS NOT NULL`, params: range.params };
}

/** Epochs of one database in range. */
function countInRange(day: DayDb, startS: number, endS: number): number {
  const f = rangeFilter(startS, endS);
  return day.db.prepare(`SELECT COUNT(*) FROM embeddings WHERE ${f.sql}`).pluck().get(...f.params) as number;
}

/** Rows of one database whose global index (offset + rank by time) is a multiple of `step`. */
function sampleRows(day: DayDb, startS: number, endS: number, offset: number, step: number): Array<[number, string]> {
  const f = rangeFilter(startS, endS);
  // Legacy databases mix encodings whose raw values do not sort by time; ours are unix ms throughout.
  const byTime = day.legacy ? unixSecondsSql('timestamp') : 'timestamp';
  const sql = `SELECT e.timestamp, e.metrics_json FROM embeddings e JOIN (
      SELECT id, ROW_NUMBER() OVER (ORDER BY ${byTime}, id) - 1 AS i FROM embeddings WHERE ${f.sql}
    ) s ON e.id = s.id WHERE (s.i + ?) % ? = 0`;
  return day.db.prepare(sql).raw().all(...f.params, offset, step) as Array<[number, string]>;
}

export function timeseriesForRange(dataDir: string, startS: number, endS: number, maxRows = TIMESERIES_MAX_ROWS): EpochRow[] {
  const dayDirs = dayDirsForRange(dataDir, startS, endS);
  const counts = new Map<string, number>();
  let total = 0;
  for (const dir of dayDirs) {
    withDayDb(dir, (day) => {
      const n = countInRange(day, startS, endS);
      counts.set(dir, n);
      total += n;
    });
  }
  if (total === 0) return [];
  const step = Math.max(1, Math.ceil(total / maxRows));
  const rows: EpochRow[] = [];
  let offset = 0;
  for (const dir of dayDirs) {
    const n = counts.get(dir) ?? 0;
    if (n === 0) continue;
    withDayDb(dir, (day) => {
      for (const [ts, json] of sampleRows(day, startS, endS, offset, step)) {
        const v = epochValues(json);
        if (!v) continue;
        rows.push(epochRowOf(storedToUnixMs(ts) / 1000, (key) => v[KEY_INDEX.get(key)!]!));
      }
    });
    offset += n;
  }
  return rows.sort((a, b) => a.t - b.t);
}
