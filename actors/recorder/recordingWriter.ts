// The main-thread side of the writer thread. Frames are gathered per segment and posted as one
// batch every FLUSH_EVERY_MS, so a killed daemon loses at most that much plus what is in flight.
// The bytes posted but not yet acknowledged are the disk's backlog: past `maxBacklogBytes` new
// data is dropped (and counted) instead of growing memory without bound, and `backlog(true)` is
// reported until the writer has caught up to half the limit.
import fs from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { startThread } from '../runtimeLayout.ts';
import { segmentCsvPath } from './segmentWriter.ts';
import type { EegFrame, ImuFrame, PpgFrame } from '../devices/source.ts';
import type { Batch, EmbeddingUpdate, EpochRow, FinishSpec, FromWriter, SegmentSpec, SnapshotRow, ToWriter, WriterTotals } from './writerProtocol.ts';

export const FLUSH_EVERY_MS = 100;
export const DEFAULT_MAX_BACKLOG_BYTES = 64 * 1024 * 1024;

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
  #worker: Worker | null = null;
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
  #markReady!: () => void;
  readonly #ready = new Promise<void>((resolve) => (this.#markReady = resolve));

  constructor(
    private readonly dataDir: string,
    private readonly listener: WriterListener,
    private readonly maxBacklogBytes = DEFAULT_MAX_BACKLOG_BYTES,
  ) {}

  stats(): WriterStats {
    return { backlogBytes: this.#inFlight, droppedSamples: this.#dropped, totals: { ...this.#totals } };
  }

  /**
   * Starts the writer thread now instead of at the first segment; resolves once it has finished
   * the sessions a killed run left behind, so nothing lists them half-written.
   */
  start(): Promise<void> {
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

  /** Waits (at most `timeoutMs`) for finishing segments, then stops the thread. */
  async close(timeoutMs = 5_000): Promise<void> {
    await Promise.race([Promise.all(this.#unfinished), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    const w = this.#worker;
    this.#worker = null;
    await w?.terminate();
  }

  #add(id: number, bytes: number, samples: number, put: (b: Batch) => void): void {
    if (!this.#open.has(id)) return;
    if (this.#inFlight + bytes > this.maxBacklogBytes) {
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
    this.#ensureWorker().postMessage(msg);
  }

  #ensureWorker(): Worker {
    if (this.#worker) return this.#worker;
    const w = startThread('writerThread', { options: { dataDir: this.dataDir } });
    w.unref();
    w.on('message', (msg: FromWriter) => this.#onMessage(msg));
    w.on('error', (err) => this.#lost(`writer thread failed: ${err.message}`));
    w.on('exit', (code) => {
      if (this.#worker === w) this.#lost(`writer thread exited with code ${code}`);
    });
    this.#worker = w;
    this.#timer ??= setInterval(() => {
      for (const id of this.#pending.keys()) this.#flush(id);
    }, FLUSH_EVERY_MS);
    this.#timer.unref();
    return w;
  }

  /** The thread is gone: every open segment has failed; the next open starts a new thread (which repairs them). */
  #lost(message: string): void {
    this.#worker = null;
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
        if (msg.repaired.length > 0) this.listener.repaired(msg.repaired);
        return this.#markReady();
      case 'opened':
        return this.listener.opened(msg.id, msg.csvPath);
      case 'ack':
        this.#inFlight = Math.max(0, this.#inFlight - msg.bytes);
        if (this.#open.has(msg.id)) this.#totals = msg.totals;
        if (this.#behind && this.#inFlight < this.maxBacklogBytes / 2) this.#setBehind(false);
        return;
      case 'finished':
        this.#finishing.get(msg.id)?.();
        this.#finishing.delete(msg.id);
        return;
      case 'warning':
        return this.listener.warning?.(msg.message);
      case 'failed':
        this.#open.delete(msg.id);
        this.#pending.delete(msg.id);
        this.#finishing.get(msg.id)?.();
        this.#finishing.delete(msg.id);
        return this.listener.failed(msg.id, msg.code, msg.message);
    }
  }
}
