// Higuchi fractal dimension with k_max = min(8, N/4): the slope of ln L(k) against ln(1/k),
// where L(k) averages over the k offsets m the normalised curve length
//   L_m(k) = (Σ_i |x[m + ik] − x[m + (i−1)k]|) · (N − 1) / (⌊(N − 1 − m)/k⌋ · k) / k.
// About 1 for smooth signals, 2 for white noise.
// Source: T. Higuchi, "Approach to an irregular time series on the basis of the fractal theory",
// Physica D 31 (1988) 277–283.
import { LogLogSlope } from './logLogSlope.ts';

export function higuchiFractalDimension(x: ArrayLike<number>, n = x.length): number {
  const kMax = Math.min(8, Math.floor(n / 4));
  if (kMax < 2) return 0;
  const fit = new LogLogSlope();
  for (let k = 1; k <= kMax; k++) {
    let lk = 0, used = 0;
    for (let m = 0; m < k; m++) {
      const steps = Math.floor((n - 1 - m) / k);
      if (steps < 1) continue;
      let len = 0;
      let prev = x[m]!;
      for (let i = 1; i <= steps; i++) {
        const v = x[m + i * k]!;
        len += Math.abs(v - prev);
        prev = v;
      }
      lk += (len * (n - 1)) / (steps * k * k);
      used++;
    }
    if (used === 0) continue;
    lk /= used;
    fit.add(1 / k, lk);
  }
  return fit.slope();
}
