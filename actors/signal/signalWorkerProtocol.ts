// Messages between SignalPipelineWorker (main thread) and signalWorkerThread.ts. EEG samples
// travel in one transferred ArrayBuffer per chunk (channel-major Float32), which the worker
// transfers back with its answer so the main thread can reuse it.
import type { ImuFrame, PpgFrame } from '../devices/source.ts';
import type { EegBandsPayload } from './eegBandsPayload.ts';
import type { FilterConfig } from './filterConfig.ts';
import type { SignalPipelineOptions } from './signalPipeline.ts';
import type { ChannelQuality } from './signalQuality.ts';

export type ToWorker =
  | { type: 'eeg'; id: number; t0Ms: number; sampleRateHz: number; channels: number; samples: number; buffer: ArrayBuffer }
  | { type: 'ppg'; frame: PpgFrame }
  | { type: 'imu'; frame: ImuFrame }
  | { type: 'filter'; config: Partial<FilterConfig> };

export type FromWorker =
  | { type: 'bands'; id: number; snapshots: EegBandsPayload[]; quality: ChannelQuality[] | null; buffer: ArrayBuffer }
  | { type: 'error'; id: number | null; message: string; buffer?: ArrayBuffer };

export interface WorkerStart {
  options: SignalPipelineOptions;
}
