// Second-order IIR notch filters for mains interference at f0 and its harmonics.
// Source: S. J. Orfanidis, "Introduction to Signal Processing" (1996), the second-order notch of
// the IIR design chapter (the design scipy.signal.iirnotch implements): with the −3 dB width Δω
// and β = tan(Δω/2),
//   H(z) = g·(1 − 2cos ω0 z⁻¹ + z⁻²) / (1 − 2g cos ω0 z⁻¹ + (2g − 1) z⁻²),  g = 1/(1 + β).
import type { Biquad } from './biquad.ts';

/** A notch at `centerHz` whose −3 dB points are `widthHz` apart (scipy: Q = centerHz / widthHz). */
export function notchSection(centerHz: number, widthHz: number, fs: number): Biquad {
  if (!(centerHz > 0 && centerHz < fs / 2)) throw new RangeError(`notch ${centerHz} Hz must lie in (0, ${fs / 2}) Hz`);
  const w0 = (2 * Math.PI * centerHz) / fs;
  const beta = Math.tan((Math.PI * widthHz) / fs);
  const g = 1 / (1 + beta);
  const c = Math.cos(w0);
  return { b0: g, b1: -2 * g * c, b2: g, a1: -2 * g * c, a2: 2 * g - 1 };
}

/** The harmonics h·f0 (h = 1, 2, …) strictly below Nyquist. */
export function harmonicsBelowNyquist(f0: number, fs: number): number[] {
  const out: number[] = [];
  for (let h = 1; h * f0 < fs / 2; h++) out.push(h * f0);
  return out;
}
