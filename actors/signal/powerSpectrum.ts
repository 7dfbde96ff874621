// One-sided power per FFT bin of a Hann-windowed block, in µV² per bin, so that summing bins
// over a band gives the band's power.
// Source: G. Heinzel, A. Rüdiger & R. Schilling (2002), "Spectrum and spectral density estimation
// by the DFT": PSD[k] = 2|X[k]|² / (fs·S2) with S2 = Σw²; times the bin width
// fs/N gives the power in bin k, P[k] = 2|X[k]|² / (N·S2); DC and Nyquist are not doubled.
// This matches scipy.signal.periodogram(x, fs, window, scaling="density") × fs/N.
import type { RealFft } from './realFft.ts';

/** Writes P[k], k = 0…N/2, from the FFT's last output into `out`. */
export function binPowers(fft: RealFft, sumW2: number, out: Float64Array): void {
  const re = fft.re, im = fft.im;
  const half = fft.size / 2;
  const scale = 1 / (fft.size * sumW2), twice = 2 * scale;
  out[0] = 1 * scale * (re[0]! * re[0]! + im[0]! * im[0]!);
  for (let k = 1; k < half; k++) out[k] = twice * (re[k]! * re[k]! + im[k]! * im[k]!);
  out[half] = 1 * scale * (re[half]! * re[half]! + im[half]! * im[half]!);
}

/** First and one-past-last bin whose frequency k·binHz lies in [loHz, hiHz), clipped to 0…N/2. */
export function binRange(loHz: number, hiHz: number, binHz: number, lastBin: number): [number, number] {
  let lo = Math.ceil(loHz / binHz - 1e-9);
  let hi = Math.ceil(hiHz / binHz - 1e-9);
  lo = Math.max(0, Math.min(lo, lastBin + 1));
  hi = Math.max(lo, Math.min(hi, lastBin + 1));
  return [lo, hi];
}

/** Sum of `p[lo…hi)`. */
export function sumBins(p: ArrayLike<number>, lo: number, hi: number): number {
  let s = 0;
  for (let k = lo; k < hi; k++) s += p[k]!;
  return s;
}
