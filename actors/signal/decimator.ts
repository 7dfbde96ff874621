// Low-pass and keep every k-th sample of a window: the band analyzer's view of a long window at
// about 256 Hz for the time-domain measures (bandAnalyzer.ts).
//
// The anti-alias filter is a linear-phase FIR, an ideal low-pass truncated by a Kaiser window.
// With fr = fs/k the output rate, it passes 0…0.35·fr and stops 0.5·fr…fs/2 — everything that
// would fold below the new Nyquist; the ideal cutoff (−6 dB) sits in the middle, at 0.425·fr.
// It is designed for 62 dB because Kaiser's formulas are approximate; measured for k = 2…16
// (antiAliasMagnitude, and the tests): passband ripple ≤ 0.09 %, stopband ≥ 61 dB down. At
// 1000 Hz and k = 4: 0…87.5 Hz passed, 125…500 Hz stopped, 103 taps. Only every k-th output is
// computed, and the symmetric taps are folded (one multiply per pair of samples).
// Sources: J. F. Kaiser, "Nonrecursive digital filter design using the I0-sinh window
// function", Proc. IEEE ISCAS (1974) 20–23, for the window and its design formulas
// β = 0.1102·(A − 8.7) and N = (A − 7.95) / (2.285·Δω); A. V. Oppenheim & R. W. Schafer,
// "Discrete-Time Signal Processing" (3rd ed.), §7.6 (Kaiser design) and §4.6 (decimation).
//
// The window has no samples outside it, so it is extended at both ends by odd reflection,
// x[−t] = 2·x[0] − x[t] (scipy.signal.filtfilt's default padding): the extension continues the
// edge's value and slope, so a straight line passes unchanged, edges included, and a slow drift
// does not bend at the edges (zero padding would put a step there, plain mirroring a kink).
// Within half the filter length of each edge (51 input samples at k = 4, 13 outputs of 512) the
// output is the filtered extension rather than the filtered signal.

/** Output-rate fractions: the passband ends and the stopband starts here. */
export const PASS_EDGE = 0.35;
export const STOP_EDGE = 0.5;
/** The attenuation A (dB) the Kaiser formulas are given; the stopband gain and passband ripple are then ≈ 10^(−A/20). */
export const STOPBAND_DB = 62;

/** I0, the zeroth-order modified Bessel function of the first kind, by its power series. */
function besselI0(x: number): number {
  const q = (x * x) / 4;
  let term = 1, sum = 1;
  for (let m = 1; term > 1e-17 * sum; m++) {
    term *= q / (m * m);
    sum += term;
  }
  return sum;
}

/**
 * The taps h[0…L] of the symmetric anti-alias filter for decimation by `factor` (h[−t] = h[t]),
 * normalised to unit gain at DC so the mean and the in-band power are kept.
 */
export function antiAliasTaps(factor: number): Float64Array {
  if (!(Number.isInteger(factor) && factor >= 2)) throw new RangeError(`a decimation factor must be a whole number ≥ 2, got ${factor}`);
  const transition = (2 * Math.PI * (STOP_EDGE - PASS_EDGE)) / factor;
  const half = Math.ceil((STOPBAND_DB - 7.95) / (2.285 * transition) / 2);
  const beta = 0.1102 * (STOPBAND_DB - 8.7);
  const wc = (Math.PI * (PASS_EDGE + STOP_EDGE)) / factor;
  const h = new Float64Array(half + 1);
  const i0Beta = besselI0(beta);
  for (let t = 0; t <= half; t++) {
    const ideal = t === 0 ? wc / Math.PI : Math.sin(wc * t) / (Math.PI * t);
    const r = t / half;
    h[t] = (ideal * besselI0(beta * Math.sqrt(1 - r * r))) / i0Beta;
  }
  let dc = h[0]!;
  for (let t = 1; t <= half; t++) dc += 2 * h[t]!;
  for (let t = 0; t <= half; t++) h[t] = h[t]! / dc;
  return h;
}

/**
 * Decimates windows of `inputLength` samples by `factor` into `inputLength / factor` samples,
 * in buffers made once. Output j is the filtered signal at input sample k·j + k − 1, so the last
 * output is the window's newest sample. Factor 1 is the identity: `decimate` returns its input.
 */
export class Decimator {
  readonly factor: number;
  readonly inputLength: number;
  readonly outputLength: number;
  /** h[0…L]; empty for factor 1. */
  readonly taps: Float64Array;
  /** The window with L reflected samples before and after it. */
  readonly #padded: Float64Array;
  readonly #out: Float64Array;

  constructor(inputLength: number, factor: number) {
    if (!(Number.isInteger(factor) && factor >= 1)) throw new RangeError(`a decimation factor must be a whole number ≥ 1, got ${factor}`);
    if (!(Number.isInteger(inputLength) && inputLength > 0 && inputLength % factor === 0)) {
      throw new RangeError(`the window (${inputLength} samples) must be a positive multiple of the factor ${factor}`);
    }
    this.factor = factor;
    this.inputLength = inputLength;
    this.outputLength = inputLength / factor;
    this.taps = factor === 1 ? new Float64Array(0) : antiAliasTaps(factor);
    const half = Math.max(0, this.taps.length - 1);
    if (factor > 1 && inputLength <= half) throw new RangeError(`a window of ${inputLength} samples is too short for the ${2 * half + 1}-tap filter`);
    this.#padded = new Float64Array(factor === 1 ? 0 : inputLength + 2 * half);
    this.#out = new Float64Array(factor === 1 ? 0 : this.outputLength);
  }

  /**
   * The decimated view of x[start…start + inputLength). For factor 1 that is those samples
   * themselves (`x`, or a subarray of it: no copy); otherwise a buffer owned by the decimator,
   * overwritten by the next call.
   */
  decimate(x: Float64Array, start = 0): Float64Array {
    if (this.factor === 1) return start === 0 && x.length === this.inputLength ? x : x.subarray(start, start + this.inputLength);
    const n = this.inputLength, h = this.taps, half = h.length - 1, p = this.#padded, out = this.#out, k = this.factor;
    p.set(x.subarray(start, start + n), half);
    const first = x[start]!, last = x[start + n - 1]!;
    for (let t = 1; t <= half; t++) {
      p[half - t] = 2 * first - x[start + t]!;
      p[half + n - 1 + t] = 2 * last - x[start + n - 1 - t]!;
    }
    const h0 = h[0]!, m = out.length;
    let j = 0, c = half + k - 1;
    // Four outputs per pass: four independent sums share each tap's load, so the CPU overlaps
    // them instead of waiting on one long chain of additions.
    for (; j + 3 < m; j += 4, c += 4 * k) {
      const c1 = c + k, c2 = c1 + k, c3 = c2 + k;
      let a0 = h0 * p[c]!, a1 = h0 * p[c1]!, a2 = h0 * p[c2]!, a3 = h0 * p[c3]!;
      for (let t = 1; t <= half; t++) {
        const ht = h[t]!;
        a0 += ht * (p[c - t]! + p[c + t]!);
        a1 += ht * (p[c1 - t]! + p[c1 + t]!);
        a2 += ht * (p[c2 - t]! + p[c2 + t]!);
        a3 += ht * (p[c3 - t]! + p[c3 + t]!);
      }
      out[j] = a0;
      out[j + 1] = a1;
      out[j + 2] = a2;
      out[j + 3] = a3;
    }
    for (; j < m; j++, c += k) {
      let acc = h0 * p[c]!;
      for (let t = 1; t <= half; t++) acc += h[t]! * (p[c - t]! + p[c + t]!);
      out[j] = acc;
    }
    return out;
  }
}

/** |H(e^{jω})| of the anti-alias filter at `hz` for input rate `fs` (for tests and documentation). */
export function antiAliasMagnitude(taps: Float64Array, hz: number, fs: number): number {
  const w = (2 * Math.PI * hz) / fs;
  let re = taps[0]!;
  for (let t = 1; t < taps.length; t++) re += 2 * taps[t]! * Math.cos(w * t);
  return Math.abs(re);
}
