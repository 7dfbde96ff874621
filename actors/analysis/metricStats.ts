// Distribution of one metric over a series (the reference's `metric_stats_vec`, notes §7.4):
// min, max, mean, median, population standard deviation, the 25th/75th percentiles taken as the
// sorted values at ⌊n/4⌋ and ⌊3n/4⌋, and `trend`, the least-squares slope per sample. Rounded to
// 2 decimals; null for an empty series.

/** Rounded to 2 decimals, as the reference's `r2f`. */
export const round2 = (v: number): number => Math.round(v * 100) / 100;

export interface MetricStats {
  min: number;
  max: number;
  mean: number;
  median: number;
  stddev: number;
  p25: number;
  p75: number;
  trend: number;
}

/** Least-squares slope of values against their index; 0 for fewer than two values. */
export function linearSlope(values: readonly number[]): number {
  const n = values.length;
  if (n < 2) return 0;
  const xMean = (n - 1) / 2;
  const yMean = values.reduce((a, b) => a + b, 0) / n;
  let num = 0, den = 0;
  values.forEach((y, i) => {
    num += (i - xMean) * (y - yMean);
    den += (i - xMean) ** 2;
  });
  return Math.abs(den) < 1e-15 ? 0 : num / den;
}

export function metricStats(values: readonly number[]): MetricStats | null {
  const n = values.length;
  if (n === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = values.reduce((a, x) => a + (x - mean) ** 2, 0) / n;
  const median = n % 2 === 0 ? (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2 : sorted[(n - 1) / 2]!;
  return {
    min: round2(sorted[0]!), max: round2(sorted[n - 1]!), mean: round2(mean), median: round2(median),
    stddev: round2(Math.sqrt(variance)), p25: round2(sorted[Math.floor(n / 4)]!), p75: round2(sorted[Math.floor((3 * n) / 4)]!),
    trend: round2(linearSlope(values)),
  };
}
