// `SessionMetrics` (notes §7.1): the mean of each metric over the 5 s epochs of a range, and how
// many epochs were averaged. Field names and order are the reference's, so its clients read it.
import type { EpochMetricKey } from '../store/epochMetrics.ts';

export const SESSION_METRIC_KEYS = [
  'rel_delta', 'rel_theta', 'rel_alpha', 'rel_beta', 'rel_gamma', 'rel_high_gamma', 'relaxation', 'engagement',
  'faa', 'tar', 'bar', 'dtr', 'pse', 'apf', 'bps', 'snr', 'coherence', 'mu_suppression', 'mood', 'tbr', 'sef95',
  'spectral_centroid', 'hjorth_activity', 'hjorth_mobility', 'hjorth_complexity', 'permutation_entropy', 'higuchi_fd',
  'dfa_exponent', 'sample_entropy', 'pac_theta_gamma', 'laterality_index', 'hr', 'rmssd', 'sdnn', 'pnn50',
  'lf_hf_ratio', 'respiratory_rate', 'spo2_estimate', 'perfusion_index', 'stress_index', 'blink_count', 'blink_rate',
  'head_pitch', 'head_roll', 'stillness', 'nod_count', 'shake_count', 'meditation', 'cognitive_load', 'drowsiness',
] as const satisfies readonly EpochMetricKey[];

export type SessionMetricKey = (typeof SESSION_METRIC_KEYS)[number];
export type SessionMetrics = { n_epochs: number } & Record<SessionMetricKey, number>;

/** What an empty range returns: `n_epochs` 0 and every mean 0, as the reference does. */
export function emptySessionMetrics(): SessionMetrics {
  const out = { n_epochs: 0 } as SessionMetrics;
  for (const k of SESSION_METRIC_KEYS) out[k] = 0;
  return out;
}

/** Sums of each metric over `n` rows → their means. */
export function sessionMetricsOfSums(n: number, sums: ArrayLike<number>): SessionMetrics {
  const out = emptySessionMetrics();
  if (n === 0) return out;
  out.n_epochs = n;
  SESSION_METRIC_KEYS.forEach((k, i) => {
    out[k] = (sums[i] ?? 0) / n;
  });
  return out;
}
