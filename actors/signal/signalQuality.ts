// Per-channel contact quality from the last second of RAW samples (before the filter), as the
// reference's QualityMonitor (notes §3.4).
//
// Spelling: "no_signal". The reference's SignalQuality event and status object spell it
// "nosignal" while its own monitor compares against "no_signal" (notes §15 item 8); this daemon's
// status object (actors/devices/deviceStatus.ts) already uses "no_signal", so the signal
// pipeline emits that one spelling everywhere.

/** Same union as the status object's `channel_quality` entries. */
export type ChannelQuality = 'good' | 'fair' | 'poor' | 'no_signal';

export const NO_SIGNAL_RMS_UV = 5;
export const POOR_RMS_UV = 400;
export const FAIR_RMS_UV = 100;
export const SPIKE_UV = 1200;
export const POOR_SPIKES = 8;

/**
 * Thresholds of the reference: fewer than a quarter window of samples or RMS < 5 µV → no signal
 * (flat: electrode off or amplifier saturated at a rail); ≥ 8 samples more than 1200 µV from the
 * mean, or RMS > 400 µV → poor (movement, bad contact); RMS > 100 µV → fair; else good. RMS is
 * taken about the window mean (AC coupling).
 */
export function classifyQuality(samples: number, minSamples: number, rmsUv: number, spikes: number): ChannelQuality {
  if (samples < minSamples || rmsUv < NO_SIGNAL_RMS_UV) return 'no_signal';
  if (spikes >= POOR_SPIKES || rmsUv > POOR_RMS_UV) return 'poor';
  if (rmsUv > FAIR_RMS_UV) return 'fair';
  return 'good';
}

/** RMS about the mean and the count of |x − mean| > SPIKE_UV over `x[0…n)`. */
export function windowStats(x: ArrayLike<number>, n: number): { rms: number; spikes: number } {
  if (n === 0) return { rms: 0, spikes: 0 };
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i]!;
  mean /= n;
  let ss = 0, spikes = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i]! - mean;
    ss += d * d;
    if (d > SPIKE_UV || d < -SPIKE_UV) spikes++;
  }
  return { rms: Math.sqrt(ss / n), spikes };
}

/** Rolling one-second raw windows per channel; classification happens only when asked. */
export class QualityMonitor {
  readonly #window: number;
  readonly #rings: Float64Array[];
  #pos = 0;
  #filled = 0;

  constructor(channels: number, fs: number) {
    this.#window = Math.max(4, Math.round(fs));
    this.#rings = Array.from({ length: channels }, () => new Float64Array(this.#window));
  }

  /** Appends `n` samples of every channel, starting at `offset` of each input array. */
  push(channels: ReadonlyArray<ArrayLike<number>>, offset: number, n: number): void {
    const w = this.#window;
    let pos = this.#pos;
    for (let c = 0; c < this.#rings.length; c++) {
      const ring = this.#rings[c]!, src = channels[c]!;
      let p = this.#pos;
      for (let i = 0; i < n; i++) {
        ring[p] = src[offset + i]!;
        if (++p === w) p = 0;
      }
      pos = p;
    }
    this.#pos = pos;
    this.#filled = Math.min(w, this.#filled + n);
  }

  quality(): ChannelQuality[] {
    return this.#rings.map((ring) => {
      const n = this.#filled;
      // The ring holds the last `n` samples; order does not matter to the statistics.
      const { rms, spikes } = windowStats(n === this.#window ? ring : ring.subarray(0, n), n);
      return classifyQuality(n, this.#window / 4, rms, spikes);
    });
  }

  reset(): void {
    this.#pos = 0;
    this.#filled = 0;
  }
}
