// A session's `_metrics.csv` (notes §4.3) read back as `CsvMetricsResult` (notes §7.5): every
// complete line with a positive timestamp becomes an EpochRow, and the summary is the mean of each
// SessionMetrics value over those lines.
//
// Columns are found by their header names (csvLayout.ts), never by position, so this daemon's
// layout, the reference's and its legacy fixed 4-channel layout read alike, whatever the channel
// count. Relative band powers are the mean over channels of `<ch>_rel_<band>`. A file without
// `relaxation`/`engagement` columns (the reference wrote none) gets them from the per-channel
// powers with this daemon's score formulas. A last line cut short by a crash is ignored.
// Unlike the reference, counts (blink_count, nod_count, shake_count) are averaged like every
// other value rather than summed, and rel_high_gamma is filled in.
import { engagementScore, relaxationScore, type RelativePowers } from '../signal/scores.ts';
import { METRICS_CROSS_COLUMNS, RAW_TIME_COLUMN } from '../store/csvLayout.ts';
import { epochRowOf, type EpochRow } from './epochRow.ts';
import { emptySessionMetrics, SESSION_METRIC_KEYS, sessionMetricsOfSums, type SessionMetricKey, type SessionMetrics } from './sessionMetrics.ts';

export interface CsvMetricsResult {
  n_rows: number;
  summary: SessionMetrics;
  timeseries: EpochRow[];
}

export function emptyCsvMetrics(): CsvMetricsResult {
  return { n_rows: 0, summary: emptySessionMetrics(), timeseries: [] };
}

const BANDS = ['delta', 'theta', 'alpha', 'beta', 'gamma', 'high_gamma'] as const;
const KEY_INDEX = new Map<string, number>(SESSION_METRIC_KEYS.map((k, i) => [k, i]));
const at = (key: SessionMetricKey) => KEY_INDEX.get(key)!;

function num(field: string | undefined): number {
  const v = Number(field);
  return Number.isFinite(v) ? v : 0;
}

export function parseMetricsCsv(text: string): CsvMetricsResult {
  const lines = text.split('\n');
  const header = (lines[0] ?? '').replace(/\r$/, '').split(',').map((c) => c.trim());
  const col = new Map(header.map((c, i) => [c, i]));
  const timeCol = col.get(RAW_TIME_COLUMN) ?? 0;
  const channels = header.filter((c) => c.endsWith('_rel_delta')).map((c) => c.slice(0, -'_rel_delta'.length));
  // Per band, the column of each channel that has it.
  const relCols = BANDS.map((band) => channels.map((ch) => col.get(`${ch}_rel_${band}`)).filter((i): i is number => i !== undefined));
  const cross: Array<[column: number, value: number]> = [];
  for (const [name, key] of METRICS_CROSS_COLUMNS) {
    const c = col.get(name), k = key === null ? undefined : KEY_INDEX.get(key);
    if (c !== undefined && k !== undefined) cross.push([c, k]);
  }
  const deriveRelaxation = !col.has('relaxation'), deriveEngagement = !col.has('engagement');

  const sums = new Float64Array(SESSION_METRIC_KEYS.length);
  const timeseries: EpochRow[] = [];
  for (let li = 1; li < lines.length; li++) {
    const line = lines[li]!.replace(/\r$/, '');
    if (line === '') continue;
    const f = line.split(',');
    if (f.length !== header.length) continue;
    const t = num(f[timeCol]);
    if (!(t > 0)) continue;
    const v = new Float64Array(SESSION_METRIC_KEYS.length);
    BANDS.forEach((band, b) => {
      const cols = relCols[b]!;
      if (cols.length) v[at(`rel_${band}`)] = cols.reduce((s, c) => s + num(f[c]), 0) / cols.length;
    });
    for (const [c, k] of cross) v[k] = num(f[c]);
    if (deriveRelaxation || deriveEngagement) {
      const powers: RelativePowers[] = channels.map((ch) => ({
        rel_delta: num(f[col.get(`${ch}_rel_delta`)!]), rel_theta: num(f[col.get(`${ch}_rel_theta`) ?? -1]),
        rel_alpha: num(f[col.get(`${ch}_rel_alpha`) ?? -1]), rel_beta: num(f[col.get(`${ch}_rel_beta`) ?? -1]),
      }));
      if (deriveRelaxation) v[at('relaxation')] = relaxationScore(powers);
      if (deriveEngagement) v[at('engagement')] = engagementScore(powers);
    }
    for (let i = 0; i < v.length; i++) sums[i]! += v[i]!;
    timeseries.push(epochRowOf(t, (key) => v[at(key)]!));
  }
  return { n_rows: timeseries.length, summary: sessionMetricsOfSums(timeseries.length, sums), timeseries };
}
