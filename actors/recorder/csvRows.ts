// Formatting of session CSV rows (layouts in ../store/csvLayout.ts): timestamps in seconds with
// 6 decimals, µV with 4, as the reference writes them. A value that is not finite is written as
// an empty field, never as "NaN", so every reader sees a missing value the same way.
import { METRICS_CHANNEL_COLUMNS, METRICS_CROSS_COLUMNS } from '../store/csvLayout.ts';
import type { EpochMetrics } from '../store/epochMetrics.ts';
import type { ChannelBandPowers } from '../signal/bandPowers.ts';

const fixed = (v: number, digits: number) => (Number.isFinite(v) ? v.toFixed(digits) : '');
const plain = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '' : String(v));

/** Rows of a chunk: `channels[c][i]` is sample i of channel c; sample i is at t0Ms + i·1000/rate. */
export function sampleRows(t0Ms: number, rateHz: number, channels: ArrayLike<number>[], digits = 4): string {
  const n = channels[0]?.length ?? 0;
  const step = 1 / rateHz;
  const t0 = t0Ms / 1000;
  let out = '';
  for (let i = 0; i < n; i++) {
    out += (t0 + i * step).toFixed(6);
    for (const ch of channels) out += ',' + fixed(ch[i]!, digits);
    out += '\n';
  }
  return out;
}

/** One `_metrics.csv` row from a band snapshot's per-channel powers and its metric record. */
export function metricsRow(timestampS: number, channels: readonly ChannelBandPowers[], metrics: EpochMetrics): string {
  const cells: string[] = [timestampS.toFixed(6)];
  for (const ch of channels) {
    const rec = ch as unknown as Record<string, number>;
    for (const col of METRICS_CHANNEL_COLUMNS) cells.push(plain(rec[col]));
  }
  const m = metrics as Record<string, number>;
  for (const [, key] of METRICS_CROSS_COLUMNS) cells.push(key === null ? '' : plain(m[key]));
  return cells.join(',') + '\n';
}

export type Vitals = Partial<Pick<EpochMetrics, 'hr' | 'rmssd' | 'sdnn' | 'pnn50' | 'lf_hf_ratio' | 'respiratory_rate' | 'spo2_estimate' | 'perfusion_index' | 'stress_index'>>;
const VITAL_KEYS = ['hr', 'rmssd', 'sdnn', 'pnn50', 'lf_hf_ratio', 'respiratory_rate', 'spo2_estimate', 'perfusion_index', 'stress_index'] as const;

/** PPG rows; `vitals` (when given) fill the vital columns of the first row only, as the reference does. */
export function ppgRows(t0Ms: number, rateHz: number, channels: ArrayLike<number>[], vitals: Vitals | null): string {
  const n = channels[0]?.length ?? 0;
  const t0 = t0Ms / 1000;
  const empty = ','.repeat(VITAL_KEYS.length);
  let out = '';
  for (let i = 0; i < n; i++) {
    out += (t0 + i / rateHz).toFixed(6);
    for (const ch of channels) out += ',' + fixed(ch[i]!, 4);
    out += i === 0 && vitals ? VITAL_KEYS.map((k) => ',' + plain(vitals[k])).join('') : empty;
    out += '\n';
  }
  return out;
}

/**
 * IMU rows. Accelerometer and gyroscope arrive as separate chunks at their own times, so a row
 * carries one sensor and leaves the other's columns (and the absent magnetometer) empty.
 */
export function imuRows(sensor: 'accel' | 'gyro', t0Ms: number, rateHz: number, samples: ReadonlyArray<readonly [number, number, number]>): string {
  const t0 = t0Ms / 1000;
  let out = '';
  for (let i = 0; i < samples.length; i++) {
    const [x, y, z] = samples[i]!;
    const xyz = `${fixed(x, 5)},${fixed(y, 5)},${fixed(z, 5)}`;
    out += `${(t0 + i / rateHz).toFixed(6)},${sensor === 'accel' ? `${xyz},,,` : `,,,${xyz}`},,,\n`;
  }
  return out;
}
