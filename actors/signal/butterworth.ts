// Butterworth low- and high-pass filters as cascades of biquads, designed from the analog
// prototype through the bilinear transform with frequency prewarping, so the −3 dB point lands
// exactly on the requested cutoff. This gives the same coefficients as scipy.signal.butter(…,
// output="sos", fs=fs).
// Sources: S. Butterworth, "On the Theory of Filter Amplifiers" (1930) for the pole positions
// s_k = −sin θ_k ± j cos θ_k, θ_k = (2k+1)π/(2N); A. V. Oppenheim & R. W. Schafer,
// "Discrete-Time Signal Processing" (3rd ed.), §7.1.2 for the bilinear transform
// s = (1/K)(z−1)/(z+1) with the prewarped K = tan(π·fc/fs).
import type { Biquad } from './biquad.ts';

export type PassKind = 'lowpass' | 'highpass';

/**
 * Sections of an order-`order` Butterworth filter. Each conjugate pole pair is one section
 * 1/(s² + s/Q + 1) with Q = 1/(2 sin θ_k); an odd order adds one first-order section.
 */
export function butterworthSections(kind: PassKind, order: number, cutoffHz: number, fs: number): Biquad[] {
  if (!Number.isInteger(order) || order < 1) throw new RangeError(`order must be a positive integer, got ${order}`);
  if (!(cutoffHz > 0 && cutoffHz < fs / 2)) throw new RangeError(`cutoff ${cutoffHz} Hz must lie in (0, ${fs / 2}) Hz`);
  const K = Math.tan((Math.PI * cutoffHz) / fs);
  const K2 = K * K;
  const sections: Biquad[] = [];
  for (let k = 0; k < Math.floor(order / 2); k++) {
    const q = 1 / (2 * Math.sin(((2 * k + 1) * Math.PI) / (2 * order)));
    const norm = 1 / (1 + K / q + K2);
    const a1 = 2 * (K2 - 1) * norm;
    const a2 = (1 - K / q + K2) * norm;
    sections.push(
      kind === 'lowpass'
        ? { b0: K2 * norm, b1: 2 * K2 * norm, b2: K2 * norm, a1, a2 }
        : { b0: norm, b1: -2 * norm, b2: norm, a1, a2 },
    );
  }
  if (order % 2 === 1) {
    // The real pole s = −1: H(s) = 1/(s + 1) (low-pass) or s/(s + 1) (high-pass).
    const norm = 1 / (1 + K);
    const a1 = (K - 1) * norm;
    sections.push(
      kind === 'lowpass' ? { b0: K * norm, b1: K * norm, b2: 0, a1, a2: 0 } : { b0: norm, b1: -norm, b2: 0, a1, a2: 0 },
    );
  }
  return sections;
}
