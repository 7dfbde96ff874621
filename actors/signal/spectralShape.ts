// Per-channel descriptors of the shape of a power spectrum (bin powers p[k] at k·binHz), as the
// reference computes them (notes §3.2). Each is averaged over channels by the band analyzer.
import { binRange } from './powerSpectrum.ts';

/**
 * Alpha peak frequency: the frequency of the largest bin in 8–13 Hz (both edges included, as in
 * the reference), or null when the band holds no power.
 * Source: W. Klimesch, "EEG alpha and theta oscillations…", Brain Res. Rev. 29 (1999).
 */
export function alphaPeakFrequency(p: ArrayLike<number>, binHz: number): number | null {
  const lo = Math.ceil(8 / binHz - 1e-9);
  const hi = Math.min(Math.floor(13 / binHz + 1e-9), p.length - 1);
  let best = -1, bestP = 1e-12;
  for (let k = lo; k <= hi; k++) {
    if (p[k]! > bestP) {
      bestP = p[k]!;
      best = k;
    }
  }
  return best < 0 ? null : best * binHz;
}

/**
 * Band-power slope: least-squares slope of log10 P against log10 f over 1–50 Hz (bins with
 * P > 1e-20), or null with fewer than three such bins. Negative for the usual 1/f spectrum.
 * `logFreq[k]` may hold ln(k·binHz) precomputed. Natural logs: the slope is the same in any base.
 * Source: T. Donoghue et al., "Parameterizing neural power spectra…", Nat. Neurosci. 23 (2020).
 */
export function bandPowerSlope(p: ArrayLike<number>, binHz: number, logFreq?: ArrayLike<number>): number | null {
  const lo = Math.max(1, Math.ceil(1 / binHz - 1e-9));
  const hi = Math.min(Math.floor(50 / binHz + 1e-9), p.length - 1);
  let sx = 0, sy = 0, sxy = 0, sx2 = 0, n = 0;
  for (let k = lo; k <= hi; k++) {
    const pk = p[k]!;
    if (pk > 1e-20) {
      const x = logFreq ? logFreq[k]! : Math.log(k * binHz), y = Math.log(pk);
      sx += x;
      sy += y;
      sxy += x * y;
      sx2 += x * x;
      n++;
    }
  }
  const den = n * sx2 - sx * sx;
  return n > 2 && Math.abs(den) > 1e-20 ? (n * sxy - sx * sy) / den : null;
}

/**
 * Signal-to-noise ratio in dB: mean bin power over 1–50 Hz against the mean over the 50–60 Hz
 * line-noise band; null when that band is empty or silent.
 * Source: M. X. Cohen, "Analyzing Neural Time Series Data" (MIT Press, 2014), ch. 18.
 */
export function lineNoiseSnrDb(p: ArrayLike<number>, binHz: number): number | null {
  const last = p.length - 1;
  const [sLo, sHi] = binRange(1, 50, binHz, last);
  const [nLo, nHi] = binRange(50, 60, binHz, last);
  if (nHi <= nLo) return null;
  let sig = 0, noise = 0;
  for (let k = sLo; k < sHi; k++) sig += p[k]!;
  for (let k = nLo; k < nHi; k++) noise += p[k]!;
  if (noise <= 1e-12) return null;
  const sigAvg = sig / Math.max(1, sHi - sLo), noiseAvg = noise / (nHi - nLo);
  return sigAvg > 0 ? 10 * Math.log10(sigAvg / noiseAvg) : null;
}

/**
 * Spectral edge frequency: the lowest bin frequency at which the cumulative power reaches
 * `fraction` of the total (0 for a silent spectrum).
 * Source: I. J. Rampil, "A primer for EEG signal processing in anesthesia", Anesthesiology 89 (1998).
 */
export function spectralEdgeFrequency(p: ArrayLike<number>, binHz: number, fraction: number): number {
  let total = 0;
  for (let k = 0; k < p.length; k++) total += p[k]!;
  if (total < 1e-20) return 0;
  const target = total * fraction;
  let cum = 0;
  for (let k = 0; k < p.length; k++) {
    cum += p[k]!;
    if (cum >= target) return k * binHz;
  }
  return (p.length - 1) * binHz;
}

/**
 * Spectral centroid Σ f·P / Σ P over the whole one-sided spectrum (0 when silent).
 * Source: S. Gudmundsson et al., "Quantitative EEG…", Clin. Neurophysiol. 118 (2007).
 */
export function spectralCentroid(p: ArrayLike<number>, binHz: number): number {
  let num = 0, den = 0;
  for (let k = 0; k < p.length; k++) {
    num += k * binHz * p[k]!;
    den += p[k]!;
  }
  return den > 1e-20 ? num / den : 0;
}
