// Column layouts of the session CSVs (notes §4.3). The recorder writes these headers and the
// readers (csv-metrics, export, repair) find columns by these names, so the two cannot drift.
export const RAW_TIME_COLUMN = 'timestamp_s';

/** Per-channel columns of the metrics CSV, in order after `<channel>_`. */
export const METRICS_CHANNEL_COLUMNS = [
  'delta', 'theta', 'alpha', 'beta', 'gamma', 'high_gamma',
  'rel_delta', 'rel_theta', 'rel_alpha', 'rel_beta', 'rel_gamma', 'rel_high_gamma',
] as const;

/**
 * Cross-channel columns of the metrics CSV: the reference's 46 (its temperature and GPU columns
 * are written empty: this daemon does not read those sensors) followed by this daemon's scores.
 * Each pair is [CSV column, EpochMetrics key or null].
 */
export const METRICS_CROSS_COLUMNS: ReadonlyArray<readonly [string, string | null]> = [
  ['faa', 'faa'], ['tar', 'tar'], ['bar', 'bar'], ['dtr', 'dtr'], ['pse', 'pse'], ['apf', 'apf'], ['bps', 'bps'],
  ['snr', 'snr'], ['coherence', 'coherence'], ['mu_suppression', 'mu_suppression'], ['mood', 'mood'], ['tbr', 'tbr'],
  ['sef95', 'sef95'], ['spectral_centroid', 'spectral_centroid'], ['hjorth_activity', 'hjorth_activity'],
  ['hjorth_mobility', 'hjorth_mobility'], ['hjorth_complexity', 'hjorth_complexity'],
  ['permutation_entropy', 'permutation_entropy'], ['higuchi_fd', 'higuchi_fd'], ['dfa_exponent', 'dfa_exponent'],
  ['sample_entropy', 'sample_entropy'], ['pac_theta_gamma', 'pac_theta_gamma'], ['laterality_index', 'laterality_index'],
  ['hr_bpm', 'hr'], ['rmssd_ms', 'rmssd'], ['sdnn_ms', 'sdnn'], ['pnn50_pct', 'pnn50'], ['lf_hf_ratio', 'lf_hf_ratio'],
  ['respiratory_rate_bpm', 'respiratory_rate'], ['spo2_pct', 'spo2_estimate'], ['perfusion_index_pct', 'perfusion_index'],
  ['stress_index', 'stress_index'], ['blink_count', 'blink_count'], ['blink_rate_per_min', 'blink_rate'],
  ['head_pitch_deg', 'head_pitch'], ['head_roll_deg', 'head_roll'], ['stillness', 'stillness'],
  ['nod_count', 'nod_count'], ['shake_count', 'shake_count'], ['meditation', 'meditation'],
  ['cognitive_load', 'cognitive_load'], ['drowsiness', 'drowsiness'], ['temperature_raw', null],
  ['gpu_overall_pct', null], ['gpu_render_pct', null], ['gpu_tiler_pct', null],
  ['focus', 'focus'], ['relaxation', 'relaxation'], ['engagement', 'engagement'],
];

export function rawCsvHeader(channelNames: readonly string[]): string {
  return [RAW_TIME_COLUMN, ...channelNames].join(',');
}

export function metricsCsvHeader(channelNames: readonly string[]): string {
  const perChannel = channelNames.flatMap((ch) => METRICS_CHANNEL_COLUMNS.map((c) => `${ch}_${c}`));
  return [RAW_TIME_COLUMN, ...perChannel, ...METRICS_CROSS_COLUMNS.map(([c]) => c)].join(',');
}

export const PPG_VITAL_COLUMNS = [
  'hr_bpm', 'rmssd_ms', 'sdnn_ms', 'pnn50_pct', 'lf_hf_ratio', 'respiratory_rate_bpm', 'spo2_pct', 'perfusion_index_pct', 'stress_index',
] as const;

/** PPG channels as the device names them (Muse: ambient, infrared, red), then the vitals. */
export function ppgCsvHeader(ppgChannelNames: readonly string[]): string {
  return [RAW_TIME_COLUMN, ...ppgChannelNames, ...PPG_VITAL_COLUMNS].join(',');
}

export const IMU_CSV_HEADER = 'timestamp_s,accel_x,accel_y,accel_z,gyro_x,gyro_y,gyro_z,mag_x,mag_y,mag_z';
