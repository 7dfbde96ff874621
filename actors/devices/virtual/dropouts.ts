// Electrode dropouts: a channel loses contact or its samples and, for a while, reads either a
// flat line (the adapter fills lost samples with 0) or the rail of the ADC (an open input drifts
// to full scale). The rail is the Muse's ±1000 µV range: 12 bits over 2 mV peak-to-peak
// (muse-ble-protocol notes §6.1).
//
// `probPerSecond` is the probability that a streaming channel starts a dropout within any given
// second, so onsets form a Poisson process of rate λ = −ln(1 − p) per second of contact
// (P(no onset in 1 s) = e^−λ = 1 − p). Each channel drops out independently.
import type { SeededRandom } from './seededRandom.ts';
import type { VirtualEventSink } from './virtualEvent.ts';

export const RAIL_UV = 1000;
export const DROPOUT_DURATION_S: readonly [number, number] = [0.2, 1.0];

/** Onsets per second of contact for a per-second probability `p`. */
export function dropoutRate(p: number): number {
  return -Math.log(1 - Math.min(p, 0.999));
}

export interface Dropouts {
  /** Passes `value` through, or replaces it while channel `c` is dropped out. */
  apply(i: number, c: number, value: number): number;
}

export function dropouts(
  channelNames: string[], probPerSecond: number, sampleRateHz: number, rng: SeededRandom, sink: VirtualEventSink,
): Dropouts {
  const fs = sampleRateHz;
  const hazard = dropoutRate(probPerSecond) / fs;
  const remaining = new Int32Array(channelNames.length);
  const level = new Float64Array(channelNames.length);
  if (hazard <= 0) return { apply: (_i, _c, value) => value };
  return {
    apply(i, c, value) {
      if (remaining[c]! > 0) {
        remaining[c]!--;
        return level[c]!;
      }
      if (rng.next() >= hazard) return value;
      const length = Math.max(1, Math.round(rng.uniform(DROPOUT_DURATION_S[0], DROPOUT_DURATION_S[1]) * fs));
      const rail = rng.next() < 0.5;
      level[c] = rail ? (rng.next() < 0.5 ? -RAIL_UV : RAIL_UV) : 0;
      remaining[c] = length - 1;
      sink({
        kind: 'dropout', tMs: (i * 1000) / fs, durationMs: (length * 1000) / fs,
        channel: channelNames[c] ?? `Ch${c + 1}`, mode: rail ? 'rail' : 'flat',
      });
      return level[c]!;
    },
  };
}
