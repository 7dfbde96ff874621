// Runs UMAP projections on worker threads, one at a time: a projection keeps a core busy for
// seconds to minutes, and two at once on a small machine would only make both slower. Each gets a
// fresh worker, which makes the timeout exact and cheap — the worker is terminated, whatever it
// was doing — and returns its memory when it ends.
import type { Worker } from 'node:worker_threads';
import { startThread } from '../runtimeLayout.ts';
import type { UmapProgress } from './umapProjection.ts';
import type { UmapJob, UmapWorkerMessage } from './umapProtocol.ts';

export class UmapTimeout extends Error {}
export class UmapFailure extends Error {}

export interface UmapRunnerOptions {
  /** Worker entry module URL (default: umapWorkerThread.ts). */
  entry?: string;
  /** Heap limit of the worker, MiB (default 2048): a projection too large ends its worker, not the daemon. */
  maxHeapMb?: number;
}

export interface UmapRun {
  /** The result JSON as the worker encoded it. */
  json: Uint8Array;
  /** False for a `reason` answer (too few epochs). */
  cacheable: boolean;
}

export class UmapRunner {
  readonly #entry: string;
  readonly #maxHeapMb: number;
  #tail: Promise<unknown> = Promise.resolve();
  readonly #workers = new Set<Worker>();
  #closed = false;

  constructor(opts: UmapRunnerOptions = {}) {
    this.#entry = opts.entry ?? 'umapWorkerThread';
    this.#maxHeapMb = opts.maxHeapMb ?? 2048;
  }

  /**
   * Queues `job` behind any projection already running; `timeoutMs` counts from the moment its
   * own worker starts. Rejects with UmapTimeout or UmapFailure.
   */
  run(job: UmapJob, timeoutMs: number, onProgress: (p: UmapProgress) => void, onStart: () => void = () => {}): Promise<UmapRun> {
    const result = this.#tail.then(() => this.#runNow(job, timeoutMs, onProgress, onStart));
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /** Live workers: 1 while a projection runs, else 0. */
  get running(): number {
    return this.#workers.size;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#workers].map((w) => w.terminate()));
  }

  #runNow(job: UmapJob, timeoutMs: number, onProgress: (p: UmapProgress) => void, onStart: () => void): Promise<UmapRun> {
    if (this.#closed) return Promise.reject(new UmapFailure('UMAP runner is closed'));
    onStart();
    const worker = startThread(this.#entry, {}, { resourceLimits: { maxOldGenerationSizeMb: this.#maxHeapMb } });
    this.#workers.add(worker);
    return new Promise<UmapRun>((resolve, reject) => {
      let settled = false;
      let workerError: Error | null = null;
      const finish = (err: Error | null, run?: UmapRun) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.#workers.delete(worker);
        void worker.terminate();
        if (err) reject(err);
        else resolve(run!);
      };
      const timer = setTimeout(
        () => finish(new UmapTimeout(`UMAP projection did not finish within ${Math.round(timeoutMs / 1000)} s (umap-config timeout_secs)`)),
        timeoutMs,
      );
      worker.on('message', (m: UmapWorkerMessage) => {
        if (m.type === 'progress') onProgress(m.progress);
        else if (m.type === 'done') finish(null, { json: m.json, cacheable: m.cacheable });
        else finish(new UmapFailure(`UMAP projection failed: ${m.message}`));
      });
      worker.on('error', (err) => {
        workerError = err;
      });
      worker.on('exit', (code) => finish(new UmapFailure(`UMAP worker stopped (${workerError?.message ?? `exit code ${code}`})`)));
      worker.postMessage(job);
    });
  }
}
