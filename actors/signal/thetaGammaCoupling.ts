// The reference's theta–gamma coupling index (notes §3.2, `pac_theta_gamma`): split the window
// into 128-sample sub-windows with 50 % overlap, take in each the summed Goertzel power at
// 4, 5, 6, 7, 8 Hz (theta) and at 30, 35, 40, 45, 50 Hz (gamma), and return |Pearson r| of the
// two power series (0 with fewer than 3 sub-windows). It is an amplitude–amplitude co-modulation
// proxy for the phase–amplitude coupling of R. T. Canolty et al., Science 313 (2006) 1626–1628.
// Goertzel: G. Goertzel, "An algorithm for the evaluation of finite trigonometric series",
// Amer. Math. Monthly 65 (1958) 34–35; the tone is rounded to the nearest DFT bin as in the reference.

const THETA_HZ = [4, 5, 6, 7, 8];
const GAMMA_HZ = [30, 35, 40, 45, 50];
const SUB = 128;
const MAX_SUBS = 64;
/** Scratch length `thetaGammaCoupling` needs. */
export const COUPLING_SCRATCH = 2 * MAX_SUBS + 2 * 8;

/** Goertzel coefficients 2cos(2πk/N) of the bins nearest the theta and gamma tones. */
export function couplingCoefficients(fs: number, sub = SUB): { theta: Float64Array; gamma: Float64Array } {
  const coeff = (hz: number) => 2 * Math.cos((2 * Math.PI * Math.round((hz * sub) / fs)) / sub);
  return { theta: Float64Array.from(THETA_HZ, coeff), gamma: Float64Array.from(GAMMA_HZ, coeff) };
}

/**
 * Σ over the tones of the Goertzel power of x[start…start+len): all tones advance together in one
 * pass (independent recurrences run in parallel on the CPU), states in `st[o…]` (2 per tone).
 */
function summedGoertzelPower(x: ArrayLike<number>, start: number, len: number, coeffs: Float64Array, st: Float64Array, o: number): number {
  const tones = coeffs.length;
  st.fill(0, o, o + 2 * tones);
  for (let i = start, end = start + len; i < end; i++) {
    const v = x[i]!;
    for (let f = 0; f < tones; f++) {
      const k = o + 2 * f;
      const s1 = st[k]!;
      st[k] = v + coeffs[f]! * s1 - st[k + 1]!;
      st[k + 1] = s1;
    }
  }
  let p = 0;
  for (let f = 0; f < tones; f++) {
    const s1 = st[o + 2 * f]!, s2 = st[o + 2 * f + 1]!;
    p += s1 * s1 + s2 * s2 - coeffs[f]! * s1 * s2;
  }
  return p;
}

export function thetaGammaCoupling(
  x: ArrayLike<number>,
  n: number,
  coeffs: { theta: Float64Array; gamma: Float64Array },
  scratch: Float64Array = new Float64Array(COUPLING_SCRATCH),
): number {
  const sub = Math.min(SUB, n);
  const hop = sub >> 1;
  if (hop < 1 || n < sub) return 0;
  const subs = Math.min(MAX_SUBS, Math.floor((n - sub) / hop) + 1);
  if (subs < 3) return 0;
  let mt = 0, mg = 0;
  for (let s = 0; s < subs; s++) {
    const tp = summedGoertzelPower(x, s * hop, sub, coeffs.theta, scratch, 2 * MAX_SUBS);
    const gp = summedGoertzelPower(x, s * hop, sub, coeffs.gamma, scratch, 2 * MAX_SUBS);
    scratch[s] = tp;
    scratch[MAX_SUBS + s] = gp;
    mt += tp;
    mg += gp;
  }
  mt /= subs;
  mg /= subs;
  let cov = 0, vt = 0, vg = 0;
  for (let s = 0; s < subs; s++) {
    const dt = scratch[s]! - mt, dg = scratch[MAX_SUBS + s]! - mg;
    cov += dt * dg;
    vt += dt * dt;
    vg += dg * dg;
  }
  const den = Math.sqrt(vt * vg);
  return den > 1e-12 ? Math.abs(cov / den) : 0;
}
