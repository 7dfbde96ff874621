// The EEG encoder subsystem: live epochs in, embeddings stored, announced and handed on.
//
// - The supervised actor (`logic()`, the statechart of machines/encoder.ts) owns one worker
//   thread running onnxruntime and the model loaded in it. If the thread dies the actor fails,
//   the supervisor restarts it, and a new thread loads the model again; epochs wait meanwhile.
// - Live epochs (`onEpoch`, set as the recorder's `onEpoch`) wait in a bounded queue of 128, as
//   in the reference; when it is full an epoch is dropped and counted — the live stream never
//   waits for the encoder. Epochs that piled up go to the thread together (up to 16 a message).
//   An epoch whose encoding was cut short by the thread dying is tried once more, then dropped
//   (so a poison epoch cannot crash-loop the thread); a batch the model refuses is retried one
//   epoch at a time so only the bad epoch is lost.
// - Each embedding is written into its epoch's row through the recorder's writer thread
//   (ordered after the row's insert), announced as `EegEmbedding`, and passed to
//   `stored.onStored` listeners.
// - `encodeEpochs` runs stored epochs through the same thread, for re-embedding.
//
// Virtual devices are embedded like any other (the reference skips them unless told not to).
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fromCallback, fromPromise } from 'xstate';
import { encoderMachine, type EncoderContext, type EncoderEvent, type EncoderState, type LoadOutcome } from '../../machines/encoder.ts';
import type { EventBus } from '../eventBus.ts';
import type { DaemonLog } from '../log.ts';
import type { LiveEpoch } from '../recorder/liveEpoch.ts';
import type { EmbeddingUpdate } from '../recorder/writerProtocol.ts';
import type { EpochMetrics } from '../store/epochMetrics.ts';
import { EmbeddingEvents } from './embeddingEvents.ts';
import type { LoadedModel } from './encoderProtocol.ts';
import { EncoderLostError, EncoderWorker, type Encoded, type EpochInput } from './encoderWorker.ts';
import { EmbedTimings } from './embedTimings.ts';
import { EXG_FAMILIES } from './exgCatalog.ts';
import { exgModelPath, weightsLookLoadable } from './exgWeights.ts';
import { readStoredModelConfig } from './modelConfig.ts';

export const LIVE_QUEUE_LIMIT = 128;
/** Most queued epochs sent to the thread in one message (a backlog after a restart clears fast). */
const LIVE_BATCH = 16;
/** The reference warns when one epoch takes longer than this. */
const SLOW_EMBED_MS = 2_000;
/**
 * With nothing to embed for this long, the encoder parks: its thread (a V8 isolate with
 * onnxruntime and the model, some 30–40 MB) stops until the next epoch or re-embed. Long enough
 * that a headset reconnecting or a short pause between sessions keeps the model loaded.
 */
export const PARK_AFTER_MS = 5 * 60_000;

export interface EegEncoderDeps {
  dataDir: string;
  bus: EventBus;
  log: DaemonLog;
  /** The recorder's writer: `embedding()` fills the epoch's row. */
  writer: { embedding(update: EmbeddingUpdate): void };
  /** `exg_inference_device` as set (auto|cpu|gpu|mlx); this build runs onnxruntime on the CPU whatever it says. */
  inferenceDevice(): string;
  queueLimit?: number;
  /** Idle time after which the thread is stopped and the model unloaded (default PARK_AFTER_MS). */
  parkAfterMs?: number;
}

export class EncoderUnavailableError extends Error {
  constructor(readonly state: EncoderState) {
    super(`the EEG encoder is ${state.replace('_', ' ')}, not ready`);
  }
}

interface Queued {
  epoch: LiveEpoch;
  attempts: number;
}

export class EegEncoder {
  readonly stored = new EmbeddingEvents();
  readonly timings = new EmbedTimings();
  #worker: EncoderWorker | null = null;
  #state: EncoderState = 'unloaded';
  #family: string;
  #model: LoadedModel | null = null;
  #reason: string | null = null;
  #queue: Queued[] = [];
  #draining = false;
  /** Epochs still to send one by one after a batch failed. */
  #isolate = 0;
  #epochs = 0;
  #dropped = 0;
  #skipped = 0;
  #failed = 0;
  #latestMetrics: EpochMetrics | null = null;
  /** Sends to the running actor while its thread runs (active). */
  #toActor: ((e: EncoderEvent) => void) | null = null;
  /** Sends to the running actor in any state (parked too). */
  #link: ((e: EncoderEvent) => void) | null = null;
  #lastUsedMs = Date.now();
  /** encodeEpochs calls in flight. */
  #busy = 0;
  readonly #settled = new Set<(s: EncoderState) => void>();

  constructor(private readonly deps: EegEncoderDeps) {
    this.#family = readStoredModelConfig(deps.dataDir).active_family;
  }

  get state(): EncoderState {
    return this.#state;
  }

  get model(): LoadedModel | null {
    return this.#model;
  }

  get family(): string {
    return this.#family;
  }

  /** Epoch counters since the daemon started. */
  counts() {
    return { embedded: this.#epochs, queued: this.#queue.length, dropped: this.#dropped, skipped: this.#skipped, failed: this.#failed };
  }

  get latestMetrics(): EpochMetrics | null {
    return this.#latestMetrics;
  }

  get lastError(): string | null {
    return this.#state === 'metrics_only' || this.#state === 'failed' ? this.#reason : null;
  }

  /** Resolves once the encoder is ready, metrics-only or failed (at once if it is), or after `timeoutMs`. */
  settled(timeoutMs = 30_000): Promise<EncoderState> {
    if (isSettled(this.#state)) return Promise.resolve(this.#state);
    this.#want();
    return new Promise((resolve) => {
      const done = (s: EncoderState) => {
        clearTimeout(timer);
        this.#settled.delete(done);
        resolve(s);
      };
      const timer = setTimeout(() => done(this.#state), timeoutMs);
      timer.unref();
      this.#settled.add(done);
    });
  }

  /** The recorder's epoch callback. Never blocks: queue, or drop and count. */
  readonly onEpoch = (epoch: LiveEpoch): void => {
    this.#latestMetrics = epoch.metrics;
    if (this.#state === 'metrics_only' || this.#state === 'failed') {
      this.#skipped++;
      return;
    }
    if (this.#queue.length >= (this.deps.queueLimit ?? LIVE_QUEUE_LIMIT)) {
      this.#dropped++;
      if (this.#dropped === 1 || this.#dropped % 100 === 0) this.deps.log.warn('encoder', `embed worker busy: ${this.#dropped} epoch(s) dropped so far`);
      return;
    }
    this.#queue.push({ epoch, attempts: 0 });
    this.#want();
    void this.#drain();
  };

  /**
   * Embeds epochs (channel arrays at their own rate) through the live encoder's thread, in
   * order with live epochs; for re-embedding stored data. Rejects with EncoderUnavailableError
   * unless the encoder is ready.
   */
  async encodeEpochs(epochs: EpochInput[]): Promise<{ vectors: Float32Array[]; model: string; ms: number[] }> {
    this.#busy++;
    try {
      // Parked or still loading: wake it and wait, as a live epoch would.
      if (this.#state === 'unloaded' || this.#state === 'loading') await this.settled();
      const worker = this.#worker;
      if (this.#state !== 'ready' || !worker) throw new EncoderUnavailableError(this.#state);
      const r = await worker.encode(epochs);
      return { vectors: r.vectors, model: this.#family, ms: r.ms };
    } finally {
      this.#busy--;
      this.#lastUsedMs = Date.now();
    }
  }

  /** Loads the active family's model again (its config changed); false when the actor is not running. */
  reload(): boolean {
    if (!this.#toActor) return false;
    this.#toActor({ type: 'encoder.reload' });
    return true;
  }

  /** Kills the worker thread as a crash would (supervision tests); false when there is none. */
  injectWorkerFault(): boolean {
    if (!this.#worker) return false;
    this.#worker.injectFault();
    return true;
  }

  /** The actor to run under the supervisor. */
  logic() {
    return encoderMachine.provide({
      actors: {
        link: fromCallback(({ sendBack }) => {
          this.#link = sendBack;
          // Restarted (or started) with work already waiting: wake at once.
          if (this.#queue.length > 0 || this.#settled.size > 0 || this.#busy > 0) sendBack({ type: 'encoder.wanted' });
          return () => {
            if (this.#link === sendBack) this.#link = null;
          };
        }),
        thread: fromCallback(({ sendBack }) => {
          const worker = new EncoderWorker((message) => sendBack({ type: 'worker.lost', message }));
          this.#worker = worker;
          this.#toActor = sendBack;
          // Weights of the active family just arrived: load them.
          const offBus = this.deps.bus.subscribe((e) => {
            if (e.type === 'ExgDownloadCompleted' && (e.payload as { backend?: unknown }).backend === readStoredModelConfig(this.deps.dataDir).active_family) {
              sendBack({ type: 'encoder.reload' });
            }
          });
          sendBack({ type: 'encoder.load' });
          const parkAfterMs = this.deps.parkAfterMs ?? PARK_AFTER_MS;
          const idleCheck = setInterval(() => {
            if (this.#queue.length === 0 && this.#busy === 0 && !this.#draining && Date.now() - this.#lastUsedMs >= parkAfterMs) sendBack({ type: 'encoder.idle' });
          }, Math.max(10, Math.min(parkAfterMs / 4, 30_000)));
          idleCheck.unref();
          return () => {
            clearInterval(idleCheck);
            offBus();
            if (this.#toActor === sendBack) this.#toActor = null;
            if (this.#worker === worker) this.#worker = null;
            this.#enter('unloaded', null);
            void worker.close();
          };
        }),
        loadModel: fromPromise<LoadOutcome>(() => this.#load()),
      },
      actions: {
        report: ({ context }, params: { state: EncoderState }) => this.#enter(params.state, context),
      },
    });
  }

  async #load(): Promise<LoadOutcome<LoadedModel>> {
    const familyId = readStoredModelConfig(this.deps.dataDir).active_family;
    this.#family = familyId;
    const family = EXG_FAMILIES[familyId]!;
    const file = exgModelPath(this.deps.dataDir, family);
    if (!family.builtin && !weightsLookLoadable(file)) {
      return { kind: 'metrics_only', reason: `no ONNX weights for ${family.name} at ${file} (POST /v1/models/trigger-weights-download)` };
    }
    const worker = this.#worker;
    if (!worker) throw new Error('no encoder thread');
    const device = this.deps.inferenceDevice();
    if (device === 'gpu' || device === 'mlx') this.deps.log.info('encoder', `exg_inference_device is "${device}" but this build of onnxruntime has only the CPU provider; running on the CPU`);
    const model = await worker.load({ family: familyId, path: file, builtin: family.builtin === true, input: family.input, threads: 1 });
    return { kind: 'ready', model };
  }

  /** Something needs the encoder now: wake it if parked (ignored when active). */
  #want(): void {
    this.#lastUsedMs = Date.now();
    this.#link?.({ type: 'encoder.wanted' });
  }

  #enter(state: EncoderState, context: EncoderContext | null): void {
    this.#state = state;
    const outcome = context?.outcome as LoadOutcome<LoadedModel> | null | undefined;
    if (state === 'ready' && outcome?.kind === 'ready') {
      this.#model = outcome.model;
      this.#reason = null;
      const m = outcome.model;
      this.deps.log.info('encoder', `${m.family} ready (${m.generated ? 'generated' : 'loaded'} ${m.path} in ${m.loadMs.toFixed(0)} ms, ${m.backend})`);
      this.deps.bus.publish('EmbedWorkerStatus', this.#workerStatus('ready'));
      void this.#drain();
    } else if (state === 'metrics_only' || state === 'failed') {
      this.#model = null;
      this.#reason = outcome?.kind === 'metrics_only' ? outcome.reason : context?.error ?? null;
      this.deps.log.warn('encoder', `${this.#family}: epochs are stored without embeddings (${state}): ${this.#reason}`);
      this.deps.bus.publish('EmbedWorkerStatus', this.#workerStatus('metrics_only'));
      this.#skipped += this.#queue.length;
      this.#queue = [];
    } else {
      this.#model = null;
    }
    if (isSettled(state)) for (const done of [...this.#settled]) done(state);
  }

  #workerStatus(status: 'ready' | 'metrics_only') {
    return {
      status,
      backend: this.#family,
      hnsw_rebuilt: false,
      recovered_embeddings: 0,
      execution_provider: 'cpu',
      ...(status === 'ready' ? { embed_dim: EXG_FAMILIES[this.#family]?.embed_dim ?? null } : { reason: this.#reason, encoder_state: this.#state }),
    };
  }

  async #drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    try {
      while (this.#state === 'ready' && this.#worker && this.#queue.length > 0) {
        // Whatever has piled up goes in one message (one at a time after a failure, to find the culprit).
        const items = this.#queue.slice(0, this.#isolate > 0 ? 1 : LIVE_BATCH);
        const worker = this.#worker;
        const started = performance.now();
        let encoded: Encoded;
        try {
          encoded = await worker.encode(items.map((q) => ({ channels: q.epoch.channels, sampleRateHz: q.epoch.sampleRateHz })));
        } catch (err) {
          if (err instanceof EncoderLostError) {
            // Tried again by the next thread; an epoch that was in flight twice is let go.
            for (const q of items) q.attempts++;
            while (this.#queue[0] && this.#queue[0].attempts >= 2) this.#fail(this.#queue.shift()!, err);
            break;
          }
          if (items.length > 1) {
            this.#isolate = items.length;
            continue;
          }
          this.#fail(this.#queue.shift()!, err as Error);
          this.#isolate = Math.max(0, this.#isolate - 1);
          continue;
        }
        this.#queue.splice(0, items.length);
        if (this.#isolate > 0) this.#isolate--;
        const each = (performance.now() - started) / items.length;
        items.forEach((q, i) => this.#store(q.epoch, encoded.vectors[i]!, each, encoded.ms[i]!));
      }
    } finally {
      this.#draining = false;
    }
  }

  #fail(q: Queued, err: Error): void {
    this.#failed++;
    this.deps.log.warn('encoder', `epoch at ${q.epoch.startMs} not embedded: ${err.message}`);
  }

  #store(e: LiveEpoch, vector: Float32Array, ms: number, inThreadMs: number): void {
    const dayDir = path.dirname(e.csvPath);
    this.deps.writer.embedding({ dayDir, timestampMs: e.startMs, vector });
    this.#epochs++;
    this.timings.add(ms, inThreadMs);
    if (ms > SLOW_EMBED_MS) this.deps.log.warn('encoder', `embedding the epoch at ${e.startMs} took ${ms.toFixed(0)} ms`);
    this.deps.bus.publish('EegEmbedding', {
      timestamp: e.startMs,
      dim: vector.length,
      epoch: this.#epochs,
      model: this.#family,
      device_name: e.deviceName,
      embed_ms: round2(ms),
    });
    this.stored.emitStored({ timestampMs: e.startMs, dayDir, vector, deviceName: e.deviceName, model: this.#family, metrics: e.metrics });
  }
}

function isSettled(s: EncoderState): boolean {
  return s === 'ready' || s === 'metrics_only' || s === 'failed';
}

const round2 = (v: number) => Math.round(v * 100) / 100;
