// Sample entropy with m = 2 and r = 0.2·SD: −ln(A/B), where B counts pairs of length-2 templates
// within r (Chebyshev distance, self-matches excluded) among the first N − m templates and A the
// pairs that still match at length 3. With B > 0 and A = 0 it returns ln B (the bound for A = 1),
// as the reference does; 0 when B = 0 or the window is flat.
// Source: J. S. Richman & J. R. Moorman, "Physiological time-series analysis using approximate
// entropy and sample entropy", Am. J. Physiol. Heart Circ. Physiol. 278 (2000) H2039–H2049.
//
// The brute-force count compares every pair (N²/2 = 131 k for N = 512). Here the templates are
// sorted by their first sample (bucket + insertion sort, O(N) on such data), so for each template
// only the following ones within r of it in that order are candidates — the same counts from
// ~10 % of the comparisons, read sequentially.
// The match tests are written without branches (`+(…)`), which mispredict on noisy signals.

const M = 2;
/** Buckets of the sort by first sample (about 4 templates each for N = 512). */
const BUCKETS = 128;

export class SampleEntropyWorkspace {
  readonly order: Int32Array;
  readonly starts: Int32Array;
  readonly first: Float64Array;
  readonly second: Float64Array;
  readonly third: Float64Array;
  constructor(readonly maxN: number) {
    this.order = new Int32Array(maxN);
    this.starts = new Int32Array(BUCKETS + 1);
    this.first = new Float64Array(maxN);
    this.second = new Float64Array(maxN);
    this.third = new Float64Array(maxN);
  }
}

/** 0.2 × the population SD of x[0…n). */
function tolerance(x: ArrayLike<number>, n: number): number {
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i]!;
  mean /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (x[i]! - mean) ** 2;
  return 0.2 * Math.sqrt(v / n);
}

function entropyFromCounts(b: number, a: number): number {
  if (b === 0) return 0;
  return a === 0 ? Math.log(b) : -Math.log(a / b);
}

export function sampleEntropy(x: ArrayLike<number>, n: number, ws: SampleEntropyWorkspace): number {
  if (n < M + 2) return 0;
  const r = tolerance(x, n);
  if (r < 1e-10) return 0;
  const t = n - M;
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < t; i++) {
    const v = x[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  // Sort template indices by first sample: bucket by value (counting sort, index order kept
  // within a bucket), then an insertion sort over the nearly sorted result.
  const order = ws.order, starts = ws.starts, f0 = ws.first, f1 = ws.second, f2 = ws.third;
  const scale = hi > lo ? (BUCKETS - 1e-9) / (hi - lo) : 0;
  starts.fill(0);
  for (let i = 0; i < t; i++) starts[Math.floor((x[i]! - lo) * scale)]!++;
  for (let k = 0, run = 0; k <= BUCKETS; k++) {
    const c = starts[k]!;
    starts[k] = run;
    run += c;
  }
  for (let i = 0; i < t; i++) order[starts[Math.floor((x[i]! - lo) * scale)]!++] = i;
  for (let p = 0; p < t; p++) f0[p] = x[order[p]!]!;
  for (let p = 1; p < t; p++) {
    const v = f0[p]!, idx = order[p]!;
    let q = p - 1;
    while (q >= 0 && f0[q]! > v) {
      f0[q + 1] = f0[q]!;
      order[q + 1] = order[q]!;
      q--;
    }
    f0[q + 1] = v;
    order[q + 1] = idx;
  }
  for (let p = 0; p < t; p++) {
    const i = order[p]!;
    f1[p] = x[i + 1]!;
    f2[p] = x[i + 2]!;
  }
  let b = 0, a = 0;
  for (let p = 0; p < t; p++) {
    const limit = f0[p]! + r, x1 = f1[p]!, x2 = f2[p]!;
    for (let q = p + 1; q < t; q++) {
      if (f0[q]! > limit) break;
      const m1 = +(Math.abs(x1 - f1[q]!) <= r);
      b += m1;
      a += m1 * +(Math.abs(x2 - f2[q]!) <= r);
    }
  }
  return entropyFromCounts(b, a);
}

/** The O(N²) definition, kept for tests of the sorted count. */
export function sampleEntropyBruteForce(x: ArrayLike<number>, n = x.length): number {
  if (n < M + 2) return 0;
  const r = tolerance(x, n);
  if (r < 1e-10) return 0;
  const t = n - M;
  let b = 0, a = 0;
  for (let i = 0; i < t; i++) {
    for (let j = i + 1; j < t; j++) {
      if (Math.abs(x[i]! - x[j]!) > r || Math.abs(x[i + 1]! - x[j + 1]!) > r) continue;
      b++;
      if (Math.abs(x[i + 2]! - x[j + 2]!) <= r) a++;
    }
  }
  return entropyFromCounts(b, a);
}
