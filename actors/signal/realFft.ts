// A radix-2 FFT for real input, with every table and work buffer allocated once.
// Sources: J. W. Cooley & J. W. Tukey, "An algorithm for the machine calculation of complex
// Fourier series", Math. Comp. 19 (1965) — the iterative radix-2 decimation-in-time butterflies;
// and the "two-for-one" real-input trick (E. O. Brigham, "The Fast Fourier Transform and Its
// Applications", 1988, §9.3): pack the N real samples as N/2 complex z[n] = x[2n] + j·x[2n+1],
// transform, then split
//   X[k] = ½(Z[k] + Z*[M−k]) − ½j·e^{−2πjk/N}(Z[k] − Z*[M−k]),  M = N/2, k = 0…M.

export class RealFft {
  readonly size: number;
  readonly #half: number;
  readonly #bitrev: Uint32Array;
  /** cos/sin(2πk/M), k < M/2: the complex FFT's twiddles. */
  readonly #cosM: Float64Array;
  readonly #sinM: Float64Array;
  /** cos/sin(2πk/N), k ≤ M: the split step's twiddles. */
  readonly #cosN: Float64Array;
  readonly #sinN: Float64Array;
  readonly #zr: Float64Array;
  readonly #zi: Float64Array;
  /** Outputs of the last `forward`: bins 0…N/2. */
  readonly re: Float64Array;
  readonly im: Float64Array;

  constructor(size: number) {
    if (size < 4 || (size & (size - 1)) !== 0) throw new RangeError(`FFT size must be a power of two ≥ 4, got ${size}`);
    this.size = size;
    const m = size / 2;
    this.#half = m;
    const bits = Math.log2(m);
    this.#bitrev = new Uint32Array(m);
    for (let i = 0; i < m; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.#bitrev[i] = r;
    }
    this.#cosM = new Float64Array(m / 2);
    this.#sinM = new Float64Array(m / 2);
    for (let k = 0; k < m / 2; k++) {
      this.#cosM[k] = Math.cos((2 * Math.PI * k) / m);
      this.#sinM[k] = Math.sin((2 * Math.PI * k) / m);
    }
    this.#cosN = new Float64Array(m + 1);
    this.#sinN = new Float64Array(m + 1);
    for (let k = 0; k <= m; k++) {
      this.#cosN[k] = Math.cos((2 * Math.PI * k) / size);
      this.#sinN[k] = Math.sin((2 * Math.PI * k) / size);
    }
    this.#zr = new Float64Array(m);
    this.#zi = new Float64Array(m);
    this.re = new Float64Array(m + 1);
    this.im = new Float64Array(m + 1);
  }

  /** Transforms `input[0…N)` into `this.re/this.im[0…N/2]` (unnormalised: X[k] = Σ x[n]e^{−2πjkn/N}). */
  forward(input: Float64Array): void {
    const m = this.#half;
    const zr = this.#zr, zi = this.#zi, rev = this.#bitrev;
    for (let n = 0; n < m; n++) {
      const r = rev[n]!;
      zr[r] = input[2 * n]!;
      zi[r] = input[2 * n + 1]!;
    }
    const cosM = this.#cosM, sinM = this.#sinM;
    for (let size = 2; size <= m; size <<= 1) {
      const half = size >> 1;
      const step = m / size;
      for (let start = 0; start < m; start += size) {
        for (let j = 0; j < half; j++) {
          const wr = cosM[j * step]!, wi = -sinM[j * step]!;
          const a = start + j, b = a + half;
          const br = zr[b]!, bi = zi[b]!;
          const tr = wr * br - wi * bi;
          const ti = wr * bi + wi * br;
          const ar = zr[a]!, ai = zi[a]!;
          zr[b] = ar - tr;
          zi[b] = ai - ti;
          zr[a] = ar + tr;
          zi[a] = ai + ti;
        }
      }
    }
    const re = this.re, im = this.im, cosN = this.#cosN, sinN = this.#sinN;
    // k = 0 and k = M use Z[0] for Z[M] (periodicity).
    re[0] = zr[0]! + zi[0]!;
    im[0] = 0;
    re[m] = zr[0]! - zi[0]!;
    im[m] = 0;
    for (let k = 1; k < m; k++) {
      const pr = zr[k]!, pi = zi[k]!;
      const qr = zr[m - k]!, qi = -zi[m - k]!; // Z*[M−k]
      const er = 0.5 * (pr + qr), ei = 0.5 * (pi + qi); // even part
      const dr = 0.5 * (pr - qr), di = 0.5 * (pi - qi); // (Z[k] − Z*[M−k]) / 2
      // odd part = −j·e^{−2πjk/N}·d = (−j)(c − js)(dr + j·di), c = cos, s = sin
      const c = cosN[k]!, s = sinN[k]!;
      const wr = c * dr + s * di; // (c − js)(dr + j di) real part
      const wi = c * di - s * dr; // imaginary part
      re[k] = er + wi; // −j·(wr + j wi) = wi − j wr
      im[k] = ei - wr;
    }
  }
}
