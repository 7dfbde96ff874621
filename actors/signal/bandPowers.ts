// Absolute and relative band powers of one channel and its dominant band (notes §3.2): absolute =
// Σ of bin powers in the band (µV²), relative = absolute / Σ of all six bands, dominant = argmax.
import { BANDS, BAND_COUNT, type BandName } from './bandTable.ts';
import { binRange, sumBins } from './powerSpectrum.ts';

/** The per-channel object of the EegBands event; `channel` is the device's own label. */
export interface ChannelBandPowers {
  channel: string;
  delta: number;
  theta: number;
  alpha: number;
  beta: number;
  gamma: number;
  high_gamma: number;
  rel_delta: number;
  rel_theta: number;
  rel_alpha: number;
  rel_beta: number;
  rel_gamma: number;
  rel_high_gamma: number;
  dominant: BandName;
  dominant_symbol: string;
  dominant_color: string;
}

/** `[lo, hi)` bin ranges of the six bands for a window of `windowSize` samples at `fs`. */
export function bandBinRanges(fs: number, windowSize: number): Array<[number, number]> {
  const binHz = fs / windowSize;
  return BANDS.map((b) => binRange(b.loHz, b.hiHz, binHz, windowSize / 2));
}

/** Writes the six absolute band powers of bin powers `p` into `out`. */
export function absoluteBandPowers(p: ArrayLike<number>, ranges: ReadonlyArray<readonly [number, number]>, out: Float64Array): void {
  for (let b = 0; b < BAND_COUNT; b++) {
    const r = ranges[b]!;
    out[b] = sumBins(p, r[0], r[1]);
  }
}

/** Relative powers; an all-zero spectrum divides by 1 (all zeros), as the reference does. */
export function relativeBandPowers(abs: ArrayLike<number>, out: Float64Array): void {
  let total = 0;
  for (let b = 0; b < BAND_COUNT; b++) total += abs[b]!;
  const safe = total > 1e-12 ? total : 1;
  for (let b = 0; b < BAND_COUNT; b++) out[b] = abs[b]! / safe;
}

/** Index of the largest relative power (the first on ties). */
export function dominantBand(rel: ArrayLike<number>): number {
  let best = 0;
  for (let b = 1; b < BAND_COUNT; b++) if (rel[b]! > rel[best]!) best = b;
  return best;
}

export function channelBandPowers(channel: string, abs: ArrayLike<number>, rel: ArrayLike<number>): ChannelBandPowers {
  const dom = BANDS[dominantBand(rel)]!;
  return {
    channel,
    delta: abs[0]!,
    theta: abs[1]!,
    alpha: abs[2]!,
    beta: abs[3]!,
    gamma: abs[4]!,
    high_gamma: abs[5]!,
    rel_delta: rel[0]!,
    rel_theta: rel[1]!,
    rel_alpha: rel[2]!,
    rel_beta: rel[3]!,
    rel_gamma: rel[4]!,
    rel_high_gamma: rel[5]!,
    dominant: dom.name,
    dominant_symbol: dom.symbol,
    dominant_color: dom.color,
  };
}
