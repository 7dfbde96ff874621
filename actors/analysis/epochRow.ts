// `EpochRow` (notes §7.2): one point of an analysis timeseries, with the reference's short keys.
// The same row is built from a day-database record and from a metrics-CSV line.
import type { SessionMetricKey } from './sessionMetrics.ts';

/** [short key, metric it carries]; the GPU columns have no metric in this daemon and stay 0. */
export const EPOCH_ROW_FIELDS = [
  ['rd', 'rel_delta'], ['rt', 'rel_theta'], ['ra', 'rel_alpha'], ['rb', 'rel_beta'], ['rg', 'rel_gamma'],
  ['relaxation', 'relaxation'], ['engagement', 'engagement'], ['faa', 'faa'], ['tar', 'tar'], ['bar', 'bar'],
  ['dtr', 'dtr'], ['tbr', 'tbr'], ['pse', 'pse'], ['apf', 'apf'], ['sef95', 'sef95'], ['sc', 'spectral_centroid'],
  ['bps', 'bps'], ['snr', 'snr'], ['coherence', 'coherence'], ['mu', 'mu_suppression'], ['ha', 'hjorth_activity'],
  ['hm', 'hjorth_mobility'], ['hc', 'hjorth_complexity'], ['pe', 'permutation_entropy'], ['hfd', 'higuchi_fd'],
  ['dfa', 'dfa_exponent'], ['se', 'sample_entropy'], ['pac', 'pac_theta_gamma'], ['lat', 'laterality_index'],
  ['mood', 'mood'], ['hr', 'hr'], ['rmssd', 'rmssd'], ['sdnn', 'sdnn'], ['pnn50', 'pnn50'], ['lf_hf', 'lf_hf_ratio'],
  ['resp', 'respiratory_rate'], ['spo2', 'spo2_estimate'], ['perf', 'perfusion_index'], ['stress', 'stress_index'],
  ['blinks', 'blink_count'], ['blink_r', 'blink_rate'], ['pitch', 'head_pitch'], ['roll', 'head_roll'],
  ['still', 'stillness'], ['nods', 'nod_count'], ['shakes', 'shake_count'], ['med', 'meditation'],
  ['cog', 'cognitive_load'], ['drow', 'drowsiness'], ['gpu', null], ['gpu_render', null], ['gpu_tiler', null],
] as const satisfies ReadonlyArray<readonly [string, SessionMetricKey | null]>;

export type EpochRowKey = 't' | (typeof EPOCH_ROW_FIELDS)[number][0];
export type EpochRow = Record<EpochRowKey, number>;

/** A row at `t` (unix seconds) whose values come from `metric(key)`. */
export function epochRowOf(t: number, metric: (key: SessionMetricKey) => number): EpochRow {
  const row = { t } as EpochRow;
  for (const [short, key] of EPOCH_ROW_FIELDS) row[short] = key === null ? 0 : metric(key);
  return row;
}

/** Picks indices round(i·(n−1)/(max−1)) — the reference's `downsample_timeseries`, ends kept. */
export function downsampleRows<T>(rows: readonly T[], max: number): T[] {
  const n = rows.length;
  if (n <= max || max < 2) return [...rows];
  const step = (n - 1) / (max - 1);
  const out: T[] = [];
  for (let i = 0; i < max; i++) out.push(rows[Math.min(n - 1, Math.round(i * step))]!);
  return out;
}
