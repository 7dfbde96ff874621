// A cortical rhythm (alpha, theta, beta): not a pure sine but a narrow-band oscillation whose
// frequency wanders a little around its peak and whose amplitude waxes and wanes in bursts, as
// real alpha "spindles" do (Klimesch 1999, Brain Res. Rev. 29:169–195, for the ~10 Hz adult peak
// and its individual variation). Output has unit RMS on average; callers scale it in µV.
import type { SeededRandom } from './seededRandom.ts';
import { slowWander } from './slowWander.ts';

export interface RhythmShape {
  /** Peak frequency. */
  frequencyHz: number;
  /** Standard deviation of the frequency wander. */
  frequencySdHz: number;
  /** Standard deviation of the log-amplitude; 0 gives a constant envelope. */
  burstiness: number;
  /** How long a burst lasts, roughly. */
  burstTauS: number;
}

export interface Rhythm {
  step(): number;
}

export function rhythm(shape: RhythmShape, sampleRateHz: number, rng: SeededRandom): Rhythm {
  const freq = slowWander(shape.frequencySdHz, 2, sampleRateHz, rng);
  const logAmp = slowWander(shape.burstiness, shape.burstTauS, sampleRateHz, rng);
  // For log-amplitude L ~ N(0, s²), E[e^(2(L − s²))] = 1: the envelope has unit mean square, and a
  // sine of amplitude √2 has unit mean square, so the rhythm has unit RMS.
  const s2 = shape.burstiness ** 2;
  let phase = rng.uniform(0, 2 * Math.PI);
  const dt = 1 / sampleRateHz;
  // Keep the rhythm below Nyquist at low sample rates (a 64 Hz stream cannot carry 35 Hz beta).
  const maxHz = 0.45 * sampleRateHz;
  return {
    step() {
      const f = Math.min(maxHz, Math.max(0.5, shape.frequencyHz + freq.step()));
      phase += 2 * Math.PI * f * dt;
      if (phase > 2 * Math.PI) phase -= 2 * Math.PI;
      return Math.SQRT2 * Math.exp(logAmp.step() - s2) * Math.sin(phase);
    },
  };
}
