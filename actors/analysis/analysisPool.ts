// A small pool of worker threads for the analysis routes: SQLite reads and JSON work over months
// of epochs would otherwise hold the event loop for seconds.
//
// - Workers start on first use and stop after `idleMs` without work; an idle worker is unref'd,
//   so the pool never keeps the process alive (a busy one is ref'd until its job answers).
// - A job goes to the lowest-numbered free worker, so light traffic keeps landing on the same
//   worker and its cached day summaries stay warm; the others only take concurrent jobs.
// - A worker that dies (crash, out of memory, terminate) fails only the job it was running, with
//   AnalysisWorkerCrash; the next job starts a fresh worker.
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startThread } from '../runtimeLayout.ts';
import { AnalysisError, isAnalysisErrorCode } from './analysisError.ts';
import type { AnalysisJobArgs, AnalysisJobName } from './analysisJobs.ts';
import type { AnalysisRequest, AnalysisResponse } from './analysisProtocol.ts';

export class AnalysisWorkerCrash extends Error {}

/** How long close() lets a running job finish before its worker is terminated anyway. */
const CLOSE_TIMEOUT_MS = 10_000;

export interface AnalysisPoolOptions {
  /** Workers at most (default: 2, or 1 on a single core). */
  size?: number;
  /** Stop a worker after this long without a job (default 10 min). */
  idleMs?: number;
  /** Worker entry module URL (default: analysisWorkerThread.ts). */
  entry?: string;
  /** Heap limit of each worker, MiB (default 1024): a runaway job ends its worker, not the daemon. */
  maxHeapMb?: number;
}

interface Task {
  id: number;
  request: AnalysisRequest;
  resolve(json: Uint8Array): void;
  reject(err: Error): void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

interface Slot {
  worker: Worker;
  task: Task | null;
  idleTimer: NodeJS.Timeout | null;
  error: Error | null;
}

export class AnalysisPool {
  readonly size: number;
  readonly #idleMs: number;
  readonly #entry: string;
  readonly #maxHeapMb: number;
  readonly #slots: Slot[] = [];
  readonly #queue: Task[] = [];
  #nextId = 1;
  #closed = false;

  constructor(opts: AnalysisPoolOptions = {}) {
    this.size = Math.max(1, opts.size ?? Math.min(2, os.availableParallelism()));
    this.#idleMs = opts.idleMs ?? 10 * 60_000;
    this.#entry = opts.entry ?? 'analysisWorkerThread';
    this.#maxHeapMb = opts.maxHeapMb ?? 1024;
  }

  /** Runs `job` on a worker; resolves with its result as UTF-8 JSON. */
  run<J extends AnalysisJobName>(job: J, dataDir: string, args: AnalysisJobArgs<J>, signal?: AbortSignal): Promise<Uint8Array> {
    if (this.#closed) return Promise.reject(new Error('analysis pool is closed'));
    if (signal?.aborted) return Promise.reject(signal.reason ?? new Error('aborted'));
    return new Promise<Uint8Array>((resolve, reject) => {
      const id = this.#nextId++;
      const task: Task = { id, request: { id, job, dataDir, args }, resolve, reject };
      if (signal) {
        // Only a job still waiting can be withdrawn; a running one finishes and is discarded.
        task.signal = signal;
        task.onAbort = () => {
          const i = this.#queue.indexOf(task);
          if (i < 0) return;
          this.#queue.splice(i, 1);
          reject(signal.reason ?? new Error('aborted'));
        };
        signal.addEventListener('abort', task.onAbort, { once: true });
      }
      this.#queue.push(task);
      this.#dispatch();
    });
  }

  /** Number of live workers (for tests and status). */
  get workers(): number {
    return this.#slots.length;
  }

  /**
   * Refuses new jobs, rejects waiting ones, stops idle workers, and lets running jobs finish
   * (their callers get their answers) before those workers stop too: a worker terminated while
   * inside better-sqlite3's native code can abort the whole process. One still busy after
   * `timeoutMs` is terminated regardless.
   */
  async close(timeoutMs = CLOSE_TIMEOUT_MS): Promise<void> {
    this.#closed = true;
    for (const t of this.#queue.splice(0)) this.#settle(t, new Error('analysis pool is closed'));
    await Promise.all(
      [...this.#slots].map((slot) => {
        const exited = new Promise<void>((resolve) => slot.worker.once('exit', () => resolve()));
        if (slot.task === null) void slot.worker.terminate();
        const timer = setTimeout(() => void slot.worker.terminate(), timeoutMs);
        return exited.finally(() => clearTimeout(timer));
      }),
    );
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      let slot = this.#slots.find((s) => s.task === null);
      if (!slot) {
        if (this.#slots.length >= this.size) return;
        slot = this.#spawn();
      }
      const task = this.#queue.shift()!;
      if (slot.idleTimer) clearTimeout(slot.idleTimer);
      slot.idleTimer = null;
      slot.task = task;
      slot.worker.ref();
      slot.worker.postMessage(task.request);
    }
  }

  #spawn(): Slot {
    const worker = startThread(this.#entry, {}, { resourceLimits: { maxOldGenerationSizeMb: this.#maxHeapMb } });
    worker.unref();
    const slot: Slot = { worker, task: null, idleTimer: null, error: null };
    this.#slots.push(slot);
    worker.on('message', (msg: AnalysisResponse) => this.#onMessage(slot, msg));
    worker.on('error', (err) => {
      slot.error = err;
    });
    worker.on('exit', (code) => this.#onExit(slot, code));
    return slot;
  }

  #onMessage(slot: Slot, msg: AnalysisResponse): void {
    const task = slot.task;
    if (!task || task.id !== msg.id) return;
    slot.task = null;
    if (msg.ok) this.#settle(task, null, msg.json);
    else this.#settle(task, isAnalysisErrorCode(msg.code) ? new AnalysisError(msg.code, msg.message) : new Error(msg.message));
    // Closing: the job is done and the thread is out of native code, so it can stop now.
    if (this.#closed) return void slot.worker.terminate();
    if (this.#queue.length > 0) return this.#dispatch();
    slot.worker.unref();
    slot.idleTimer = setTimeout(() => void slot.worker.terminate(), this.#idleMs);
    slot.idleTimer.unref();
  }

  #onExit(slot: Slot, code: number): void {
    const i = this.#slots.indexOf(slot);
    if (i >= 0) this.#slots.splice(i, 1);
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    const task = slot.task;
    slot.task = null;
    if (task) {
      const why = slot.error?.message ?? `exit code ${code}`;
      this.#settle(task, new AnalysisWorkerCrash(`analysis worker stopped while running "${task.request.job}" (${why})`));
    }
    if (!this.#closed) this.#dispatch();
  }

  #settle(task: Task, err: Error | null, json?: Uint8Array): void {
    if (task.signal && task.onAbort) task.signal.removeEventListener('abort', task.onAbort);
    if (err) task.reject(err);
    else task.resolve(json!);
  }
}
