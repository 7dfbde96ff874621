// Messages between the EEG encoder's main-thread side (encoderWorker.ts) and its worker thread
// (encoderThread.ts). Epoch samples travel as one transferred ArrayBuffer per epoch, channel after
// channel, at the device's native rate: the thread resamples, so the event loop never does.
import type { EncoderInputSpec } from './exgCatalog.ts';

export interface ModelRequest {
  family: string;
  /** The ONNX file to load. */
  path: string;
  /** Generate the file (the built-in encoder) when it is missing. */
  builtin: boolean;
  input: EncoderInputSpec;
  /** onnxruntime intra-op threads. */
  threads: number;
}

/** What the thread found in the model file. */
export interface LoadedModel {
  family: string;
  path: string;
  /** Input fed with the epoch, and its shape as the model declares it. */
  dataInput: string;
  dataShape: Array<number | string>;
  /** Input fed with the rate the samples have after resampling, when the model has one. */
  rateInput: string | null;
  output: string;
  /** Rate and length of each channel after resampling, channel count fed (null: the device's). */
  sampleRateHz: number;
  samples: number;
  channels: number | null;
  /** onnxruntime execution provider that runs it. */
  backend: string;
  /** True when the file was generated at this load. */
  generated: boolean;
  loadMs: number;
}

export interface EpochSamples {
  channels: number;
  /** Samples per channel at `sampleRateHz`. */
  samples: number;
  sampleRateHz: number;
  /** Float32, `channels × samples`, channel after channel. */
  buffer: ArrayBuffer;
}

export type ToEncoder =
  | { type: 'load'; id: number; model: ModelRequest }
  | { type: 'encode'; id: number; epochs: EpochSamples[] }
  /** Release the session and end the thread once the messages before it are done. */
  | { type: 'close' }
  /** Fault injection for supervision tests: the thread dies as a native crash would take it. */
  | { type: 'fault' };

/**
 * The epoch buffers of an encode request, sent back once used. They were allocated by the main
 * thread and transferred here; left to this thread's isolate, which allocates little and so
 * rarely collects, each epoch's samples stayed allocated for minutes (RSS grew by the session's
 * raw data rate, 2 MB a minute at 32 channels). The main thread collects them at once.
 */
type Spent = { spent?: ArrayBuffer[] };

export type FromEncoder =
  | { type: 'loaded'; id: number; model: LoadedModel }
  /** One Float32 vector per epoch and the time each took in the thread (resample + inference). */
  | ({ type: 'encoded'; id: number; vectors: ArrayBuffer[]; ms: number[] } & Spent)
  | ({ type: 'error'; id: number; message: string } & Spent);
