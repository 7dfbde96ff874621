// Sample entropy with m = 2 and r = 0.2·SD: −ln(A/B), where B counts pairs of length-2 templates
// within r (Chebyshev distance, self-matches excluded) among the first N − m templates and A the
// pairs that still match at length 3. With B > 0 and A = 0 it returns ln B (the bound for A = 1),
// as the reference does; 0 when B = 0, the window is flat or it holds a NaN.
// Source: J. S. Richman & J. R. Moorman, "Physiological time-series analysis using approximate
// entropy and sample entropy", Am. J. Physiol. Heart Circ. Physiol. 278 (2000) H2039–H2049.
//
// The brute-force count compares every pair (N²/2 = 131 k for N = 512). Here the samples are
// sorted once, and because |a − b| only grows as b moves away from a along sorted values, the
// samples within r of any sample x[s] are one run of sorted positions, lower[s]…upper[s] (found
// for all s by two forward-moving pointers). Then, with bit sets over sorted positions:
// * the templates whose first sample is within r of template p's and that come after it in
//   sorted order are the positions rank[p] + 1 … upper[p]: p's candidates;
// * walking the samples u in sorted order, the templates whose second sample is within r of u
//   form a window whose ends only move forward, kept as a bit set (a bit in and a bit out per
//   template); at u = p + 1 it holds the templates matching p in the second sample. The same
//   walk keeps a second window for the third sample, which holds p's matches at u = p + 2;
// * B for p is the population count of the second-sample window over p's candidates, and A that
//   of second ∧ third: whichever of u = p + 1 and u = p + 2 comes first in the walk keeps its
//   window's words over p's candidates, and the other counts.
// That is 32 candidates per operation, whatever the window: a smooth one has ~20–50 candidates
// per template, but a blink or a spike inflates the SD, hence r, until nearly every pair is one,
// where testing candidate by candidate is as slow as the brute force.
// Every comparison is |x[i] − x[j]| ≤ r computed exactly as the definition does, so the counts
// are exactly the brute-force ones.

const M = 2;
/** Radix of the argsort's two counting-sort passes over 16-bit keys. */
const RADIX = 256;

export class SampleEntropyWorkspace {
  readonly maxN: number;
  /** Sample indices sorted by value, and their values. */
  readonly sorted: Int32Array;
  readonly sortedValues: Float64Array;
  /** Sample → its position in sorted order. */
  readonly rank: Int32Array;
  /** Sample → the first and last sorted positions within r of it. */
  readonly lower: Int32Array;
  readonly upper: Int32Array;
  /** The second- and third-sample windows, and per template the words of the one seen first. */
  readonly words: number;
  readonly second: Int32Array;
  readonly third: Int32Array;
  readonly kept: Int32Array;
  /** Pairs matching at length 2 (B) and 3 (A), counted by the walk. */
  pairs2 = 0;
  pairs3 = 0;
  /** The argsort's scratch. */
  readonly scratch: Int32Array;
  readonly keys: Uint16Array;
  readonly counts: Int32Array;

  constructor(maxN: number) {
    this.maxN = maxN;
    this.sorted = new Int32Array(maxN);
    this.sortedValues = new Float64Array(maxN);
    this.rank = new Int32Array(maxN);
    this.lower = new Int32Array(maxN);
    this.upper = new Int32Array(maxN);
    this.words = Math.max(1, Math.ceil(maxN / 32));
    this.second = new Int32Array(this.words);
    this.third = new Int32Array(this.words);
    this.kept = new Int32Array(maxN * this.words);
    this.scratch = new Int32Array(maxN);
    this.keys = new Uint16Array(maxN);
    this.counts = new Int32Array(RADIX);
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

/**
 * Sorts the indices 0…n−1 by x into `ws.sorted` (values into `ws.sortedValues`): two
 * counting-sort passes over a 16-bit quantisation of the value, then an insertion pass that
 * orders the few samples sharing a quantisation step.
 */
function argsort(x: ArrayLike<number>, n: number, ws: SampleEntropyWorkspace): void {
  const sorted = ws.sorted, scratch = ws.scratch, keys = ws.keys, counts = ws.counts, sv = ws.sortedValues;
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const scale = hi > lo ? 65535 / (hi - lo) : 0;
  for (let i = 0; i < n; i++) keys[i] = Math.min(65535, Math.floor((x[i]! - lo) * scale));
  // Low byte into scratch, then high byte into sorted (stable, so together a sort by key).
  counts.fill(0);
  for (let i = 0; i < n; i++) counts[keys[i]! & 0xff]!++;
  for (let k = 0, run = 0; k < RADIX; k++) {
    const c = counts[k]!;
    counts[k] = run;
    run += c;
  }
  for (let i = 0; i < n; i++) scratch[counts[keys[i]! & 0xff]!++] = i;
  counts.fill(0);
  for (let i = 0; i < n; i++) counts[keys[i]! >>> 8]!++;
  for (let k = 0, run = 0; k < RADIX; k++) {
    const c = counts[k]!;
    counts[k] = run;
    run += c;
  }
  for (let j = 0; j < n; j++) {
    const i = scratch[j]!;
    sorted[counts[keys[i]! >>> 8]!++] = i;
  }
  for (let p = 0; p < n; p++) sv[p] = x[sorted[p]!]!;
  for (let p = 1; p < n; p++) {
    const v = sv[p]!;
    if (sv[p - 1]! <= v) continue;
    const idx = sorted[p]!;
    let q = p - 1;
    while (q >= 0 && sv[q]! > v) {
      sv[q + 1] = sv[q]!;
      sorted[q + 1] = sorted[q]!;
      q--;
    }
    sv[q + 1] = v;
    sorted[q + 1] = idx;
  }
}

export function sampleEntropy(x: ArrayLike<number>, n: number, ws: SampleEntropyWorkspace): number {
  if (n < M + 2) return 0;
  if (n > ws.maxN) throw new RangeError(`sample entropy workspace holds ${ws.maxN} samples, got ${n}`);
  const r = tolerance(x, n);
  // A NaN sample makes r NaN: no comparison means anything, so 0 as for a flat window.
  if (!(r >= 1e-10)) return 0;
  const t = n - M;
  argsort(x, n, ws);
  const sorted = ws.sorted, sv = ws.sortedValues, rank = ws.rank, lower = ws.lower, upper = ws.upper;
  for (let k = 0; k < n; k++) rank[sorted[k]!] = k;
  for (let k = 0, lo = 0, hi = 0; k < n; k++) {
    const v = sv[k]!;
    while (Math.abs(v - sv[lo]!) > r) lo++;
    while (hi + 1 < n && Math.abs(sv[hi + 1]! - v) <= r) hi++;
    lower[sorted[k]!] = lo;
    upper[sorted[k]!] = hi;
  }
  // Walk the samples u in sorted order; `second` / `third` hold the positions rank[q] of the
  // templates q whose second / third sample (q + 1 / q + 2) lies in u's run lower[u]…upper[u].
  const second = ws.second, third = ws.third;
  second.fill(0);
  third.fill(0);
  ws.pairs2 = 0;
  ws.pairs3 = 0;
  for (let j = 0, lo = 0, hi = -1; j < n; j++) {
    const u = sorted[j]!;
    for (const until = upper[u]!; hi < until; ) {
      const s = sorted[++hi]!;
      if (s >= 1 && s <= t) second[rank[s - 1]! >>> 5]! |= 1 << (rank[s - 1]! & 31);
      if (s >= 2) third[rank[s - 2]! >>> 5]! |= 1 << (rank[s - 2]! & 31);
    }
    for (const from = lower[u]!; lo < from; lo++) {
      const s = sorted[lo]!;
      if (s >= 1 && s <= t) second[rank[s - 1]! >>> 5]! &= ~(1 << (rank[s - 1]! & 31));
      if (s >= 2) third[rank[s - 2]! >>> 5]! &= ~(1 << (rank[s - 2]! & 31));
    }
    // Template u − 1 meets its second-sample window, template u − 2 its third-sample one.
    if (u >= 1 && u <= t) meet(ws, u - 1, second, true, rank[u + 1]! > j);
    if (u >= 2) meet(ws, u - 2, third, false, rank[u - 1]! > j);
  }
  return entropyFromCounts(ws.pairs2, ws.pairs3);
}

/**
 * Template p's window for one of its later samples is `live` (the second sample's when
 * `isSecond`). If the other window is still to come in the walk, keep `live`'s words over p's
 * candidates rank[p] + 1 … upper[p]; else count them with the kept ones.
 */
function meet(ws: SampleEntropyWorkspace, p: number, live: Int32Array, isSecond: boolean, otherLater: boolean): void {
  const from = ws.rank[p]! + 1, to = ws.upper[p]!;
  if (from > to) return;
  const kept = ws.kept, first = from >>> 5, last = to >>> 5, row = p * ws.words;
  if (otherLater) {
    for (let w = first; w <= last; w++) kept[row + w] = live[w]!;
    return;
  }
  let b = 0, a = 0;
  for (let w = first; w <= last; w++) {
    let mask = -1;
    if (w === first) mask &= -1 << (from & 31);
    if (w === last) mask &= -1 >>> (31 - (to & 31));
    const now = live[w]! & mask, then = kept[row + w]! & mask;
    b += popCount(isSecond ? now : then);
    a += popCount(now & then);
  }
  ws.pairs2 += b;
  ws.pairs3 += a;
}

/** Set bits of a 32-bit word (SWAR; H. S. Warren, "Hacker's Delight", 2nd ed., §5-1). */
function popCount(v: number): number {
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  v = (v + (v >>> 4)) & 0x0f0f0f0f;
  return Math.imul(v, 0x01010101) >>> 24;
}

/** The O(N²) definition, kept for tests of the sorted count. */
export function sampleEntropyBruteForce(x: ArrayLike<number>, n = x.length): number {
  if (n < M + 2) return 0;
  const r = tolerance(x, n);
  if (!(r >= 1e-10)) return 0;
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
