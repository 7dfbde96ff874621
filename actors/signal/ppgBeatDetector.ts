// Streaming heartbeat detection on the infrared PPG channel, the reference's method (notes §3.6)
// made causal so it can run on a live stream without re-scanning a buffer:
// 1. band-pass by a difference of moving averages: a low-pass MA of ≈fs/8 samples (≈8 Hz)
//    minus a slow MA of 2·fs samples of that (removes baseline drift);
// 2. a local maximum is a beat when it exceeds mean + 0.6·SD of the band-passed signal over the
//    1.5 s centred on it, at least 0.3 s after the previous beat;
// 3. consecutive beats give an IBI, kept when within [0.3, 2.0] s.
// The centred windows delay a beat's detection by ≈1.75 s.
// Polarity: sensors report either light intensity (the pulse is a dip) or its inverse (the pulse
// is a peak). The blood-volume pulse is positively skewed (sharp systolic peak, slow decay), so
// peaks are searched in the band-passed signal or its negation, whichever has positive skewness
// (a running average of bp³); detecting on the wrong polarity finds diastolic double peaks. Source:
// M. Elgendi, "Optimal signal quality index for photoplethysmogram signals", Bioengineering 3
// (2016) 21 — skewness as the PPG quality/polarity indicator. Beat times are refined by a parabola
// through the peak and its neighbours (the reference uses the sample index, which quantises an
// IBI to 15.6 ms at 64 Hz — about the size of a resting RMSSD).
// Source for the shape of the method: J. Allen, "Photoplethysmography and its application in
// clinical physiological measurement", Physiol. Meas. 28 (2007) R1–R39; parabolic peak
// interpolation: J. O. Smith, "Spectral Audio Signal Processing" (2011), "Quadratic
// Interpolation of Spectral Peaks".

export const IBI_MIN_S = 0.3;
export const IBI_MAX_S = 2.0;
const THRESHOLD_SD = 0.6;

export class PpgBeatDetector {
  readonly fs: number;
  readonly #lpWin: number;
  readonly #hpWin: number;
  readonly #thrWin: number;
  readonly #refractory: number;
  readonly #raw: Float64Array;
  readonly #lp: Float64Array;
  readonly #bp: Float64Array;
  #rawSum = 0;
  #lpSum = 0;
  #bpSum = 0;
  #bpSq = 0;
  #n = 0;
  /** Index of the next band-passed sample. */
  #m = 0;
  /** Running mean of bp³ (τ ≈ 5 s): its sign is the pulse polarity. */
  #m3 = 0;
  readonly #m3Weight: number;
  #lastPeak = -Infinity;
  #lastPeakT = Number.NaN;
  /** Called with (ibi seconds, beat time in samples since the first PPG sample). */
  readonly onBeat: (ibiS: number, atSample: number) => void;

  constructor(fs: number, onBeat: (ibiS: number, atSample: number) => void) {
    this.fs = fs;
    this.#lpWin = Math.max(2, Math.floor(fs / 8));
    this.#hpWin = Math.max(4, Math.floor(2 * fs));
    this.#thrWin = Math.max(5, Math.floor(1.5 * fs));
    this.#refractory = IBI_MIN_S * fs;
    this.#raw = new Float64Array(this.#lpWin);
    this.#lp = new Float64Array(this.#hpWin);
    this.#bp = new Float64Array(this.#thrWin);
    this.#m3Weight = 1 / (5 * fs);
    this.onBeat = onBeat;
  }

  push(x: ArrayLike<number>, offset: number, n: number): void {
    for (let i = 0; i < n; i++) this.#step(x[offset + i]!);
  }

  #step(v: number): void {
    const n = this.#n++;
    const ri = n % this.#lpWin;
    this.#rawSum += v - this.#raw[ri]!;
    this.#raw[ri] = v;
    if (ri === this.#lpWin - 1) this.#rawSum = sum(this.#raw); // bound rounding drift
    const lp = this.#rawSum / Math.min(n + 1, this.#lpWin);
    const li = n % this.#hpWin;
    this.#lpSum += lp - this.#lp[li]!;
    this.#lp[li] = lp;
    if (li === this.#hpWin - 1) this.#lpSum = sum(this.#lp);
    if (n + 1 < this.#hpWin) return;
    // Band-passed value at the centre of the slow window.
    const centre = n - Math.floor(this.#hpWin / 2);
    const bp = this.#lp[centre % this.#hpWin]! - this.#lpSum / this.#hpWin;
    const m = this.#m++;
    const bi = m % this.#thrWin;
    const old = this.#bp[bi]!;
    this.#bpSum += bp - old;
    this.#bpSq += bp * bp - old * old;
    this.#bp[bi] = bp;
    if (bi === this.#thrWin - 1) {
      this.#bpSum = sum(this.#bp);
      this.#bpSq = sumSq(this.#bp);
    }
    this.#m3 += this.#m3Weight * (bp * bp * bp - this.#m3);
    if (m + 1 < this.#thrWin) return;
    // Candidate at the centre of the threshold window, in the pulse's polarity.
    const s = this.#m3 < 0 ? -1 : 1;
    const c = m - Math.floor(this.#thrWin / 2);
    const y0 = s * this.#bp[c % this.#thrWin]!, ym = s * this.#bp[(c - 1) % this.#thrWin]!, yp = s * this.#bp[(c + 1) % this.#thrWin]!;
    if (!(y0 > ym && y0 > yp)) return;
    if (c - this.#lastPeak < this.#refractory) return;
    const mean = (s * this.#bpSum) / this.#thrWin;
    const sd = Math.sqrt(Math.max(0, this.#bpSq / this.#thrWin - mean * mean));
    if (!(y0 > mean + THRESHOLD_SD * sd)) return;
    this.#lastPeak = c;
    const curv = ym - 2 * y0 + yp;
    const t = c + (curv < 0 ? (0.5 * (ym - yp)) / curv : 0);
    const prev = this.#lastPeakT;
    this.#lastPeakT = t;
    if (Number.isNaN(prev)) return;
    const ibi = (t - prev) / this.fs;
    // `c` counts band-passed samples, which start hpWin/2 raw samples late and lag the raw
    // signal by the MA delays; intervals do not depend on that offset.
    if (ibi >= IBI_MIN_S && ibi <= IBI_MAX_S) this.onBeat(ibi, t + this.#hpWin - 1 - Math.floor(this.#hpWin / 2));
  }

  /** Samples pushed so far. */
  get samples(): number {
    return this.#n;
  }
}

function sum(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
}

function sumSq(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return s;
}
