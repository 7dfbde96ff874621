// A slowly wandering value: an Ornstein–Uhlenbeck process (mean 0, standard deviation `sd`,
// correlation time `tauS`), stepped once per sample with its exact discretization
// x ← x·e^(−dt/τ) + sd·sqrt(1 − e^(−2dt/τ))·N(0,1). Used wherever a physiological quantity
// drifts smoothly: alpha frequency and amplitude, electrode offsets, posture.
import type { SeededRandom } from './seededRandom.ts';

export interface SlowWander {
  step(): number;
  readonly value: number;
}

export function slowWander(sd: number, tauS: number, sampleRateHz: number, rng: SeededRandom): SlowWander {
  const decay = Math.exp(-1 / (tauS * sampleRateHz));
  const kick = sd * Math.sqrt(1 - decay * decay);
  // Start from the stationary distribution, not from 0, so there is no start-up transient.
  let x = sd * rng.gaussian();
  return {
    step() {
      x = x * decay + kick * rng.gaussian();
      return x;
    },
    get value() {
      return x;
    },
  };
}
