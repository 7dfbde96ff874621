// POST /v1/analysis/compare (notes §7.4): two ranges side by side. For each insight metric, the
// distribution over each range's timeseries (stats_a/stats_b), and the change of its mean from A
// to B (deltas): `pct` relative to |a| (0 when |a| ≤ 1e-6), direction "up"/"down" beyond ±5 %,
// else "stable"; metric names land in improved/declined/stable by direction.
// `n_epochs_a/b` are the epochs averaged for each range; the reference reported the length of
// the (sampled, at most 800-row) timeseries under that name.
import type { DaySummaryCache } from './daySummaryCache.ts';
import type { EpochRow, EpochRowKey } from './epochRow.ts';
import { metricStats, round2, type MetricStats } from './metricStats.ts';
import { metricsForRange } from './rangeMetrics.ts';
import { timeseriesForRange } from './rangeTimeseries.ts';
import type { SessionMetricKey } from './sessionMetrics.ts';

/** [insight name, EpochRow field, SessionMetrics field]. */
export const INSIGHT_METRICS: ReadonlyArray<readonly [string, EpochRowKey, SessionMetricKey]> = [
  ['relaxation', 'relaxation', 'relaxation'], ['engagement', 'engagement', 'engagement'], ['meditation', 'med', 'meditation'],
  ['cognitive_load', 'cog', 'cognitive_load'], ['drowsiness', 'drow', 'drowsiness'], ['mood', 'mood', 'mood'],
  ['faa', 'faa', 'faa'], ['tar', 'tar', 'tar'], ['bar', 'bar', 'bar'], ['dtr', 'dtr', 'dtr'], ['tbr', 'tbr', 'tbr'],
  ['hr', 'hr', 'hr'], ['rmssd', 'rmssd', 'rmssd'], ['stress', 'stress', 'stress_index'], ['snr', 'snr', 'snr'],
  ['coherence', 'coherence', 'coherence'], ['stillness', 'still', 'stillness'], ['blink_rate', 'blink_r', 'blink_rate'],
  ['rel_alpha', 'ra', 'rel_alpha'], ['rel_beta', 'rb', 'rel_beta'], ['rel_theta', 'rt', 'rel_theta'],
  ['rel_delta', 'rd', 'rel_delta'], ['pse', 'pse', 'pse'], ['apf', 'apf', 'apf'], ['sef95', 'sef95', 'sef95'],
];

export type Direction = 'up' | 'down' | 'stable';

export interface MetricDelta {
  a: number;
  b: number;
  abs: number;
  pct: number;
  direction: Direction;
}

export interface CompareInsights {
  stats_a: Record<string, MetricStats | null>;
  stats_b: Record<string, MetricStats | null>;
  deltas: Record<string, MetricDelta>;
  improved: string[];
  declined: string[];
  stable: string[];
  n_epochs_a: number;
  n_epochs_b: number;
}

export interface CompareRequest {
  aStartUtc: number;
  aEndUtc: number;
  bStartUtc: number;
  bEndUtc: number;
}

export function metricDelta(a: number, b: number): MetricDelta {
  const abs = b - a;
  const pct = Math.abs(a) > 1e-6 ? (abs / Math.abs(a)) * 100 : 0;
  const direction: Direction = pct > 5 ? 'up' : pct < -5 ? 'down' : 'stable';
  return { a: round2(a), b: round2(b), abs: round2(abs), pct: round2(pct), direction };
}

export function compareRanges(dataDir: string, r: CompareRequest, cache: DaySummaryCache): CompareInsights {
  const avgA = metricsForRange(dataDir, r.aStartUtc, r.aEndUtc, cache);
  const avgB = metricsForRange(dataDir, r.bStartUtc, r.bEndUtc, cache);
  const tsA = timeseriesForRange(dataDir, r.aStartUtc, r.aEndUtc);
  const tsB = timeseriesForRange(dataDir, r.bStartUtc, r.bEndUtc);
  const out: CompareInsights = {
    stats_a: {}, stats_b: {}, deltas: {}, improved: [], declined: [], stable: [],
    n_epochs_a: avgA.n_epochs, n_epochs_b: avgB.n_epochs,
  };
  const column = (rows: EpochRow[], key: EpochRowKey) => rows.map((row) => row[key]);
  for (const [name, rowKey, metricKey] of INSIGHT_METRICS) {
    out.stats_a[name] = metricStats(column(tsA, rowKey));
    out.stats_b[name] = metricStats(column(tsB, rowKey));
    const delta = metricDelta(avgA[metricKey], avgB[metricKey]);
    out.deltas[name] = delta;
    (delta.direction === 'up' ? out.improved : delta.direction === 'down' ? out.declined : out.stable).push(name);
  }
  return out;
}
