// The main-thread handle of one encoder worker thread (encoderThread.ts): requests with ids,
// replies matched back, epoch samples transferred rather than copied. When the thread dies
// without being asked to, every pending request is rejected and `onLost` is told, once; the
// owner (the encoder actor) then fails and its supervisor starts a fresh thread.
import type { Worker } from 'node:worker_threads';
import { startThread } from '../runtimeLayout.ts';
import type { EpochSamples, FromEncoder, LoadedModel, ModelRequest, ToEncoder } from './encoderProtocol.ts';

/** How long a closing thread may take to finish its message and end before it is terminated. */
const CLOSE_TIMEOUT_MS = 10_000;

/** One epoch as the caller has it: channel arrays at their native rate. */
export interface EpochInput {
  channels: ArrayLike<number>[];
  sampleRateHz: number;
}

export interface Encoded {
  vectors: Float32Array[];
  /** Time each epoch took inside the thread (resampling and inference). */
  ms: number[];
}

export class EncoderLostError extends Error {}

interface Pending {
  resolve(msg: FromEncoder): void;
  reject(err: Error): void;
}

export class EncoderWorker {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #lost: Error | null = null;
  #closed = false;

  constructor(onLost: (message: string) => void) {
    this.#worker = startThread('encoderThread');
    this.#worker.unref();
    this.#worker.on('message', (msg: FromEncoder) => {
      const p = this.#pending.get(msg.id);
      if (!p) return;
      this.#pending.delete(msg.id);
      if (this.#pending.size === 0) this.#worker.unref();
      p.resolve(msg);
    });
    const lose = (message: string) => {
      if (this.#lost || this.#closed) return;
      this.#lost = new EncoderLostError(message);
      for (const p of this.#pending.values()) p.reject(this.#lost);
      this.#pending.clear();
      onLost(message);
    };
    this.#worker.on('error', (err) => lose(`encoder thread failed: ${err.message}`));
    this.#worker.on('exit', (code) => lose(`encoder thread exited with code ${code}`));
  }

  async load(model: ModelRequest): Promise<LoadedModel> {
    const reply = await this.#request((id) => ({ type: 'load', id, model }));
    if (reply.type !== 'loaded') throw new Error(reply.type === 'error' ? reply.message : `unexpected ${reply.type}`);
    return reply.model;
  }

  async encode(epochs: EpochInput[]): Promise<Encoded> {
    const payload: EpochSamples[] = epochs.map((e) => {
      const samples = e.channels[0]?.length ?? 0;
      const data = new Float32Array(e.channels.length * samples);
      e.channels.forEach((ch, c) => data.set(ch, c * samples));
      return { channels: e.channels.length, samples, sampleRateHz: e.sampleRateHz, buffer: data.buffer };
    });
    const reply = await this.#request((id) => ({ type: 'encode', id, epochs: payload }), payload.map((p) => p.buffer));
    if (reply.type !== 'encoded') throw new Error(reply.type === 'error' ? reply.message : `unexpected ${reply.type}`);
    return { vectors: reply.vectors.map((b) => new Float32Array(b)), ms: reply.ms };
  }

  /** Makes the thread die as a native crash would (supervision tests). */
  injectFault(): void {
    this.#worker.postMessage({ type: 'fault' } satisfies ToEncoder);
  }

  /**
   * Stops the thread; pending requests reject. Not reported as lost. The thread finishes the
   * message it is on, releases its session and ends by itself; it is terminated only if that
   * takes longer than CLOSE_TIMEOUT_MS (or it is gone already), because terminating a thread
   * inside onnxruntime's native code can abort the whole process.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const p of this.#pending.values()) p.reject(new EncoderLostError('encoder closed'));
    this.#pending.clear();
    if (this.#lost) return void (await this.#worker.terminate());
    const exited = new Promise<void>((resolve) => this.#worker.once('exit', () => resolve()));
    this.#worker.ref();
    this.#worker.postMessage({ type: 'close' } satisfies ToEncoder);
    const timer = setTimeout(() => void this.#worker.terminate(), CLOSE_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  #request(make: (id: number) => ToEncoder, transfer: ArrayBuffer[] = []): Promise<FromEncoder> {
    if (this.#lost) return Promise.reject(this.#lost);
    if (this.#closed) return Promise.reject(new EncoderLostError('encoder closed'));
    const id = this.#nextId++;
    return new Promise<FromEncoder>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.ref();
      this.#worker.postMessage(make(id), transfer);
    });
  }
}
