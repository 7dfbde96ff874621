// Messages between the recorder (main thread) and its writer thread. Data travels in batches a
// few times a second; every batch is acknowledged with its size so the main side knows how far
// the disk is behind.
import type { DeviceInfo } from '../devices/source.ts';
import type { ChannelBandPowers } from '../signal/bandPowers.ts';
import type { EpochMetrics } from '../store/epochMetrics.ts';

export interface SegmentSpec {
  id: number;
  /** The raw CSV to create, chosen by the main thread so it is known before the thread opens it. */
  csvPath: string;
  startMs: number;
  info: DeviceInfo;
  /** Raw CSV of the previous segment of the same session (day rollover, recovery after an error). */
  continuesFrom: string | null;
}

export interface EegChunk {
  t0Ms: number;
  rateHz: number;
  channels: Float32Array[];
}

export interface ImuChunk {
  sensor: 'accel' | 'gyro';
  t0Ms: number;
  rateHz: number;
  samples: Array<[number, number, number]>;
}

export interface SnapshotRow {
  tMs: number;
  channels: ChannelBandPowers[];
  metrics: EpochMetrics;
}

export interface EpochRow {
  startMs: number;
  metrics: EpochMetrics;
}

export interface Batch {
  eeg: EegChunk[];
  ppg: EegChunk[];
  imu: ImuChunk[];
  snapshots: SnapshotRow[];
  epochs: EpochRow[];
}

export interface FinishSpec {
  id: number;
  reason: string;
  endMs: number;
  batteryPct: number | null;
  channelQuality: string[];
}

/** An epoch's embedding, written into the row the recorder inserted (same thread, so always after it). */
export interface EmbeddingUpdate {
  /** The day folder holding the row. */
  dayDir: string;
  timestampMs: number;
  vector: Float32Array;
}

export type ToWriter =
  | { type: 'open'; segment: SegmentSpec }
  | { type: 'embedding'; update: EmbeddingUpdate }
  | { type: 'batch'; id: number; bytes: number; batch: Batch }
  | { type: 'finish'; finish: FinishSpec }
  /** Close every handle and exit (the thread is idle, or the daemon stops). */
  | { type: 'close' }
  /** Die as a native crash would (tests). */
  | { type: 'fault' };

export interface WriterTotals {
  samples: number;
  ppgSamples: number;
  imuSamples: number;
  snapshots: number;
  epochs: number;
}

export type FromWriter =
  | { type: 'ready'; repaired: string[] }
  | { type: 'opened'; id: number; csvPath: string }
  | { type: 'ack'; id: number; bytes: number; totals: WriterTotals }
  | { type: 'finished'; id: number; sidecarPath: string }
  | { type: 'warning'; message: string }
  | { type: 'failed'; id: number; code: string; message: string };
