// Mean inter-channel coherence in the alpha band (8–13 Hz).
//
// The reference's "simplified coherence" (normalised covariance of per-channel relative α
// across channel pairs) works out algebraically to the constant −1/(n(n−1)) whenever the α values
// differ, so it carries no information. This is the magnitude-squared coherence instead,
//   C_ij(f) = |S_ij(f)|² / (S_ii(f)·S_jj(f)),
// with the cross- and auto-spectra averaged Welch-style over successive analysis windows by an
// exponential moving average (a single window would give C = 1 for every pair), then averaged over
// the alpha bins and all channel pairs. In [0, 1]; 0 for fewer than two channels.
// Sources: G. C. Carter, "Coherence and time delay estimation", Proc. IEEE 75 (1987) 236–255;
// P. D. Welch, IEEE Trans. Audio Electroacoust. 15 (1967) 70–73; P. L. Nunez et al., "EEG
// coherency I", Electroencephalogr. Clin. Neurophysiol. 103 (1997) 499–515.

/** EMA weight of the newest window: a memory of ~8 windows (≈2 s with the band analyzer's quarter-second hop). */
export const COHERENCE_EMA = 1 / 8;

export class AlphaCoherence {
  readonly #n: number;
  readonly #lo: number;
  readonly #bins: number;
  /** Latest window's spectrum in the alpha bins: re/im per channel. */
  readonly #re: Float64Array;
  readonly #im: Float64Array;
  /** Averaged auto-spectra per channel and bin, and cross-spectra per pair and bin. */
  readonly #auto: Float64Array;
  readonly #crossRe: Float64Array;
  readonly #crossIm: Float64Array;
  #windows = 0;

  constructor(channels: number, fs: number, windowSize: number) {
    const binHz = fs / windowSize;
    const lo = Math.ceil(8 / binHz - 1e-9);
    const hi = Math.min(Math.ceil(13 / binHz - 1e-9), windowSize / 2 + 1);
    this.#n = channels;
    this.#lo = lo;
    this.#bins = Math.max(0, hi - lo);
    this.#re = new Float64Array(channels * this.#bins);
    this.#im = new Float64Array(channels * this.#bins);
    this.#auto = new Float64Array(channels * this.#bins);
    const pairs = (channels * (channels - 1)) / 2;
    this.#crossRe = new Float64Array(pairs * this.#bins);
    this.#crossIm = new Float64Array(pairs * this.#bins);
  }

  /** Stores channel `ch`'s spectrum of the current window (FFT output re/im). */
  setSpectrum(ch: number, re: ArrayLike<number>, im: ArrayLike<number>): void {
    const base = ch * this.#bins;
    for (let k = 0; k < this.#bins; k++) {
      this.#re[base + k] = re[this.#lo + k]!;
      this.#im[base + k] = im[this.#lo + k]!;
    }
  }

  /** Folds the current window into the averages and returns the mean coherence. */
  update(): number {
    const n = this.#n, bins = this.#bins;
    if (n < 2 || bins === 0) return 0;
    // The first window sets the averages; afterwards the EMA (equal weights until it is full).
    this.#windows++;
    const w = Math.max(COHERENCE_EMA, 1 / this.#windows);
    const keep = 1 - w;
    const re = this.#re, im = this.#im, auto = this.#auto, cr = this.#crossRe, ci = this.#crossIm;
    for (let i = 0; i < n * bins; i++) auto[i] = keep * auto[i]! + w * (re[i]! * re[i]! + im[i]! * im[i]!);
    let sum = 0, count = 0, pair = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++, pair++) {
        const pi = i * bins, pj = j * bins, pp = pair * bins;
        for (let k = 0; k < bins; k++) {
          // S_ij = X_i · conj(X_j)
          const ar = re[pi + k]!, ai = im[pi + k]!, br = re[pj + k]!, bi = im[pj + k]!;
          const xr = keep * cr[pp + k]! + w * (ar * br + ai * bi);
          const xi = keep * ci[pp + k]! + w * (ai * br - ar * bi);
          cr[pp + k] = xr;
          ci[pp + k] = xi;
          const den = auto[pi + k]! * auto[pj + k]!;
          if (den > 1e-30) {
            sum += Math.min(1, (xr * xr + xi * xi) / den);
            count++;
          }
        }
      }
    }
    return count > 0 ? sum / count : 0;
  }

  reset(): void {
    this.#auto.fill(0);
    this.#crossRe.fill(0);
    this.#crossIm.fill(0);
    this.#windows = 0;
  }
}
