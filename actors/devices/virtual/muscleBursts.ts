// Muscle (EMG) bursts — jaw clenches, swallows, frowns. Scalp EMG is broadband and dominates
// above ~20 Hz; it is strongest at temporal and frontal sites (Goncharova et al. 2003, Clin.
// Neurophysiol. 114:1580–1593). Modelled as first-differenced white noise (a +6 dB/octave
// spectrum) under a smooth on/off envelope; the burst is shared, the noise is per channel.
import type { SeededRandom } from './seededRandom.ts';
import type { VirtualEventSink } from './virtualEvent.ts';

const BURST_DURATION_S: readonly [number, number] = [0.3, 1.5];

export interface MuscleBursts {
  /** Advances to sample `i`; true while a burst is on. */
  step(i: number): boolean;
  /** EMG of channel `c` at the current sample, in µV, for a channel weight of 1. */
  sample(c: number): number;
}

export function muscleBursts(
  channelCount: number, perMinute: number, amplitudeUv: number, sampleRateHz: number,
  rng: SeededRandom, sink: VirtualEventSink,
): MuscleBursts {
  const fs = sampleRateHz;
  const prev = new Float64Array(channelCount);
  const meanGapS = perMinute > 0 ? 60 / perMinute : Infinity;
  let nextOnset = perMinute > 0 ? Math.round(rng.exponential(meanGapS) * fs) : Infinity;
  let start = 0;
  let length = 0;
  let envelope = 0;
  return {
    step(i) {
      if (i >= nextOnset) {
        start = i;
        length = Math.max(2, Math.round(rng.uniform(BURST_DURATION_S[0], BURST_DURATION_S[1]) * fs));
        nextOnset = i + length + Math.round(rng.exponential(meanGapS) * fs);
        sink({ kind: 'emg', tMs: (i * 1000) / fs, durationMs: (length * 1000) / fs });
      }
      const k = i - start;
      envelope = k >= 0 && k < length ? Math.sin((Math.PI * k) / length) : 0;
      return envelope > 0;
    },
    sample(c) {
      const w = rng.gaussian();
      const v = (w - prev[c]!) / Math.SQRT2;
      prev[c] = w;
      return amplitudeUv * envelope * v;
    },
  };
}
