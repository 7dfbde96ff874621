// Second-order IIR sections ("biquads") run in Direct Form II transposed, the form with the best
// numerical behaviour for floating point and only two state words per section.
// Source: J. O. Smith, "Introduction to Digital Filters" (CCRMA, 2007), §"Transposed Direct-Forms":
//   y = b0·x + z1;  z1 ← b1·x − a1·y + z2;  z2 ← b2·x − a2·y   (a0 normalised to 1).

/** Coefficients with a0 = 1. */
export interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

export const BIQUAD_WORDS = 5;

/** Sections packed `[b0 b1 b2 a1 a2]…` so a cascade is one flat array. */
export function packSections(sections: readonly Biquad[]): Float64Array {
  const out = new Float64Array(sections.length * BIQUAD_WORDS);
  sections.forEach((s, i) => out.set([s.b0, s.b1, s.b2, s.a1, s.a2], i * BIQUAD_WORDS));
  return out;
}

/**
 * Runs `n` samples of `buf` (from `offset`) through the packed cascade in place. `state` holds
 * two words per section starting at `stateOffset`, and is updated.
 */
export function runCascade(
  coeffs: Float64Array,
  state: Float64Array,
  stateOffset: number,
  buf: Float64Array,
  offset: number,
  n: number,
): void {
  const sections = coeffs.length / BIQUAD_WORDS;
  const end = offset + n;
  let s = 0;
  // Four sections per pass: sample i's later sections and sample i + 1's earlier ones are
  // independent, so the CPU overlaps them instead of waiting on one recurrence at a time.
  for (; s + 3 < sections; s += 4) {
    const c = s * BIQUAD_WORDS;
    const b0 = coeffs[c]!, b1 = coeffs[c + 1]!, b2 = coeffs[c + 2]!, a1 = coeffs[c + 3]!, a2 = coeffs[c + 4]!;
    const d0 = coeffs[c + 5]!, d1 = coeffs[c + 6]!, d2 = coeffs[c + 7]!, e1 = coeffs[c + 8]!, e2 = coeffs[c + 9]!;
    const f0 = coeffs[c + 10]!, f1 = coeffs[c + 11]!, f2 = coeffs[c + 12]!, g1 = coeffs[c + 13]!, g2 = coeffs[c + 14]!;
    const h0 = coeffs[c + 15]!, h1 = coeffs[c + 16]!, h2 = coeffs[c + 17]!, k1 = coeffs[c + 18]!, k2 = coeffs[c + 19]!;
    const si = stateOffset + 2 * s;
    let z1 = state[si]!, z2 = state[si + 1]!, w1 = state[si + 2]!, w2 = state[si + 3]!;
    let u1 = state[si + 4]!, u2 = state[si + 5]!, q1 = state[si + 6]!, q2 = state[si + 7]!;
    for (let i = offset; i < end; i++) {
      const x = buf[i]!;
      const y = b0 * x + z1;
      z1 = b1 * x - a1 * y + z2;
      z2 = b2 * x - a2 * y;
      const v = d0 * y + w1;
      w1 = d1 * y - e1 * v + w2;
      w2 = d2 * y - e2 * v;
      const o = f0 * v + u1;
      u1 = f1 * v - g1 * o + u2;
      u2 = f2 * v - g2 * o;
      const out = h0 * o + q1;
      q1 = h1 * o - k1 * out + q2;
      q2 = h2 * o - k2 * out;
      buf[i] = out;
    }
    state[si] = flush(z1);
    state[si + 1] = flush(z2);
    state[si + 2] = flush(w1);
    state[si + 3] = flush(w2);
    state[si + 4] = flush(u1);
    state[si + 5] = flush(u2);
    state[si + 6] = flush(q1);
    state[si + 7] = flush(q2);
  }
  // Two sections per pass: the second section of sample i and the first of sample i + 1 are
  // independent, so the CPU overlaps them instead of waiting on one recurrence at a time.
  for (; s + 1 < sections; s += 2) {
    const c = s * BIQUAD_WORDS;
    const b0 = coeffs[c]!, b1 = coeffs[c + 1]!, b2 = coeffs[c + 2]!, a1 = coeffs[c + 3]!, a2 = coeffs[c + 4]!;
    const d0 = coeffs[c + 5]!, d1 = coeffs[c + 6]!, d2 = coeffs[c + 7]!, e1 = coeffs[c + 8]!, e2 = coeffs[c + 9]!;
    const si = stateOffset + 2 * s;
    let z1 = state[si]!, z2 = state[si + 1]!, w1 = state[si + 2]!, w2 = state[si + 3]!;
    for (let i = offset; i < end; i++) {
      const x = buf[i]!;
      const y = b0 * x + z1;
      z1 = b1 * x - a1 * y + z2;
      z2 = b2 * x - a2 * y;
      const v = d0 * y + w1;
      w1 = d1 * y - e1 * v + w2;
      w2 = d2 * y - e2 * v;
      buf[i] = v;
    }
    state[si] = flush(z1);
    state[si + 1] = flush(z2);
    state[si + 2] = flush(w1);
    state[si + 3] = flush(w2);
  }
  for (; s < sections; s++) {
    const c = s * BIQUAD_WORDS;
    const b0 = coeffs[c]!, b1 = coeffs[c + 1]!, b2 = coeffs[c + 2]!, a1 = coeffs[c + 3]!, a2 = coeffs[c + 4]!;
    const si = stateOffset + 2 * s;
    let z1 = state[si]!;
    let z2 = state[si + 1]!;
    for (let i = offset; i < end; i++) {
      const x = buf[i]!;
      const y = b0 * x + z1;
      z1 = b1 * x - a1 * y + z2;
      z2 = b2 * x - a2 * y;
      buf[i] = y;
    }
    state[si] = flush(z1);
    state[si + 1] = flush(z2);
  }
}

/**
 * Subnormal state words make every later multiply ~100× slower on x86; they are far below any
 * EEG amplitude, so they are flushed to zero.
 */
function flush(z: number): number {
  return Math.abs(z) < 1e-30 ? 0 : z;
}

/** Gain at DC, H(z = 1) = (b0 + b1 + b2) / (1 + a1 + a2). */
export function dcGain(s: Biquad): number {
  const den = 1 + s.a1 + s.a2;
  return Math.abs(den) < 1e-300 ? 0 : (s.b0 + s.b1 + s.b2) / den;
}

/**
 * The DF2T state a section settles into after a long constant input `x` (its output is then
 * x·H(1)); the same idea as scipy.signal.lfilter_zi. Starting a new section from this state
 * instead of zeros avoids a step transient when the filter is reconfigured live.
 */
export function steadyState(s: Biquad, x: number): [number, number] {
  const y = x * dcGain(s);
  const z2 = s.b2 * x - s.a2 * y;
  const z1 = s.b1 * x - s.a1 * y + z2;
  return [z1, z2];
}

/** |H(e^{jω})| of a cascade at `hz` for sample rate `fs` (for tests and documentation). */
export function cascadeMagnitude(sections: readonly Biquad[], hz: number, fs: number): number {
  const w = (2 * Math.PI * hz) / fs;
  const c1 = Math.cos(w), s1 = Math.sin(w), c2 = Math.cos(2 * w), s2 = Math.sin(2 * w);
  let mag = 1;
  for (const s of sections) {
    // H(e^{jω}) = (b0 + b1 e^{-jω} + b2 e^{-2jω}) / (1 + a1 e^{-jω} + a2 e^{-2jω})
    const nr = s.b0 + s.b1 * c1 + s.b2 * c2, ni = -(s.b1 * s1 + s.b2 * s2);
    const dr = 1 + s.a1 * c1 + s.a2 * c2, di = -(s.a1 * s1 + s.a2 * s2);
    mag *= Math.sqrt((nr * nr + ni * ni) / (dr * dr + di * di));
  }
  return mag;
}
