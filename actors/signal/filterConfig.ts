// The EEG filter settings, in the reference's `FilterConfig` shape (notes §3.1, settings key
// `filter_config`): a band-pass made of a high-pass and a low-pass, plus a mains notch.

export type NotchPreset = 'Hz60' | 'Hz50';

export interface FilterConfig {
  /** Hz; the pipeline overwrites it with the device rate. */
  sample_rate: number;
  /** Low-pass cutoff (Hz), or null for none. */
  low_pass_hz: number | null;
  /** High-pass cutoff (Hz), or null for none. */
  high_pass_hz: number | null;
  /** Mains notch at 50 or 60 Hz and its harmonics below Nyquist, or null for none. */
  notch: NotchPreset | null;
  /** Half-width of each notch (Hz): the −3 dB points sit at h·f0 ± this value. */
  notch_bandwidth_hz: number;
}

export const DEFAULT_FILTER_CONFIG: Readonly<FilterConfig> = Object.freeze({
  sample_rate: 256,
  low_pass_hz: 50,
  high_pass_hz: 0.5,
  notch: 'Hz60',
  notch_bandwidth_hz: 1,
});

/** Fundamental mains frequency of a notch preset. */
export function mainsHz(notch: NotchPreset): number {
  return notch === 'Hz50' ? 50 : 60;
}

/** All of `cfg` null ⇒ the filter is a plain copy (the reference skips its FFT work the same way). */
export function isPassthrough(cfg: FilterConfig): boolean {
  return cfg.low_pass_hz === null && cfg.high_pass_hz === null && cfg.notch === null;
}

/** The defaults completed with what was given; throws RangeError on values no filter can have. */
export function filterConfigFrom(partial: Partial<FilterConfig> = {}): FilterConfig {
  const cfg: FilterConfig = { ...DEFAULT_FILTER_CONFIG, ...partial };
  if (!(cfg.sample_rate > 0) || !Number.isFinite(cfg.sample_rate)) throw new RangeError(`sample_rate must be > 0, got ${cfg.sample_rate}`);
  for (const key of ['low_pass_hz', 'high_pass_hz'] as const) {
    const v = cfg[key];
    if (v !== null && (!(v > 0) || !Number.isFinite(v))) throw new RangeError(`${key} must be > 0 or null, got ${v}`);
  }
  if (cfg.notch !== null && cfg.notch !== 'Hz50' && cfg.notch !== 'Hz60') throw new RangeError(`notch must be "Hz50", "Hz60" or null, got ${String(cfg.notch)}`);
  if (!(cfg.notch_bandwidth_hz > 0) || !Number.isFinite(cfg.notch_bandwidth_hz)) {
    throw new RangeError(`notch_bandwidth_hz must be > 0, got ${cfg.notch_bandwidth_hz}`);
  }
  return cfg;
}
