// The payload of the `EegBands` event (notes §3.2 BandSnapshot and §11): the reference's band
// snapshot plus the live scores. Optional fields are absent (never null) when there is nothing
// to report, as serde's skip_serializing_if does in the reference. The reference's
// temperature_raw and gpu_* fields are not produced.
import type { ChannelBandPowers } from './bandPowers.ts';

export type { ChannelBandPowers };

// Type aliases rather than interfaces so a payload is assignable to Record<string, unknown>.

/** What the band analyzer computes from EEG alone. */
export type BandSnapshot = {
  /** Unix seconds of the newest sample in the window. */
  timestamp: number;
  channels: ChannelBandPowers[];
  faa: number;
  tar: number;
  bar: number;
  dtr: number;
  pse: number;
  apf: number;
  bps: number;
  snr: number;
  coherence: number;
  mu_suppression: number;
  mood: number;
  tbr: number;
  sef95: number;
  spectral_centroid: number;
  hjorth_activity: number;
  hjorth_mobility: number;
  hjorth_complexity: number;
  permutation_entropy: number;
  higuchi_fd: number;
  dfa_exponent: number;
  sample_entropy: number;
  pac_theta_gamma: number;
  laterality_index: number;
  headache_index: number;
  migraine_index: number;
  consciousness_lzc: number;
  consciousness_wakefulness: number;
  consciousness_integration: number;
  /** Channel-averaged absolute powers over the sum of all six averaged bands. */
  rel_delta: number;
  rel_theta: number;
  rel_alpha: number;
  rel_beta: number;
  rel_gamma: number;
};

export type EegBandsPayload = BandSnapshot & {
  focus: number;
  relaxation: number;
  engagement: number;
  meditation: number;
  cognitive_load: number;
  drowsiness: number;
  hr?: number;
  rmssd?: number;
  sdnn?: number;
  pnn50?: number;
  lf_hf_ratio?: number;
  respiratory_rate?: number;
  spo2_estimate?: number;
  perfusion_index?: number;
  stress_index?: number;
  blink_count?: number;
  blink_rate?: number;
  head_pitch?: number;
  head_roll?: number;
  stillness?: number;
  nod_count?: number;
  shake_count?: number;
};
