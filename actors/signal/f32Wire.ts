// The reference's BandSnapshot and BandPowers hold f32 fields (notes §3.2), which serde writes
// as the shortest decimal that reads back to the same f32: `4544.6675`, not the f64
// `4544.667462411699` this pipeline computes. Writing them the same way keeps the wire format
// and makes each EegBands frame a quarter smaller (15.7 → 12.0 KB at 32 channels), which is
// most of what a broadcast to many WebSocket clients costs: on loopback each send's time grows
// with its length. `timestamp` stays f64, as are the reference's Option<f64> fields and scores.
import type { BandSnapshot, ChannelBandPowers, EegBandsPayload } from './eegBandsPayload.ts';

/** The shortest decimal that is the same f32 as `x` (as serde/ryu print an f32). */
export function f32Shortest(x: number): number {
  if (!Number.isFinite(x)) return x;
  const f = Math.fround(x);
  // Below 2^24 every integer is its own f32, so no shorter decimal can stand for it.
  if (Number.isInteger(f) && Math.abs(f) <= 2 ** 24) return f;
  // Every f32 round-trips in 9 significant digits; starting at 6 still finds a shorter one,
  // since toPrecision pads it with zeros that parse away.
  for (let digits = 6; digits < 9; digits++) {
    const v = Number(f.toPrecision(digits));
    if (Math.fround(v) === f) return v;
  }
  return Number(f.toPrecision(9));
}

type ChannelNumber = Exclude<keyof ChannelBandPowers, 'channel' | 'dominant' | 'dominant_symbol' | 'dominant_color'>;
const CHANNEL_F32: readonly ChannelNumber[] = [
  'delta', 'theta', 'alpha', 'beta', 'gamma', 'high_gamma',
  'rel_delta', 'rel_theta', 'rel_alpha', 'rel_beta', 'rel_gamma', 'rel_high_gamma',
];

type SnapshotNumber = Exclude<keyof BandSnapshot, 'timestamp' | 'channels'>;
const SNAPSHOT_F32: readonly SnapshotNumber[] = [
  'faa', 'tar', 'bar', 'dtr', 'pse', 'apf', 'bps', 'snr', 'coherence', 'mu_suppression', 'mood', 'tbr', 'sef95',
  'spectral_centroid', 'hjorth_activity', 'hjorth_mobility', 'hjorth_complexity', 'permutation_entropy', 'higuchi_fd',
  'dfa_exponent', 'sample_entropy', 'pac_theta_gamma', 'laterality_index', 'headache_index', 'migraine_index',
  'consciousness_lzc', 'consciousness_wakefulness', 'consciousness_integration',
  'rel_delta', 'rel_theta', 'rel_alpha', 'rel_beta', 'rel_gamma',
];

/** Rounds the payload's f32 fields in place (it is fresh from the pipeline) and returns it. */
export function withF32Fields<T extends EegBandsPayload>(payload: T): T {
  for (const ch of payload.channels) for (const k of CHANNEL_F32) ch[k] = f32Shortest(ch[k]);
  for (const k of SNAPSHOT_F32) payload[k] = f32Shortest(payload[k]);
  return payload;
}
