// Turns LSL samples into the daemon's EEG frames. An outlet may send one sample per TCP write
// (liblsl's SendData does, 256 writes a second), so samples are gathered into frames of about
// 1/16 s; a frame also ends where the timestamps jump (a restarted outlet, dropped samples),
// because a frame's samples are evenly spaced from its t0. Values become µV using each channel's
// unit from the stream's desc (XDF convention; unknown or missing units are taken as µV).
import type { EegFrame } from '../source.ts';
import type { LslSample } from './feedReader.ts';

export interface FrameAssemblerOptions {
  channelCount: number;
  sampleRateHz: number;
  /** Per-channel factor to µV. */
  scale: number[];
  /** Maps a sample timestamp (outlet LSL clock, s) to unix ms. */
  toUnixMs(timestamp: number): number;
  emit(frame: EegFrame): void;
}

/** µV per unit for the unit names LSL streams use; null when the name is not a voltage. */
export function microvoltsPer(unit: string): number | null {
  const u = unit.trim().toLowerCase();
  if (u === '' || u === 'uv' || u === 'µv' || u === 'μv' || /^microvolts?$/.test(u)) return 1;
  if (u === 'v' || /^volts?$/.test(u)) return 1e6;
  if (u === 'mv' || /^millivolts?$/.test(u)) return 1e3;
  if (u === 'nv' || /^nanovolts?$/.test(u)) return 1e-3;
  return null;
}

export class FrameAssembler {
  private pending: LslSample[] = [];
  private readonly frameSize: number;

  constructor(private readonly options: FrameAssemblerOptions) {
    this.frameSize = Math.max(1, Math.round(options.sampleRateHz / 16));
  }

  add(samples: LslSample[]): void {
    const period = 1 / this.options.sampleRateHz;
    for (const sample of samples) {
      const last = this.pending[this.pending.length - 1];
      if (last) {
        const gap = sample.timestamp - last.timestamp;
        if (gap <= 0 || gap > 2.5 * period) this.flush();
      }
      this.pending.push(sample);
      if (this.pending.length >= this.frameSize) this.flush();
    }
  }

  /** Emits what is pending (called on a timer so a slow stream is not held back). */
  flush(): void {
    const samples = this.pending;
    if (samples.length === 0) return;
    this.pending = [];
    const { channelCount, scale } = this.options;
    const channels = Array.from({ length: channelCount }, () => new Float32Array(samples.length));
    samples.forEach((sample, i) => {
      for (let c = 0; c < channelCount; c++) {
        const channel = channels[c] as Float32Array;
        channel[i] = Number(sample.values[c] ?? 0) * (scale[c] ?? 1);
      }
    });
    const first = samples[0] as LslSample;
    this.options.emit({
      kind: 'eeg',
      t0Ms: this.options.toUnixMs(first.timestamp),
      sampleRateHz: this.options.sampleRateHz,
      channels,
    });
  }
}
