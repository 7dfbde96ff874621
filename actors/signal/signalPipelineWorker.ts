// SignalPipeline on a worker thread, for montages whose analysis would hold the event loop too
// long (many channels or a high rate): the same methods, but pushEeg resolves with the snapshots.
// EEG chunks are copied into a pooled ArrayBuffer that is transferred to the worker and back (no
// structured-clone copy, and the caller's frame stays usable for other consumers such as the
// recorder). Messages are handled in order, so PPG, IMU and filter changes interleave with EEG
// exactly as sent.
import type { Worker } from 'node:worker_threads';
import { startThread } from '../runtimeLayout.ts';
import type { EegFrame, ImuFrame, PpgFrame } from '../devices/source.ts';
import type { EegBandsPayload } from './eegBandsPayload.ts';
import { filterConfigFrom, type FilterConfig } from './filterConfig.ts';
import type { SignalPipelineOptions } from './signalPipeline.ts';
import type { ChannelQuality } from './signalQuality.ts';
import type { FromWorker, ToWorker, WorkerStart } from './signalWorkerProtocol.ts';

/** More than 8 channels or more than 500 Hz: run the pipeline on a worker thread. */
export function shouldRunInWorker(channels: number, sampleRateHz: number): boolean {
  return channels > 8 || sampleRateHz > 500;
}

const POOL_SIZE = 8;

interface Pending {
  resolve(snapshots: EegBandsPayload[]): void;
  reject(err: Error): void;
}

export class SignalPipelineWorker {
  readonly channelNames: readonly string[];
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  readonly #pool: ArrayBuffer[] = [];
  #nextId = 1;
  #quality: ChannelQuality[];
  #latest: EegBandsPayload | null = null;
  #filter: FilterConfig;
  #failure: Error | null = null;
  #closed = false;

  constructor(options: SignalPipelineOptions) {
    this.channelNames = [...options.channelNames];
    this.#quality = this.channelNames.map(() => 'no_signal');
    this.#filter = filterConfigFrom({ ...options.filter, sample_rate: options.sampleRateHz });
    const start: WorkerStart = { options: { ...options, channelNames: [...options.channelNames] } };
    this.#worker = startThread('signalWorkerThread', start);
    this.#worker.unref();
    this.#worker.on('message', (msg: FromWorker) => this.#onMessage(msg));
    this.#worker.on('error', (err) => this.#fail(err));
    this.#worker.on('exit', (code) => {
      if (!this.#closed) this.#fail(new Error(`signal worker exited with code ${code}`));
    });
  }

  /** Resolves with the snapshots this chunk completed (in order with every other call). */
  pushEeg(frame: EegFrame): Promise<EegBandsPayload[]> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#closed) return Promise.reject(new Error('signal worker is closed'));
    const nch = frame.channels.length;
    const n = nch > 0 ? frame.channels[0]!.length : 0;
    const buffer = this.#takeBuffer(nch * n * 4);
    for (let c = 0; c < nch; c++) {
      const src = frame.channels[c]!;
      if (src.length !== n) return Promise.reject(new RangeError('EEG frame channels differ in length'));
      new Float32Array(buffer, c * n * 4, n).set(src);
    }
    const id = this.#nextId++;
    const msg: ToWorker = { type: 'eeg', id, t0Ms: frame.t0Ms, sampleRateHz: frame.sampleRateHz, channels: nch, samples: n, buffer };
    return new Promise<EegBandsPayload[]>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      if (this.#pending.size === 1) this.#worker.ref();
      this.#worker.postMessage(msg, [buffer]);
    });
  }

  pushPpg(frame: PpgFrame): void {
    this.#post({ type: 'ppg', frame });
  }

  pushImu(frame: ImuFrame): void {
    this.#post({ type: 'imu', frame });
  }

  /** Channel quality as of the newest snapshot. */
  quality(): ChannelQuality[] {
    return [...this.#quality];
  }

  get latest(): EegBandsPayload | null {
    return this.#latest;
  }

  get filterConfig(): FilterConfig {
    return { ...this.#filter };
  }

  /** Validated here (throws like SignalPipeline does), applied in order on the worker. */
  setFilterConfig(cfg: Partial<FilterConfig>): void {
    this.#filter = filterConfigFrom({ ...this.#filter, ...cfg, sample_rate: this.#filter.sample_rate });
    this.#post({ type: 'filter', config: { ...cfg, sample_rate: this.#filter.sample_rate } });
  }

  /** Stops the worker; pending pushes reject. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#rejectAll(new Error('signal worker closed'));
    await this.#worker.terminate();
  }

  #post(msg: ToWorker): void {
    if (this.#closed || this.#failure) return;
    this.#worker.postMessage(msg);
  }

  #takeBuffer(bytes: number): ArrayBuffer {
    const i = this.#pool.findIndex((b) => b.byteLength >= bytes);
    if (i >= 0) return this.#pool.splice(i, 1)[0]!;
    return new ArrayBuffer(Math.max(1024, 2 ** Math.ceil(Math.log2(Math.max(1, bytes)))));
  }

  #onMessage(msg: FromWorker): void {
    if (msg.buffer && this.#pool.length < POOL_SIZE) this.#pool.push(msg.buffer);
    if (msg.type === 'error' && msg.id === null) {
      this.#fail(new Error(msg.message));
      return;
    }
    const pending = this.#pending.get(msg.id!);
    if (!pending) return;
    this.#pending.delete(msg.id!);
    if (this.#pending.size === 0) this.#worker.unref();
    if (msg.type === 'error') {
      pending.reject(new Error(msg.message));
      return;
    }
    if (msg.quality) this.#quality = msg.quality;
    if (msg.snapshots.length > 0) this.#latest = msg.snapshots[msg.snapshots.length - 1]!;
    pending.resolve(msg.snapshots);
  }

  #fail(err: Error): void {
    if (this.#failure) return;
    this.#failure = err;
    this.#rejectAll(err);
  }

  #rejectAll(err: Error): void {
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
    this.#worker.unref();
  }
}
