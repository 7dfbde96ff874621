// Eye blinks as they reach the scalp: the cornea is positive relative to the retina, and the lid
// sliding over it during a blink produces a positive deflection at Fp1/Fp2 of about 100–300 µV
// lasting 200–400 ms, rising faster than it decays (Croft & Barry 2000, Neurophysiol. Clin.
// 30:5–19). The spontaneous blink rate at rest is about 17 per minute (Bentivoglio et al. 1997,
// Mov. Disord. 12:1028–1034). No blinks while the eyes are closed.
import type { SeededRandom } from './seededRandom.ts';
import type { VirtualEventSink } from './virtualEvent.ts';

export const BLINK_AMPLITUDE_UV: readonly [number, number] = [100, 300];
export const BLINK_DURATION_S: readonly [number, number] = [0.2, 0.4];
/** Two blinks are never closer than this (lid travel plus reopening). */
const REFRACTORY_S = 0.8;
/** Fraction of the blink spent rising to the peak. */
const RISE = 0.4;

/** Blink waveform, 0 → 1 → 0 over u ∈ [0, 1): raised-cosine rise, slower raised-cosine fall. */
export function blinkShape(u: number): number {
  if (u <= 0 || u >= 1) return 0;
  return u < RISE ? 0.5 - 0.5 * Math.cos((Math.PI * u) / RISE) : 0.5 + 0.5 * Math.cos((Math.PI * (u - RISE)) / (1 - RISE));
}

export interface BlinkTrain {
  /** The blink potential at Fp (µV) at sample `i`; channels scale it by their blink weight. */
  step(i: number, eyesOpen: boolean): number;
}

export function blinkTrain(perMinute: number, sampleRateHz: number, rng: SeededRandom, sink: VirtualEventSink): BlinkTrain {
  const fs = sampleRateHz;
  const meanGapS = perMinute > 0 ? 60 / perMinute : Infinity;
  const refractoryS = Math.min(REFRACTORY_S, meanGapS / 2);
  const gapSamples = () => Math.max(1, Math.round((refractoryS + rng.exponential(meanGapS - refractoryS)) * fs));
  let nextOnset = perMinute > 0 ? gapSamples() : Infinity;
  let start = 0;
  let length = 0;
  let amplitude = 0;
  return {
    step(i, eyesOpen) {
      if (i >= nextOnset) {
        nextOnset = i + gapSamples();
        if (eyesOpen) {
          start = i;
          length = Math.max(2, Math.round(rng.uniform(BLINK_DURATION_S[0], BLINK_DURATION_S[1]) * fs));
          amplitude = rng.uniform(BLINK_AMPLITUDE_UV[0], BLINK_AMPLITUDE_UV[1]);
          sink({ kind: 'blink', tMs: (i * 1000) / fs, durationMs: (length * 1000) / fs, amplitudeUv: amplitude });
        }
      }
      const k = i - start;
      return k >= 0 && k < length ? amplitude * blinkShape(k / length) : 0;
    },
  };
}
