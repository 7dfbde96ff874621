// The main-thread side of the writer thread. Frames are gathered per segment and posted as one
// batch every FLUSH_EVERY_MS, so a killed daemon loses at most that much plus what is in flight.
// The bytes posted but not yet acknowledged are the disk's backlog: past `maxBacklogBytes` new
// data is dropped (and counted) instead of growing memory without bound, and `backlog(true)` is
// reported until the writer has caught up to half the limit.
//
// The thread parks when idle: once its start-up repair is done and no segment is open, nothing
// is unacknowledged and no finish is outstanding, it is asked to close after `idleMs` (it closes
// its handles and exits by itself). Anything posted meanwhile waits for that exit and goes to a
// new thread, whose repair pass finds nothing to do (every segment of this run was finished).
import fs from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { startThread } from '../runtimeLayout.ts';
import { segmentCsvPath } from './segmentWriter.ts';
import { hasUnfinishedSessions } from './sessionRepair.ts';
import type { EegFrame, ImuFrame, PpgFrame } from '../devices/source.ts';
import type { Batch, EmbeddingUpdate, EpochRow, FinishSpec, FromWriter, SegmentSpec, SnapshotRow, ToWriter, WriterTotals } from './writerProtocol.ts';

export const FLUSH_EVERY_MS = 100;
export const DEFAULT_MAX_BACKLOG_BYTES = 64 * 1024 * 1024;
export const DEFAULT_IDLE_MS = 10_000;

export interface WriterOptions {
  /** Bytes posted but not yet written past which new data is dropped. */
  maxBacklogBytes?: number;
  /** How long the thread stays up with nothing to do before it is asked to exit. */
  idleMs?: number;
}

/** `closing`: asked to exit, not gone yet; `parked`: no thread (the next message starts one). */
export type WriterThreadState = 'running' | 'closing' | 'parked';

export interface WriterListener {
  opened(id: number, csvPath: string): void;
  failed(id: number, code: string, message: string): void;
  backlog(behind: boolean): void;
  repaired(csvPaths: string[]): void;
  /** Something went wrong that concerns no segment (an embedding without its row). */
  warning?(message: string): void;
}

export interface WriterStats {
  backlogBytes: number;
  droppedSamples: number;
  totals: WriterTotals;
}

const emptyBatch = (): Batch => ({ eeg: [], ppg: [], imu: [], snapshots: [], epochs: [] });
const zeroTotals = (): WriterTotals => ({ samples: 0, ppgSamples: 0, imuSamples: 0, snapshots: 0, epochs: 0 });

export class RecordingWriter {
  /** The thread that takes messages. */
  #worker: Worker | null = null;
  /** A thread asked to exit; nothing is posted to it, and no new thread starts until it has. */
  #leaving: Worker | null = null;
  /** Messages posted while `#leaving` exits, for the next thread. */
  #queued: ToWriter[] = [];
  /** The current thread has not finished its start-up repair. */
  #repairing = false;
  /** `close()` was called: nothing starts a thread again. */
  #shut = false;
  #nextId = 1;
  readonly #open = new Set<number>();
  /** Paths handed out this run: the thread may not have created the file yet. */
  readonly #used = new Set<string>();
  readonly #pending = new Map<number, { batch: Batch; bytes: number }>();
  readonly #finishing = new Map<number, () => void>();
  readonly #unfinished = new Set<Promise<void>>();
  #inFlight = 0;
  #behind = false;
  #dropped = 0;
  #totals = zeroTotals();
  #timer: NodeJS.Timeout | null = null;
  #idleTimer: NodeJS.Timeout | null = null;
  #markReady = () => {};
  #ready = Promise.resolve();
  readonly #maxBacklogBytes: number;
  readonly #idleMs: number;

  constructor(
    private readonly dataDir: string,
    private readonly listener: WriterListener,
    options: WriterOptions = {},
  ) {
    this.#maxBacklogBytes = options.maxBacklogBytes ?? DEFAULT_MAX_BACKLOG_BYTES;
    this.#idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
  }

  get thread(): WriterThreadState {
    return this.#worker ? 'running' : this.#leaving ? 'closing' : 'parked';
  }

  stats(): WriterStats {
    return { backlogBytes: this.#inFlight, droppedSamples: this.#dropped, totals: { ...this.#totals } };
  }

  /**
   * If a killed run left sessions unfinished, starts the writer thread now instead of at the
   * first segment and resolves once it has finished them, so nothing lists them half-written
   * (the thread parks `idleMs` after that if nothing records). With nothing to repair — the usual
   * start — no thread starts until something records.
   */
  async start(): Promise<void> {
    if (this.#leaving) await exited(this.#leaving);
    if (!this.#worker && !hasUnfinishedSessions(this.dataDir)) return;
    this.#ensureWorker();
    return this.#ready;
  }

  /** Opens a segment; its id and raw CSV path are known at once, the file appears shortly after. */
  open(spec: Omit<SegmentSpec, 'id' | 'csvPath'>): { id: number; csvPath: string; startMs: number } {
    const id = this.#nextId++;
    const { csvPath, startMs } = segmentCsvPath(this.dataDir, spec.startMs, (f) => this.#used.has(f) || fs.existsSync(f));
    this.#used.add(csvPath);
    this.#open.add(id);
    this.#totals = zeroTotals();
    this.#dropped = 0;
    this.#post({ type: 'open', segment: { ...spec, id, csvPath, startMs } });
    return { id, csvPath, startMs };
  }

  eeg(id: number, f: EegFrame): void {
    const n = f.channels[0]?.length ?? 0;
    this.#add(id, n * f.channels.length * 4 + 32, n, (b) => b.eeg.push({ t0Ms: f.t0Ms, rateHz: f.sampleRateHz, channels: f.channels }));
  }

  ppg(id: number, f: PpgFrame): void {
    const n = f.channels[0]?.length ?? 0;
    this.#add(id, n * f.channels.length * 4 + 32, 0, (b) => b.ppg.push({ t0Ms: f.t0Ms, rateHz: f.sampleRateHz, channels: f.channels }));
  }

  imu(id: number, f: ImuFrame): void {
    this.#add(id, f.samples.length * 24 + 32, 0, (b) => b.imu.push({ sensor: f.sensor, t0Ms: f.t0Ms, rateHz: f.sampleRateHz, samples: f.samples }));
  }

  snapshot(id: number, row: SnapshotRow): void {
    this.#add(id, 2048, 0, (b) => b.snapshots.push(row));
  }

  epoch(id: number, row: EpochRow): void {
    this.#add(id, 1024, 0, (b) => b.epochs.push(row));
  }

  /**
   * Stores an epoch's embedding. Sent after the segment's pending data, so the row it updates has
   * been inserted by the time the writer thread reads this.
   */
  embedding(update: EmbeddingUpdate): void {
    for (const id of this.#pending.keys()) this.#flush(id);
    this.#post({ type: 'embedding', update });
  }

  /** Flushes the segment's last data and writes its sidecar; resolves once the writer has done so. */
  finish(spec: FinishSpec): Promise<void> {
    if (!this.#open.has(spec.id)) return Promise.resolve();
    this.#open.delete(spec.id);
    if (this.#shut) return Promise.resolve();
    this.#flush(spec.id);
    this.#pending.delete(spec.id);
    const done = new Promise<void>((resolve) => {
      this.#finishing.set(spec.id, resolve);
      this.#post({ type: 'finish', finish: spec });
    });
    this.#unfinished.add(done);
    void done.then(() => this.#unfinished.delete(done));
    return done;
  }

  /** Makes the thread die as a native crash would (tests). */
  injectFault(): void {
    this.#post({ type: 'fault' });
  }

  /**
   * Waits for finishing segments, then has the thread close its handles and exit; at most
   * `timeoutMs` for each. A thread still busy after that is left to exit by itself (it is
   * unref'd): stopping it inside a better-sqlite3 call could abort the whole process.
   */
  async close(timeoutMs = 5_000): Promise<void> {
    const upTo = (p: Promise<unknown>) => Promise.race([p, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    await upTo(Promise.all(this.#unfinished));
    this.#shut = true;
    this.#queued = [];
    if (this.#worker) this.#park();
    const w = this.#leaving;
    if (!w) return;
    w.ref();
    await upTo(exited(w));
    w.unref();
  }

  #add(id: number, bytes: number, samples: number, put: (b: Batch) => void): void {
    if (!this.#open.has(id)) return;
    if (this.#inFlight + bytes > this.#maxBacklogBytes) {
      this.#dropped += samples;
      this.#setBehind(true);
      return;
    }
    let p = this.#pending.get(id);
    if (!p) this.#pending.set(id, (p = { batch: emptyBatch(), bytes: 0 }));
    put(p.batch);
    p.bytes += bytes;
    this.#inFlight += bytes;
  }

  #flush(id: number): void {
    const p = this.#pending.get(id);
    if (!p || p.bytes === 0) return;
    this.#pending.set(id, { batch: emptyBatch(), bytes: 0 });
    this.#post({ type: 'batch', id, bytes: p.bytes, batch: p.batch });
  }

  #setBehind(behind: boolean): void {
    if (behind === this.#behind) return;
    this.#behind = behind;
    this.listener.backlog(behind);
  }

  #post(msg: ToWriter): void {
    if (this.#shut) return;
    this.#cancelIdle();
    if (this.#leaving) {
      // Held for the next thread; the process waits for the exit that starts it.
      this.#queued.push(msg);
      this.#leaving.ref();
    } else {
      this.#ensureWorker().postMessage(msg);
    }
    this.#idleSoon();
  }

  #ensureWorker(): Worker {
    if (this.#worker) return this.#worker;
    const w = startThread('writerThread', { options: { dataDir: this.dataDir } });
    w.unref();
    this.#repairing = true;
    this.#ready = new Promise<void>((resolve) => (this.#markReady = resolve));
    w.on('message', (msg: FromWriter) => this.#onMessage(msg));
    w.on('error', (err) => {
      if (this.#worker === w) this.#lost(`writer thread failed: ${err.message}`);
      else if (this.#leaving === w) this.listener.warning?.(`writer thread failed while closing: ${err.message}`);
    });
    w.on('exit', (code) => {
      if (this.#worker === w) this.#lost(`writer thread exited with code ${code}`);
      else if (this.#leaving === w) this.#left();
    });
    this.#worker = w;
    this.#timer ??= setInterval(() => {
      for (const id of this.#pending.keys()) this.#flush(id);
    }, FLUSH_EVERY_MS);
    this.#timer.unref();
    return w;
  }

  #idle(): boolean {
    return !this.#repairing && this.#open.size === 0 && this.#pending.size === 0 && this.#inFlight === 0 && this.#finishing.size === 0;
  }

  /** (Re)arms the park timer when the thread has nothing to do. */
  #idleSoon(): void {
    if (this.#idleTimer || !this.#worker || !this.#idle()) return;
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = null;
      if (this.#worker && this.#idle()) this.#park();
    }, this.#idleMs);
    this.#idleTimer.unref();
  }

  #cancelIdle(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
  }

  /** Asks the thread to close its handles and exit; from now on messages wait for its exit. */
  #park(): void {
    this.#cancelIdle();
    this.#stopFlushing();
    const w = this.#worker!;
    this.#worker = null;
    this.#leaving = w;
    w.postMessage({ type: 'close' } satisfies ToWriter);
  }

  /** The thread asked to exit has: what was posted meanwhile goes to a new one. */
  #left(): void {
    this.#leaving = null;
    if (this.#queued.length === 0 || this.#shut) return;
    const queued = this.#queued;
    this.#queued = [];
    const w = this.#ensureWorker();
    for (const msg of queued) w.postMessage(msg);
    this.#idleSoon();
  }

  #stopFlushing(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** The thread is gone: every open segment has failed; the next open starts a new thread (which repairs them). */
  #lost(message: string): void {
    this.#worker = null;
    this.#cancelIdle();
    this.#stopFlushing();
    this.#markReady();
    this.#inFlight = 0;
    this.#setBehind(false);
    for (const id of this.#open) this.listener.failed(id, 'EWORKER', message);
    this.#open.clear();
    this.#pending.clear();
    for (const done of this.#finishing.values()) done();
    this.#finishing.clear();
  }

  #onMessage(msg: FromWriter): void {
    switch (msg.type) {
      case 'ready':
        this.#repairing = false;
        if (msg.repaired.length > 0) this.listener.repaired(msg.repaired);
        this.#markReady();
        return this.#idleSoon();
      case 'opened':
        return this.listener.opened(msg.id, msg.csvPath);
      case 'ack':
        this.#inFlight = Math.max(0, this.#inFlight - msg.bytes);
        if (this.#open.has(msg.id)) this.#totals = msg.totals;
        if (this.#behind && this.#inFlight < this.#maxBacklogBytes / 2) this.#setBehind(false);
        return this.#idleSoon();
      case 'finished':
        this.#finishing.get(msg.id)?.();
        this.#finishing.delete(msg.id);
        return this.#idleSoon();
      case 'warning':
        return this.listener.warning?.(msg.message);
      case 'failed': {
        // Data gathered for the segment but not yet posted will never be acknowledged.
        this.#inFlight = Math.max(0, this.#inFlight - (this.#pending.get(msg.id)?.bytes ?? 0));
        this.#open.delete(msg.id);
        this.#pending.delete(msg.id);
        this.#finishing.get(msg.id)?.();
        this.#finishing.delete(msg.id);
        this.listener.failed(msg.id, msg.code, msg.message);
        return this.#idleSoon();
      }
    }
  }
}

const exited = (w: Worker) => new Promise<void>((resolve) => w.once('exit', () => resolve()));
