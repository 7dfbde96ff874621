// A finished 5 s epoch of the live session, as the recorder hands it to the encoder: the raw
// samples at the device's native rate (encoders resample to their own rate and are told both),
// the epoch's metric record, and where its row lives.
import type { EpochMetrics } from '../store/epochMetrics.ts';

export interface LiveEpoch {
  /** Unix ms of the first sample: the `timestamp` of its row in the day's `embeddings` table. */
  startMs: number;
  endMs: number;
  /** `channels[c]` holds round(5 · sampleRateHz) raw µV samples. */
  channels: Float32Array[];
  channelNames: string[];
  sampleRateHz: number;
  metrics: EpochMetrics;
  deviceName: string;
  /** Raw CSV of the segment the epoch belongs to; its folder holds the day's eeg.sqlite. */
  csvPath: string;
}
