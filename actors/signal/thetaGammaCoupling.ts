// The reference's theta–gamma coupling index (notes §3.2, `pac_theta_gamma`): split the window
// into 128-sample sub-windows with 50 % overlap, take in each the summed Goertzel power at
// 4, 5, 6, 7, 8 Hz (theta) and at 30, 35, 40, 45, 50 Hz (gamma), and return |Pearson r| of the
// two power series (0 with fewer than 3 sub-windows). It is an amplitude–amplitude co-modulation
// proxy for the phase–amplitude coupling of R. T. Canolty et al., Science 313 (2006) 1626–1628.
// The band analyzer passes sub-windows of a quarter of its window instead: 128 samples at
// 256 Hz, as the reference, and about half a second at any rate (the reference's 128 samples
// are 0.13 s at 1000 Hz, where all five theta tones fall in the same 7.8 Hz bin).
// Goertzel: G. Goertzel, "An algorithm for the evaluation of finite trigonometric series",
// Amer. Math. Monthly 65 (1958) 34–35; the tone is rounded to the nearest DFT bin as in the reference.

const THETA_HZ = [4, 5, 6, 7, 8];
const GAMMA_HZ = [30, 35, 40, 45, 50];
const SUB = 128;

/** The sub-window length and the Goertzel coefficients of its bins nearest the tones. */
export interface CouplingCoefficients {
  sub: number;
  theta: Float64Array;
  gamma: Float64Array;
}

/** Sub-windows of `sub` samples (or fewer, when n is shorter) in a window of n samples. */
function subWindows(n: number, sub: number): number {
  const len = Math.min(sub, n), hop = len >> 1;
  return hop < 1 ? 0 : Math.floor((n - len) / hop) + 1;
}

/** The scratch `thetaGammaCoupling` needs for windows of up to n samples: both power series. */
export function couplingScratch(n: number, sub = SUB): Float64Array {
  return new Float64Array(2 * subWindows(n, sub));
}

/** Goertzel coefficients 2cos(2πk/N) of the bins nearest the theta and gamma tones. */
export function couplingCoefficients(fs: number, sub = SUB): CouplingCoefficients {
  const coeff = (hz: number) => 2 * Math.cos((2 * Math.PI * Math.round((hz * sub) / fs)) / sub);
  return { sub, theta: Float64Array.from(THETA_HZ, coeff), gamma: Float64Array.from(GAMMA_HZ, coeff) };
}

/**
 * Σ over five tones of the Goertzel power of x[start…start+len). The five recurrences advance
 * together in one pass, in local variables, so the CPU runs them in parallel.
 */
function fiveTonePower(x: ArrayLike<number>, start: number, len: number, c: Float64Array): number {
  const k0 = c[0]!, k1 = c[1]!, k2 = c[2]!, k3 = c[3]!, k4 = c[4]!;
  let a1 = 0, a2 = 0, b1 = 0, b2 = 0, d1 = 0, d2 = 0, e1 = 0, e2 = 0, f1 = 0, f2 = 0;
  for (let i = start, end = start + len; i < end; i++) {
    const v = x[i]!;
    const a0 = v + k0 * a1 - a2, b0 = v + k1 * b1 - b2, d0 = v + k2 * d1 - d2, e0 = v + k3 * e1 - e2, f0 = v + k4 * f1 - f2;
    a2 = a1; a1 = a0;
    b2 = b1; b1 = b0;
    d2 = d1; d1 = d0;
    e2 = e1; e1 = e0;
    f2 = f1; f1 = f0;
  }
  return (
    a1 * a1 + a2 * a2 - k0 * a1 * a2 +
    b1 * b1 + b2 * b2 - k1 * b1 * b2 +
    d1 * d1 + d2 * d2 - k2 * d1 * d2 +
    e1 * e1 + e2 * e2 - k3 * e1 * e2 +
    f1 * f1 + f2 * f2 - k4 * f1 * f2
  );
}

export function thetaGammaCoupling(
  x: ArrayLike<number>,
  n: number,
  coeffs: CouplingCoefficients,
  scratch: Float64Array = couplingScratch(n, coeffs.sub),
): number {
  const sub = Math.min(coeffs.sub, n);
  const hop = sub >> 1;
  const subs = subWindows(n, coeffs.sub);
  if (subs < 3) return 0;
  // Theta powers in scratch[0…subs), gamma powers after them.
  const g = scratch.length >> 1;
  if (subs > g) throw new RangeError(`coupling scratch holds ${g} sub-windows, the window needs ${subs}`);
  let mt = 0, mg = 0;
  for (let s = 0; s < subs; s++) {
    const tp = fiveTonePower(x, s * hop, sub, coeffs.theta);
    const gp = fiveTonePower(x, s * hop, sub, coeffs.gamma);
    scratch[s] = tp;
    scratch[g + s] = gp;
    mt += tp;
    mg += gp;
  }
  mt /= subs;
  mg /= subs;
  let cov = 0, vt = 0, vg = 0;
  for (let s = 0; s < subs; s++) {
    const dt = scratch[s]! - mt, dg = scratch[g + s]! - mg;
    cov += dt * dg;
    vt += dt * dt;
    vg += dg * dg;
  }
  const den = Math.sqrt(vt * vg);
  return den > 1e-12 ? Math.abs(cov / den) : 0;
}
