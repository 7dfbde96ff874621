// The flat metric record stored in `metrics_json` of both day tables (notes §4.2 `EpochMetrics`)
// and how it is read back. Writers use the reference's key names plus `focus`; readers also accept
// the legacy `relaxation_score` / `engagement_score` spellings (quirk §15.3) and treat missing or
// null values as 0, as the reference's readers do.
import type { EegBandsPayload } from '../signal/eegBandsPayload.ts';

export const EPOCH_METRIC_KEYS = [
  'rel_delta', 'rel_theta', 'rel_alpha', 'rel_beta', 'rel_gamma', 'rel_high_gamma',
  'relaxation', 'engagement', 'focus', 'faa', 'tar', 'bar', 'dtr', 'pse', 'apf', 'bps', 'snr', 'coherence',
  'mu_suppression', 'mood', 'tbr', 'sef95', 'spectral_centroid', 'hjorth_activity', 'hjorth_mobility',
  'hjorth_complexity', 'permutation_entropy', 'higuchi_fd', 'dfa_exponent', 'sample_entropy', 'pac_theta_gamma',
  'laterality_index', 'hr', 'rmssd', 'sdnn', 'pnn50', 'lf_hf_ratio', 'respiratory_rate', 'spo2_estimate',
  'perfusion_index', 'stress_index', 'blink_count', 'blink_rate', 'head_pitch', 'head_roll', 'stillness',
  'nod_count', 'shake_count', 'meditation', 'cognitive_load', 'drowsiness', 'headache_index', 'migraine_index',
  'consciousness_lzc', 'consciousness_wakefulness', 'consciousness_integration',
] as const;

export type EpochMetricKey = (typeof EPOCH_METRIC_KEYS)[number];
export type EpochMetrics = Record<EpochMetricKey, number>;

const METRIC_KEY_SET: ReadonlySet<string> = new Set(EPOCH_METRIC_KEYS);

const LEGACY_KEYS: Record<string, EpochMetricKey> = {
  relaxation_score: 'relaxation',
  engagement_score: 'engagement',
  focus_score: 'focus',
  meditation_score: 'meditation',
};

/** The metric record of one live snapshot. Absent vitals (no PPG, no IMU) are 0, as in the reference. */
export function metricsOfSnapshot(b: EegBandsPayload): EpochMetrics {
  const src = b as unknown as Record<string, unknown>;
  const out = {} as EpochMetrics;
  for (const k of EPOCH_METRIC_KEYS) {
    const v = src[k];
    out[k] = typeof v === 'number' && Number.isFinite(v) ? v : 0;
  }
  // The snapshot carries rel_high_gamma per channel only; average it like the other relative powers.
  if (b.channels.length > 0) out.rel_high_gamma = b.channels.reduce((a, c) => a + c.rel_high_gamma, 0) / b.channels.length;
  return out;
}

/** The metric record of a 5 s epoch: the mean of the snapshots that fall inside it. */
export function meanMetrics(records: readonly EpochMetrics[]): EpochMetrics {
  const out = {} as EpochMetrics;
  for (const k of EPOCH_METRIC_KEYS) {
    let sum = 0;
    for (const r of records) sum += r[k];
    out[k] = records.length > 0 ? sum / records.length : 0;
  }
  // Counts are totals over the epoch, not averages: the last snapshot holds the running value.
  const last = records.at(-1);
  if (last) {
    out.blink_count = last.blink_count;
    out.nod_count = last.nod_count;
    out.shake_count = last.shake_count;
  }
  return out;
}

/**
 * The finite numbers of a `metrics_json` of any era, under their canonical names (a canonical key
 * wins over its legacy spelling); null when the text is not a JSON object. Absent keys stay absent.
 */
export function presentMetrics(json: string | null | undefined): Partial<EpochMetrics> | null {
  if (!json) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return null;
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const src = raw as Record<string, unknown>;
  const out: Partial<EpochMetrics> = {};
  for (const [key, v] of Object.entries(src)) {
    const k = (LEGACY_KEYS[key] ?? key) as EpochMetricKey;
    if (!METRIC_KEY_SET.has(k) || typeof v !== 'number' || !Number.isFinite(v)) continue;
    if (k !== key && typeof src[k] === 'number') continue;
    out[k] = v;
  }
  return out;
}

/** Parses `metrics_json` of any era into the canonical record (absent or null values are 0); null when it is not a JSON object. */
export function readMetrics(json: string | null | undefined): EpochMetrics | null {
  const present = presentMetrics(json);
  if (!present) return null;
  const out = {} as EpochMetrics;
  for (const k of EPOCH_METRIC_KEYS) out[k] = present[k] ?? 0;
  return out;
}
