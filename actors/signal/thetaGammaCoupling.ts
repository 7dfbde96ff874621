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

/** Goertzel coefficients 2cos(2πk/N) of the bins nearest the theta and gamma tones. */
export function couplingCoefficients(fs: number, sub = SUB): { theta: Float64Array; gamma: Float64Array } {
  const coeff = (hz: number) => 2 * Math.cos((2 * Math.PI * Math.round((hz * sub) / fs)) / sub);
  return { theta: Float64Array.from(THETA_HZ, coeff), gamma: Float64Array.from(GAMMA_HZ, coeff) };
}

function goertzelPower(x: ArrayLike<number>, start: number, len: number, coeff: number): number {
  let s1 = 0, s2 = 0;
  for (let i = start, end = start + len; i < end; i++) {
    const s0 = x[i]! + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return s1 * s1 + s2 * s2 - coeff * s1 * s2;
}

export function thetaGammaCoupling(
  x: ArrayLike<number>,
  n: number,
  coeffs: { theta: Float64Array; gamma: Float64Array },
  scratch: Float64Array = new Float64Array(2 * MAX_SUBS),
): number {
  const sub = Math.min(SUB, n);
  const hop = sub >> 1;
  if (hop < 1 || n < sub) return 0;
  const subs = Math.min(MAX_SUBS, Math.floor((n - sub) / hop) + 1);
  if (subs < 3) return 0;
  let mt = 0, mg = 0;
  for (let s = 0; s < subs; s++) {
    let tp = 0, gp = 0;
    for (let f = 0; f < coeffs.theta.length; f++) tp += goertzelPower(x, s * hop, sub, coeffs.theta[f]!);
    for (let f = 0; f < coeffs.gamma.length; f++) gp += goertzelPower(x, s * hop, sub, coeffs.gamma[f]!);
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
