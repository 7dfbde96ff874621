// A day database reduced, in one pass, to what range analyses need:
// - the counting epochs (epochValues.ts) in time order, with the four relative bands the sleep
//   stager reads;
// - per 5-minute bucket of unix time, how many counting epochs it holds and the sum of each
//   SessionMetrics value over them.
// A range's metrics then add whole buckets and re-read only the rows of the (at most two) buckets
// its ends cut through; sleep staging slices the sorted arrays. Past days never change, so after
// the first query a month of history costs a few thousand additions instead of a JSON parse per
// epoch (daySummaryCache.ts decides when a summary is stale).
import type { Db } from '../store/daySchema.ts';
import { storedToUnixMs } from '../store/timestamps.ts';
import { epochValues, REL_ALPHA, REL_BETA, REL_DELTA, REL_THETA } from './epochValues.ts';
import { SESSION_METRIC_KEYS } from './sessionMetrics.ts';

export const BUCKET_MS = 300_000;

export interface DaySummary {
  /** Unix ms of each counting epoch, ascending. */
  ms: Float64Array;
  rd: Float64Array;
  rt: Float64Array;
  ra: Float64Array;
  rb: Float64Array;
  /** Bucket index floor(ms / BUCKET_MS) → [count, sum of each SESSION_METRIC_KEYS value]. */
  buckets: Map<number, Float64Array>;
  /** Approximate bytes held, for the cache's budget. */
  bytes: number;
}

export function buildDaySummary(db: Db): DaySummary {
  const k = SESSION_METRIC_KEYS.length;
  const buckets = new Map<number, Float64Array>();
  const ms: number[] = [], rd: number[] = [], rt: number[] = [], ra: number[] = [], rb: number[] = [];
  const rows = db.prepare('SELECT timestamp, metrics_json FROM embeddings WHERE metrics_json IS NOT NULL').raw();
  for (const [ts, json] of rows.iterate() as IterableIterator<[number, string]>) {
    const v = epochValues(json);
    if (!v) continue;
    const t = storedToUnixMs(ts);
    const key = Math.floor(t / BUCKET_MS);
    let b = buckets.get(key);
    if (!b) buckets.set(key, (b = new Float64Array(k + 1)));
    b[0]! += 1;
    for (let i = 0; i < k; i++) b[i + 1]! += v[i]!;
    ms.push(t);
    rd.push(v[REL_DELTA]!);
    rt.push(v[REL_THETA]!);
    ra.push(v[REL_ALPHA]!);
    rb.push(v[REL_BETA]!);
  }
  // Rows are inserted in time order, except in legacy databases that mix encodings.
  let order: number[] | null = null;
  for (let i = 1; i < ms.length; i++) {
    if (ms[i]! < ms[i - 1]!) {
      order = ms.map((_, j) => j).sort((a, b) => ms[a]! - ms[b]! || a - b);
      break;
    }
  }
  const column = (xs: number[]) => Float64Array.from(order ? order.map((j) => xs[j]!) : xs);
  return {
    ms: column(ms), rd: column(rd), rt: column(rt), ra: column(ra), rb: column(rb),
    buckets,
    bytes: ms.length * 40 + buckets.size * (k + 1) * 8 + 256,
  };
}

/** First index whose value is ≥ x (values ascending). */
export function lowerBound(values: Float64Array, x: number): number {
  let lo = 0, hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose value is > x (values ascending). */
export function upperBound(values: Float64Array, x: number): number {
  let lo = 0, hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
