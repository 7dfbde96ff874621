// POST /v1/analysis/metrics (notes §7.1): the mean of every SessionMetrics value over the 5 s
// epochs whose timestamp lies in [startS, endS] (unix seconds, inclusive), and `n_epochs`, the
// number of epochs averaged. An empty range gives n_epochs 0 and zeros.
import { storedToUnixMs, timestampRange } from '../store/timestamps.ts';
import type { DaySummaryCache } from './daySummaryCache.ts';
import { BUCKET_MS } from './daySummary.ts';
import { epochValues } from './epochValues.ts';
import { forEachDayDb, type DayDb } from './rangeDatabases.ts';
import { SESSION_METRIC_KEYS, sessionMetricsOfSums, type SessionMetrics } from './sessionMetrics.ts';

/** Running count and sums in SESSION_METRIC_KEYS order. */
export interface MetricSums {
  n: number;
  sums: Float64Array;
}

export function metricsForRange(dataDir: string, startS: number, endS: number, cache: DaySummaryCache): SessionMetrics {
  const acc: MetricSums = { n: 0, sums: new Float64Array(SESSION_METRIC_KEYS.length) };
  const lo = startS * 1000, hi = endS * 1000;
  forEachDayDb(dataDir, startS, endS, (day) => {
    for (const [key, bucket] of cache.summaryOf(day).buckets) {
      const b0 = key * BUCKET_MS, b1 = b0 + BUCKET_MS - 1;
      if (b1 < lo || b0 > hi) continue;
      if (b0 >= lo && b1 <= hi) {
        acc.n += bucket[0]!;
        for (let i = 0; i < acc.sums.length; i++) acc.sums[i]! += bucket[i + 1]!;
      } else {
        addRows(day, Math.max(lo, b0), Math.min(hi, b1), acc);
      }
    }
  });
  return sessionMetricsOfSums(acc.n, acc.sums);
}

/** Adds the counting epochs with unix ms in [loMs, hiMs], read straight from the database. */
export function addRows(day: DayDb, loMs: number, hiMs: number, acc: MetricSums): void {
  const range = timestampRange('timestamp', loMs / 1000, hiMs / 1000);
  const rows = day.db.prepare(`SELECT timestamp, metrics_json FROM embeddings WHERE ${range.sql} AND metrics_json IS NOT NULL`).raw();
  for (const [ts, json] of rows.iterate(...range.params) as IterableIterator<[number, string]>) {
    const t = storedToUnixMs(ts);
    if (t < loMs || t > hiMs) continue;
    const v = epochValues(json);
    if (!v) continue;
    acc.n += 1;
    for (let i = 0; i < v.length; i++) acc.sums[i]! += v[i]!;
  }
}
