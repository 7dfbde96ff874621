// Detrended fluctuation analysis exponent: the slope of ln F(s) against ln s for window sizes
// s = 4, 8, …, ≤ N/2, where F(s) is the RMS residual of a least-squares line fitted to each
// non-overlapping segment of the integrated, mean-removed signal. ≈0.5 for white noise, ≈1 for
// 1/f noise, ≈1.5 for a random walk.
// Source: C.-K. Peng et al., "Mosaic organization of DNA nucleotides", Phys. Rev. E 49 (1994)
// 1685–1689. Each segment's residual uses prefix sums of y, y² and t·y, so every scale costs
// O(N/s) instead of O(N): RSS = Syy − S²xy/Sxx with centred sums.
import { LogLogSlope } from './logLogSlope.ts';

/** Prefix sums over the profile; `work` needs 3·(N+1) entries and is overwritten. */
export function dfaExponent(x: ArrayLike<number>, n: number, work: Float64Array): number {
  if (n < 16) return 0;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i]!;
  mean /= n;
  const p1 = 0, p2 = n + 1, pt = 2 * (n + 1);
  work[p1] = 0;
  work[p2] = 0;
  work[pt] = 0;
  let y = 0;
  for (let t = 0; t < n; t++) {
    y += x[t]! - mean;
    work[p1 + t + 1] = work[p1 + t]! + y;
    work[p2 + t + 1] = work[p2 + t]! + y * y;
    work[pt + t + 1] = work[pt + t]! + t * y;
  }
  const fit = new LogLogSlope();
  for (let s = 4; s <= n / 2; s *= 2) {
    const segments = Math.floor(n / s);
    const jSum = (s * (s - 1)) / 2;
    const jSq = ((s - 1) * s * (2 * s - 1)) / 6;
    const sxxC = jSq - (jSum * jSum) / s;
    let total = 0;
    for (let g = 0; g < segments; g++) {
      const a = g * s, b = a + s;
      const sumY = work[p1 + b]! - work[p1 + a]!;
      const sumY2 = work[p2 + b]! - work[p2 + a]!;
      const sumJY = work[pt + b]! - work[pt + a]! - a * sumY;
      const syyC = sumY2 - (sumY * sumY) / s;
      const sxyC = sumJY - (jSum * sumY) / s;
      total += Math.max(0, syyC - (sxyC * sxyC) / sxxC) / s;
    }
    const f = Math.sqrt(total / segments);
    fit.add(s, f);
  }
  return fit.slope();
}
