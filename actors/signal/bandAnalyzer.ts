// Sliding-window band analysis of the filtered EEG (notes §3.2): a Hann window of about 2 s
// every quarter second (the first after one full window), band powers per channel, and the
// cross-channel indices of the reference's BandSnapshot.
//
// Window and hop follow the sample rate (`bandGeometry`): the hop is round(fs/4) samples, so
// snapshots come at ≈4 Hz whatever the device, and the window is the power of two nearest to 2 s
// of samples. At 256 Hz that is the reference's 512-sample window and 64-sample hop. The
// reference keeps 512/64 at every rate: 7.8 snapshots a second over a 1 s window at 500 Hz, 15.6
// over 0.5 s (1.95 Hz bins, two of them for delta) at 1000 Hz.
//
// Differences from the reference, deliberately:
// * window and hop follow the sample rate (above), and so do the θ–γ coupling's sub-windows, a
//   quarter of the window (thetaGammaCoupling.ts);
// * `channel` is the device's own label (the reference uses the Muse list for every device);
// * time-domain measures are averaged over the channels (the reference sums 32 slots and divides
//   by the active count); apf, bps and snr over the channels that have a value;
// * `coherence` is a real magnitude-squared coherence (see alphaCoherence.ts);
// * the time-domain measures (Hjorth, permutation and sample entropy, Higuchi FD, DFA, θ–γ
//   coupling) of each channel are refreshed every 2 s — once per window at 256 Hz — staggered over
//   the channels so each hop refreshes about the same number, and every snapshot carries each
//   channel's latest values. The reference recomputes them at every hop, on windows that overlap
//   by 7/8; these slow statistics of a 2 s window barely move in a quarter second, and sample
//   entropy alone costs more than the whole spectral analysis. The spectral measures are computed
//   at every hop;
// * the time-domain measures see 512 samples at every rate: a window of 512·k samples (k = 2 at
//   500 Hz, 4 at 1000 Hz, 8 at 2000 Hz) is low-passed and decimated by k (decimator.ts), so they
//   span the same ≈2 s at the same ≈256 Hz sample spacing (250 Hz at 500, 1000 and 2000 Hz; the
//   geometry gives 192–384 Hz at any rate) as at 256 Hz, where nothing changes. The reference
//   computes them on its 512-sample window at the device rate (0.5 s at 1000 Hz). Sample and
//   permutation entropy, Higuchi FD, DFA and Hjorth mobility and complexity compare neighbouring
//   samples, so their values depend on the sample spacing — the same EEG reads smoother and more
//   regular at 1000 Hz than at 256 Hz — and the decimated view makes them comparable across
//   headsets and with the reference's 256 Hz values. Hjorth activity stays the variance in µV²:
//   the filter has unit gain in its passband (≤ 0.35·fs/k, 87.5 Hz at 1000 Hz) and removes only
//   the power above it, which the default 50 Hz low-pass has already taken out. The θ–γ
//   coupling's gamma tones (30–50 Hz) lie well inside that passband (≥ 67 Hz at the lowest
//   decimated rate, 192 Hz), below the new Nyquist of ≥ 96 Hz (125 Hz at 1000 Hz).
import { absoluteBandPowers, bandBinRanges, channelBandPowers, relativeBandPowers } from './bandPowers.ts';
import { ALPHA, BAND_COUNT, BETA, DELTA, GAMMA, THETA } from './bandTable.ts';
import { AlphaCoherence } from './alphaCoherence.ts';
import { frontalAlphaAsymmetry, lateralityIndex } from './asymmetry.ts';
import { hemisphere, indicesIn, LEFT_FRONTAL, RIGHT_FRONTAL } from './electrodes.ts';
import { bandSpectralEntropy, betaAlphaRatio, deltaThetaRatio, thetaAlphaRatio, thetaBetaRatio } from './bandRatios.ts';
import {
  consciousnessIntegration,
  consciousnessLzc,
  consciousnessWakefulness,
  headacheIndex,
  migraineIndex,
  moodIndex,
} from './compositeIndices.ts';
import { Decimator } from './decimator.ts';
import { dfaExponent } from './detrendedFluctuation.ts';
import type { BandSnapshot } from './eegBandsPayload.ts';
import { hannWindow, sumOfSquares } from './hannWindow.ts';
import { higuchiFractalDimension } from './higuchiFractalDimension.ts';
import { hjorthParameters } from './hjorth.ts';
import { MuSuppression } from './muSuppression.ts';
import { permutationEntropy } from './permutationEntropy.ts';
import { binPowers } from './powerSpectrum.ts';
import { RealFft } from './realFft.ts';
import { SampleEntropyWorkspace, sampleEntropy } from './sampleEntropy.ts';
import { alphaPeakFrequency, bandPowerSlope, lineNoiseSnrDb, spectralCentroid, spectralEdgeFrequency } from './spectralShape.ts';
import { couplingCoefficients, couplingScratch, thetaGammaCoupling, type CouplingCoefficients } from './thetaGammaCoupling.ts';

/** Samples per analysis window and between snapshots. */
export interface BandGeometry {
  readonly window: number;
  readonly hop: number;
}

/** Snapshots per second the hop aims at. */
export const SNAPSHOTS_PER_S = 4;
/** Seconds of signal the window aims at. */
export const WINDOW_S = 2;
/** The shortest window (a sample rate below 8 Hz would otherwise give a degenerate FFT). */
const MIN_WINDOW = 16;

/** The power of two nearest to x ≥ 1 (the larger one on a tie). */
function nearestPowerOfTwo(x: number): number {
  let below = 1;
  while (below * 2 <= x) below *= 2;
  return x - below < 2 * below - x ? below : 2 * below;
}

/** Window and hop at `fs`: 512 and 64 at 256 Hz (the reference's), 1024 and 125 at 500 Hz, 2048 and 250 at 1000 Hz. */
export function bandGeometry(fs: number): BandGeometry {
  return {
    window: Math.max(MIN_WINDOW, nearestPowerOfTwo(WINDOW_S * fs)),
    hop: Math.max(1, Math.round(fs / SNAPSHOTS_PER_S)),
  };
}

/** Samples the time-domain measures see: the reference's window at 256 Hz. */
export const TIME_DOMAIN_WINDOW = 512;

/** The factor a window of `window` samples (a power of two) is decimated by for the time-domain measures: 1 up to 512. */
export function timeDomainFactor(window: number): number {
  return window > TIME_DOMAIN_WINDOW ? window / TIME_DOMAIN_WINDOW : 1;
}

/** Time-domain measures per channel, in this order. */
const TD_HJ_ACT = 0, TD_HJ_MOB = 1, TD_HJ_CPX = 2, TD_PE = 3, TD_HFD = 4, TD_DFA = 5, TD_SE = 6, TD_PAC = 7, TD_COUNT = 8;

/** Seconds between refreshes of one channel's time-domain measures. */
export const TIME_DOMAIN_REFRESH_S = 2;

/** How many hops apart a channel's time-domain measures are refreshed at `fs` with a `hop`-sample hop. */
export function timeDomainStride(fs: number, hop: number): number {
  return Math.max(1, Math.round((TIME_DOMAIN_REFRESH_S * fs) / hop));
}

/** The channel mean of time-domain measure `k`. */
function timeDomainMean(td: Float64Array, nch: number, k: number): number {
  let s = 0;
  for (let c = 0; c < nch; c++) s += td[c * TD_COUNT + k]!;
  return s / nch;
}

export class BandAnalyzer {
  readonly labels: readonly string[];
  readonly fs: number;
  readonly channelCount: number;
  /** Samples per window and between snapshots. */
  readonly window: number;
  readonly hop: number;
  /** The sample rate of the time-domain measures' view: fs, or fs/k when the window is decimated. */
  readonly timeDomainRate: number;
  readonly #rings: Float64Array[];
  #pos = 0;
  #total = 0;
  #sinceHop: number;
  #hops = 0;
  readonly #hann: Float64Array;
  readonly #sumW2: number;
  readonly #fft: RealFft;
  readonly #p: Float64Array;
  readonly #bandAbs = new Float64Array(BAND_COUNT);
  readonly #bandRel = new Float64Array(BAND_COUNT);
  readonly #chanAbs = new Float64Array(BAND_COUNT);
  readonly #logFreq: Float64Array;
  readonly #ranges: Array<[number, number]>;
  readonly #abs: Float64Array;
  readonly #rel: Float64Array;
  readonly #alpha: Float64Array;
  readonly #broadband: Float64Array;
  readonly #td: Float64Array;
  readonly #stride: number;
  /** The window decimated to the time-domain measures' view (identity up to 512 samples). */
  readonly #decimator: Decimator;
  readonly #dfaWork: Float64Array;
  readonly #seWork: SampleEntropyWorkspace;
  readonly #pacCoeffs: CouplingCoefficients;
  readonly #pacScratch: Float64Array;
  readonly #peCounts = new Uint32Array(8);
  readonly #coherence: AlphaCoherence;
  readonly #mu = new MuSuppression();
  readonly #leftFrontal: number[];
  readonly #rightFrontal: number[];
  readonly #sides: Array<'left' | 'right' | null>;

  /** `geometry` defaults to the rate's own (`bandGeometry`); the window must be a power of two. */
  constructor(labels: readonly string[], fs: number, geometry: BandGeometry = bandGeometry(fs)) {
    if (labels.length < 1) throw new RangeError('the band analyzer needs at least one channel');
    const { window: n, hop } = geometry;
    if (!(hop >= 1 && hop <= n && Number.isInteger(hop))) throw new RangeError(`the hop must be a whole number of samples in 1…${n}, got ${hop}`);
    this.labels = labels;
    this.fs = fs;
    this.channelCount = labels.length;
    this.window = n;
    this.hop = hop;
    this.#sinceHop = this.#firstHopPhase();
    this.#fft = new RealFft(n);
    this.#hann = hannWindow(n);
    this.#sumW2 = sumOfSquares(this.#hann);
    this.#p = new Float64Array(n / 2 + 1);
    // Each sample is written twice, at p and p + N, so the window is always the contiguous
    // ring[pos…pos + N) — no unrolling per snapshot.
    this.#rings = labels.map(() => new Float64Array(2 * n));
    this.#ranges = bandBinRanges(fs, n);
    this.#logFreq = Float64Array.from({ length: n / 2 + 1 }, (_, k) => Math.log(Math.max(k, 1e-9) * (fs / n)));
    this.#abs = new Float64Array(this.channelCount * BAND_COUNT);
    this.#rel = new Float64Array(this.channelCount * BAND_COUNT);
    this.#alpha = new Float64Array(this.channelCount);
    this.#broadband = new Float64Array(this.channelCount);
    this.#td = new Float64Array(this.channelCount * TD_COUNT);
    this.#stride = timeDomainStride(fs, hop);
    this.#decimator = new Decimator(n, timeDomainFactor(n));
    const tdN = this.#decimator.outputLength;
    this.timeDomainRate = fs / this.#decimator.factor;
    this.#dfaWork = new Float64Array(3 * (tdN + 1));
    this.#seWork = new SampleEntropyWorkspace(tdN);
    this.#pacCoeffs = couplingCoefficients(this.timeDomainRate, tdN / 4);
    this.#pacScratch = couplingScratch(tdN, tdN / 4);
    this.#coherence = new AlphaCoherence(this.channelCount, fs, n);
    this.#leftFrontal = indicesIn(labels, LEFT_FRONTAL);
    this.#rightFrontal = indicesIn(labels, RIGHT_FRONTAL);
    this.#sides = labels.map(hemisphere);
  }

  /**
   * Where the hop counter starts: hops end at window, window + hop, … samples, so the first
   * snapshot comes as soon as one window is full even when the hop does not divide the window
   * (2048 and 250 at 1000 Hz: the hops before it end at 48, 298, … and yield nothing).
   */
  #firstHopPhase(): number {
    return (this.hop - (this.window % this.hop)) % this.hop;
  }

  /** Samples still needed before the next hop. */
  get untilHop(): number {
    return this.hop - this.#sinceHop;
  }

  /** Appends `n ≤ untilHop` samples of every channel; true when that completes a hop. */
  push(channels: ReadonlyArray<ArrayLike<number>>, offset: number, n: number): boolean {
    const end = this.#pos + n;
    for (let c = 0; c < this.channelCount; c++) {
      const ring = this.#rings[c]!, src = channels[c]!;
      let p = this.#pos;
      for (let i = 0; i < n; i++) {
        const v = src[offset + i]!;
        ring[p] = v;
        ring[p + this.window] = v;
        if (++p === this.window) p = 0;
      }
    }
    this.#pos = end % this.window;
    this.#total += n;
    this.#sinceHop += n;
    if (this.#sinceHop < this.hop) return false;
    this.#sinceHop = 0;
    return true;
  }

  /** True once a full window has been seen (a hop then yields a snapshot). */
  get warm(): boolean {
    return this.#total >= this.window;
  }

  /** The snapshot for the current window, stamped `timestampS`. Call right after a hop completes. */
  snapshot(timestampS: number): BandSnapshot | null {
    if (!this.warm) return null;
    const nch = this.channelCount, n = this.window, binHz = this.fs / n;
    const count = this.#hops++;
    const abs = this.#abs, rel = this.#rel, td = this.#td, p = this.#p;
    let apfSum = 0, apfN = 0, bpsSum = 0, bpsN = 0, snrSum = 0, snrN = 0, sefSum = 0, scSum = 0;
    let tarSum = 0, barSum = 0, dtrSum = 0, pseSum = 0, tbrSum = 0, alphaSum = 0;
    const a = this.#bandAbs, r = this.#bandRel, hann = this.#hann, ring0 = this.#pos;
    for (let c = 0; c < nch; c++) {
      // Oldest sample first.
      const ring = this.#rings[c]!;
      this.#fft.forwardWindowed(ring, ring0, hann);
      binPowers(this.#fft, this.#sumW2, p);
      this.#coherence.setSpectrum(c, this.#fft.re, this.#fft.im);

      absoluteBandPowers(p, this.#ranges, a);
      relativeBandPowers(a, r);
      for (let b = 0; b < BAND_COUNT; b++) {
        abs[c * BAND_COUNT + b] = a[b]!;
        rel[c * BAND_COUNT + b] = r[b]!;
      }
      this.#alpha[c] = a[ALPHA]!;
      this.#broadband[c] = a[DELTA]! + a[THETA]! + a[ALPHA]! + a[BETA]! + a[GAMMA]!;
      alphaSum += a[ALPHA]!;

      const apf = alphaPeakFrequency(p, binHz);
      if (apf !== null) (apfSum += apf), apfN++;
      const bps = bandPowerSlope(p, binHz, this.#logFreq);
      if (bps !== null) (bpsSum += bps), bpsN++;
      const snr = lineNoiseSnrDb(p, binHz);
      if (snr !== null) (snrSum += snr), snrN++;
      sefSum += spectralEdgeFrequency(p, binHz, 0.95);
      scSum += spectralCentroid(p, binHz);
      tarSum += thetaAlphaRatio(r[THETA]!, r[ALPHA]!);
      barSum += betaAlphaRatio(r[BETA]!, r[ALPHA]!);
      dtrSum += deltaThetaRatio(r[DELTA]!, r[THETA]!);
      pseSum += bandSpectralEntropy(r);
      tbrSum += thetaBetaRatio(a[THETA]!, a[BETA]!);

      if (count === 0 || c % this.#stride === count % this.#stride) this.#timeDomain(c, this.#decimator.decimate(ring, ring0));
    }

    // Channel means, written out: no closures are made at every hop.
    const tar = tarSum / nch, bar = barSum / nch, dtr = dtrSum / nch, pse = pseSum / nch;
    const faa = frontalAlphaAsymmetry(this.#alpha, this.#leftFrontal, this.#rightFrontal);
    const laterality = lateralityIndex(this.#broadband, this.#sides);
    const coherence = this.#coherence.update();
    const muSuppression = this.#mu.update(alphaSum / nch);
    const pe = timeDomainMean(td, nch, TD_PE), hfd = timeDomainMean(td, nch, TD_HFD), pac = timeDomainMean(td, nch, TD_PAC);
    let mRelDelta = 0, mRelAlpha = 0, mRelBeta = 0;
    const avgAbs = this.#bandAbs.fill(0);
    const channels = new Array(nch);
    for (let c = 0; c < nch; c++) {
      const o = c * BAND_COUNT;
      mRelDelta += rel[o + DELTA]!;
      mRelAlpha += rel[o + ALPHA]!;
      mRelBeta += rel[o + BETA]!;
      for (let b = 0; b < BAND_COUNT; b++) {
        avgAbs[b] = avgAbs[b]! + abs[o + b]!;
        r[b] = rel[o + b]!;
        this.#chanAbs[b] = abs[o + b]!;
      }
      channels[c] = channelBandPowers(this.labels[c]!, this.#chanAbs, r);
    }
    mRelDelta /= nch;
    mRelAlpha /= nch;
    mRelBeta /= nch;
    // Top-level rel_*: channel-averaged absolute powers over the sum of all six (reference).
    let bandTotal = 0;
    for (let b = 0; b < BAND_COUNT; b++) bandTotal += avgAbs[b]!;
    return {
      timestamp: timestampS,
      channels,
      faa,
      tar,
      bar,
      dtr,
      pse,
      apf: apfN > 0 ? apfSum / apfN : 0,
      bps: bpsN > 0 ? bpsSum / bpsN : 0,
      snr: snrN > 0 ? snrSum / snrN : 0,
      coherence,
      mu_suppression: muSuppression,
      mood: moodIndex(faa, tar, bar),
      tbr: tbrSum / nch,
      sef95: sefSum / nch,
      spectral_centroid: scSum / nch,
      hjorth_activity: timeDomainMean(td, nch, TD_HJ_ACT),
      hjorth_mobility: timeDomainMean(td, nch, TD_HJ_MOB),
      hjorth_complexity: timeDomainMean(td, nch, TD_HJ_CPX),
      permutation_entropy: pe,
      higuchi_fd: hfd,
      dfa_exponent: timeDomainMean(td, nch, TD_DFA),
      sample_entropy: timeDomainMean(td, nch, TD_SE),
      pac_theta_gamma: pac,
      laterality_index: laterality,
      headache_index: headacheIndex(mRelBeta, mRelAlpha, bar),
      migraine_index: migraineIndex(mRelDelta, mRelAlpha, laterality),
      consciousness_lzc: consciousnessLzc(pe, hfd),
      consciousness_wakefulness: consciousnessWakefulness(bar, tar, mRelAlpha),
      consciousness_integration: consciousnessIntegration(coherence, pac, pse),
      rel_delta: bandTotal > 0 ? avgAbs[DELTA]! / bandTotal : 0,
      rel_theta: bandTotal > 0 ? avgAbs[THETA]! / bandTotal : 0,
      rel_alpha: bandTotal > 0 ? avgAbs[ALPHA]! / bandTotal : 0,
      rel_beta: bandTotal > 0 ? avgAbs[BETA]! / bandTotal : 0,
      rel_gamma: bandTotal > 0 ? avgAbs[GAMMA]! / bandTotal : 0,
    };
  }

  /** The time-domain measures of channel c from its view `x` (decimated when the window is longer than 512). */
  #timeDomain(c: number, x: Float64Array): void {
    const o = c * TD_COUNT, td = this.#td, n = this.#decimator.outputLength;
    const h = hjorthParameters(x, n);
    td[o + TD_HJ_ACT] = h.activity;
    td[o + TD_HJ_MOB] = h.mobility;
    td[o + TD_HJ_CPX] = h.complexity;
    td[o + TD_PE] = permutationEntropy(x, n, this.#peCounts);
    td[o + TD_HFD] = higuchiFractalDimension(x, n);
    td[o + TD_DFA] = dfaExponent(x, n, this.#dfaWork);
    td[o + TD_SE] = sampleEntropy(x, n, this.#seWork);
    td[o + TD_PAC] = thetaGammaCoupling(x, n, this.#pacCoeffs, this.#pacScratch);
  }

  reset(): void {
    for (const r of this.#rings) r.fill(0);
    this.#pos = 0;
    this.#total = 0;
    this.#sinceHop = this.#firstHopPhase();
    this.#hops = 0;
    this.#td.fill(0);
    this.#coherence.reset();
    this.#mu.reset();
  }
}
