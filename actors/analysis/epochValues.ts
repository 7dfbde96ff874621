// One stored epoch as the analysis reads it: the SessionMetrics values of its `metrics_json`
// (legacy `*_score` spellings normalised, missing or non-numeric values as 0 — epochMetrics.ts),
// or null when the row does not count. A row does not count when its JSON is not an object, or
// when rel_delta and rel_theta are both 0: the band analysis had no window yet, and the reference
// skips these rows too (notes §7.1, §7.3).
import { readMetrics } from '../store/epochMetrics.ts';
import { SESSION_METRIC_KEYS } from './sessionMetrics.ts';

export const REL_DELTA = SESSION_METRIC_KEYS.indexOf('rel_delta');
export const REL_THETA = SESSION_METRIC_KEYS.indexOf('rel_theta');
export const REL_ALPHA = SESSION_METRIC_KEYS.indexOf('rel_alpha');
export const REL_BETA = SESSION_METRIC_KEYS.indexOf('rel_beta');

/** Values in SESSION_METRIC_KEYS order, or null when the row is skipped. */
export function epochValues(json: string | null): Float64Array | null {
  const m = readMetrics(json);
  if (!m || (m.rel_delta === 0 && m.rel_theta === 0)) return null;
  const out = new Float64Array(SESSION_METRIC_KEYS.length);
  for (let i = 0; i < SESSION_METRIC_KEYS.length; i++) out[i] = m[SESSION_METRIC_KEYS[i]!];
  return out;
}
