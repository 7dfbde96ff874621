// A power-of-two FFT for real input, with every table and work buffer allocated once.
// Sources: J. W. Cooley & J. W. Tukey, "An algorithm for the machine calculation of complex
// Fourier series", Math. Comp. 19 (1965) — iterative radix-2 decimation in time on bit-reversed
// input, here with the stages taken two at a time (radix-2², S. He & M. Torkelson, "A new
// approach to pipeline FFT processor", IPPS 1996); and the real-input "two-for-one" trick (E. O.
// Brigham, "The Fast Fourier Transform and Its Applications", 1988): pack the N real samples as
// N/2 complex z[n] = x[2n] + j·x[2n+1], transform, then split
//   X[k] = ½(Z[k] + Z*[M−k]) − ½j·e^{−2πjk/N}(Z[k] − Z*[M−k]),  M = N/2, k = 0…M.

export class RealFft {
  readonly size: number;
  readonly #half: number;
  /** log2(M) is odd: one radix-2 stage before the radix-2² passes. */
  readonly #oddStages: boolean;
  readonly #bitrev: Uint32Array;
  /** Twiddles of the radix-2² passes, pass after pass: [w1r, w1i, w2r, w2i] for each j. */
  readonly #passTwiddles: Float64Array;
  /** Where the passes from half = 4 (index 0: after the multiplication-free first pass) and from half = 2 (index 1: after a radix-2 stage) begin in it. */
  readonly #passOffset: Int32Array;
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
    this.#oddStages = bits % 2 === 1;
    this.#bitrev = new Uint32Array(m);
    for (let i = 0; i < m; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.#bitrev[i] = r;
    }
    // The passes needing multiplications start at half = 4 (even log2 M, after the trivial first
    // pass) or half = 2 (odd, after one radix-2 stage); the table holds both sequences.
    const passes: number[] = [];
    const offsets = new Int32Array(2);
    for (const [slot, first] of [[0, 4], [1, 2]] as const) {
      offsets[slot] = passes.length;
      for (let half = first; half < m; half <<= 2) {
        for (let j = 0; j < half; j++) {
          const a1 = (-2 * Math.PI * j) / (2 * half), a2 = (-2 * Math.PI * j) / (4 * half);
          passes.push(Math.cos(a1), Math.sin(a1), Math.cos(a2), Math.sin(a2));
        }
      }
    }
    this.#passTwiddles = Float64Array.from(passes);
    this.#passOffset = offsets;
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
    this.#transform(1);
  }

  /**
   * Transforms `input[offset…offset + N)` multiplied by `window[0…N)`, the window applied while
   * the samples are loaded (the same products as tapering a copy first, without the copy).
   */
  forwardWindowed(input: Float64Array, offset: number, window: Float64Array): void {
    const m = this.#half;
    const zr = this.#zr, zi = this.#zi, rev = this.#bitrev;
    if (this.#oddStages || m < 4) {
      for (let n = 0; n < m; n++) {
        const r = rev[n]!, i = 2 * n;
        zr[r] = input[offset + i]! * window[i]!;
        zi[r] = input[offset + i + 1]! * window[i + 1]!;
      }
      this.#transform(1);
      return;
    }
    // Load each group of four bit-reversed positions and run the first, twiddle-free pass on
    // them at once (the same operations as the separate load and pass below, one store fewer).
    for (let i0 = 0; i0 < m; i0 += 4) {
      const n0 = offset + 2 * rev[i0]!, n1 = offset + 2 * rev[i0 + 1]!, n2 = offset + 2 * rev[i0 + 2]!, n3 = offset + 2 * rev[i0 + 3]!;
      const w0 = n0 - offset, w1 = n1 - offset, w2 = n2 - offset, w3 = n3 - offset;
      const a0r = input[n0]! * window[w0]!, a0i = input[n0 + 1]! * window[w0 + 1]!;
      const a1r = input[n1]! * window[w1]!, a1i = input[n1 + 1]! * window[w1 + 1]!;
      const a2r = input[n2]! * window[w2]!, a2i = input[n2 + 1]! * window[w2 + 1]!;
      const a3r = input[n3]! * window[w3]!, a3i = input[n3 + 1]! * window[w3 + 1]!;
      const b0r = a0r + a1r, b0i = a0i + a1i, b1r = a0r - a1r, b1i = a0i - a1i;
      const b2r = a2r + a3r, b2i = a2i + a3i, b3r = a2r - a3r, b3i = a2i - a3i;
      zr[i0] = b0r + b2r;
      zi[i0] = b0i + b2i;
      zr[i0 + 2] = b0r - b2r;
      zi[i0 + 2] = b0i - b2i;
      zr[i0 + 1] = b1r + b3i;
      zi[i0 + 1] = b1i - b3r;
      zr[i0 + 3] = b1r - b3i;
      zi[i0 + 3] = b1i + b3r;
    }
    this.#transform(4);
  }

  /**
   * The butterflies and the real-input split, on the bit-reversed packed input in zr/zi whose
   * stages up to `half` are done (1: none).
   */
  #transform(start: number): void {
    const m = this.#half;
    const zr = this.#zr, zi = this.#zi;
    let half = start;
    if (half === 1 && this.#oddStages) {
      // One radix-2 stage (twiddle 1) when log2(M) is odd.
      for (let a = 0; a < m; a += 2) {
        const br = zr[a + 1]!, bi = zi[a + 1]!, ar = zr[a]!, ai = zi[a]!;
        zr[a] = ar + br;
        zi[a] = ai + bi;
        zr[a + 1] = ar - br;
        zi[a + 1] = ai - bi;
      }
      half = 2;
    }
    // Radix-2² butterflies: two radix-2 stages (halves h and 2h) per pass over the data, so every
    // element is loaded and stored half as often. With w1 = W_{2h}^j and w2 = W_{4h}^j, the
    // second stage's odd pair uses W_{4h}^{j+h} = −j·w2.
    if (half === 1 && m >= 4) {
      // The first pass has only j = 0: every twiddle is 1.
      for (let i0 = 0; i0 < m; i0 += 4) {
        const i1 = i0 + 1, i2 = i0 + 2, i3 = i0 + 3;
        const a0r = zr[i0]!, a0i = zi[i0]!, a1r = zr[i1]!, a1i = zi[i1]!, a2r = zr[i2]!, a2i = zi[i2]!, a3r = zr[i3]!, a3i = zi[i3]!;
        const b0r = a0r + a1r, b0i = a0i + a1i, b1r = a0r - a1r, b1i = a0i - a1i;
        const b2r = a2r + a3r, b2i = a2i + a3i, b3r = a2r - a3r, b3i = a2i - a3i;
        zr[i0] = b0r + b2r;
        zi[i0] = b0i + b2i;
        zr[i2] = b0r - b2r;
        zi[i2] = b0i - b2i;
        zr[i1] = b1r + b3i;
        zi[i1] = b1i - b3r;
        zr[i3] = b1r - b3i;
        zi[i3] = b1i + b3r;
      }
      half = 4;
    }
    // Twiddles of each pass are stored contiguously, [w1r, w1i, w2r, w2i] per j.
    const tw = this.#passTwiddles;
    let t = this.#passOffset[half === 2 ? 1 : 0]!;
    for (; half < m; half <<= 2) {
      const size = half << 2;
      for (let j = 0; j < half; j++, t += 4) {
        const w1r = tw[t]!, w1i = tw[t + 1]!, w2r = tw[t + 2]!, w2i = tw[t + 3]!;
        for (let i0 = j; i0 < m; i0 += size) {
          const i1 = i0 + half, i2 = i1 + half, i3 = i2 + half;
          // Stage 1: (i0, i1) and (i2, i3) with w1.
          let xr = zr[i1]!, xi = zi[i1]!;
          const t1r = w1r * xr - w1i * xi, t1i = w1r * xi + w1i * xr;
          xr = zr[i3]!;
          xi = zi[i3]!;
          const t3r = w1r * xr - w1i * xi, t3i = w1r * xi + w1i * xr;
          const a0r = zr[i0]!, a0i = zi[i0]!, a2r = zr[i2]!, a2i = zi[i2]!;
          const b0r = a0r + t1r, b0i = a0i + t1i, b1r = a0r - t1r, b1i = a0i - t1i;
          const b2r = a2r + t3r, b2i = a2i + t3i, b3r = a2r - t3r, b3i = a2i - t3i;
          // Stage 2: (i0, i2) with w2, (i1, i3) with −j·w2.
          const u2r = w2r * b2r - w2i * b2i, u2i = w2r * b2i + w2i * b2r;
          const v3r = w2r * b3r - w2i * b3i, v3i = w2r * b3i + w2i * b3r;
          // −j·(v3r + j·v3i) = v3i − j·v3r
          zr[i0] = b0r + u2r;
          zi[i0] = b0i + u2i;
          zr[i2] = b0r - u2r;
          zi[i2] = b0i - u2i;
          zr[i1] = b1r + v3i;
          zi[i1] = b1i - v3r;
          zr[i3] = b1r - v3i;
          zi[i3] = b1i + v3r;
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
