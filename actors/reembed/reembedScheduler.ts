// The reembed scheduler: gives stored epochs that have no embedding one (notes §5.5), on demand
// (`POST /v1/models/trigger-reembed`) or once no device has been busy for the idle delay.
//
// - The supervised actor is the statechart of machines/reembed.ts; this file supplies its I/O:
//   device status and config changes in, the missing-row count, the encoder check, and the run.
// - A run goes through the days newest first, and through each day's missing epochs oldest first
//   (each raw file is then read forwards). Each chunk of max(batch_size, 10) epochs: read each
//   5 s window from its raw CSV (epochWindows.ts), encode them through the live encoder's thread
//   (`encodeEpochs`, in order with live epochs), write them in one transaction of our own
//   connection (the recorder's writer thread owns only its live rows), tell `stored` listeners
//   (the global similarity index) of each vector, report progress, sleep the throttle.
// - A device becoming busy (connecting, scanning, connected) stops the run between chunks — the
//   chunk in hand is finished, not thrown away — and the statechart resumes it after the next
//   idle period. Rows already filled are simply no longer missing, so resuming is a fresh pass.
// - A row that cannot be filled (no raw data covering its 5 s, the encoder refuses it) is counted
//   as failed and not tried again in the same run. A channel count whose epochs fail 5 times in a
//   row is given up for the rest of the run, as the reference does (its 32-channel GPU hangs).
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fromCallback, fromPromise } from 'xstate';
import { reembedMachine, type ReembedContext, type ReembedEvent, type ReembedStatus, type ReembedTrigger, type RunInput } from '../../machines/reembed.ts';
import type { EegEncoder } from '../embeddings/eegEncoder.ts';
import { EncoderUnavailableError } from '../embeddings/eegEncoder.ts';
import { EncoderLostError, type EpochInput } from '../embeddings/encoderWorker.ts';
import type { EventBus } from '../eventBus.ts';
import type { DaemonLog } from '../log.ts';
import type { SettingsStore } from '../settings/settingsStore.ts';
import type { Db } from '../store/daySchema.ts';
import { EpochWindows } from './epochWindows.ts';
import { dayCounts, embeddingUpdate, missingEpochs, openForEmbeddingUpdates, reembedDays, type DayCounts, type MissingEpoch } from './missingEpochs.ts';
import { chunkSize, readReembedConfig, REEMBED_SETTINGS_KEY } from './reembedConfig.ts';
import { ReembedRuns, type ReembedRunRecord } from './reembedRuns.ts';

/** Device states during which live embedding has the encoder to itself. */
const BUSY_STATES: ReadonlySet<string> = new Set(['connected', 'connecting', 'scanning', 'streaming']);
const CHANNEL_FAILURES_TO_SKIP = 5;
const PROGRESS_EVERY_MS = 250;
const ENCODER_RETRIES = 3;
const ENCODER_WAIT_MS = 30_000;

export type ReembedEncoder = Pick<EegEncoder, 'state' | 'settled' | 'encodeEpochs' | 'stored' | 'family' | 'timings' | 'lastError'>;

export interface ReembedDeps {
  dataDir: string;
  bus: EventBus;
  log: DaemonLog;
  settings: SettingsStore;
  encoder: ReembedEncoder;
  /** The device's wire state now (`disconnected`, `connecting`, `scanning`, `connected`). */
  deviceState(): string;
  /** True while encoder weights download: the reference refuses a run then. */
  weightsDownloading(): boolean;
  now?: () => number;
}

export class ReembedRefused extends Error {
  constructor(
    readonly code: 'already_running' | 'weights_downloading' | 'encoder_unavailable' | 'unavailable',
    message: string,
  ) {
    super(message);
  }
}

/** What one run keeps across pauses. */
interface RunState {
  record: ReembedRunRecord;
  failedRows: Set<string>;
  channelFailures: Map<number, number>;
  skippedCounts: Set<number>;
  /** The run's own counts: a chunk finished after a pause began still counts. */
  counts: { total: number; done: number; failed: number; day: string | null };
  /** ms spent running (not paused), for epochs/s. */
  activeMs: number;
  bytesRead: number;
}

export class ReembedScheduler {
  readonly runs: ReembedRuns;
  #toActor: ((e: ReembedEvent) => void) | null = null;
  #value: unknown = 'idle';
  #context: ReembedContext | null = null;
  #run: RunState | null = null;
  #idleSince: number | null;
  /** Time spent re-embedding (read, encode, write; not throttle sleeps) and epochs it covered, since start. */
  #spentMs = 0;
  #spentEpochs = 0;
  #calibratedMs: number | null = null;
  readonly #now: () => number;

  constructor(private readonly deps: ReembedDeps) {
    this.#now = deps.now ?? Date.now;
    this.runs = new ReembedRuns(deps.dataDir, this.#now());
    this.#idleSince = BUSY_STATES.has(deps.deviceState()) ? null : this.#now();
  }

  /** Feed every snapshot of the reembed actor (the system's `observe`). */
  readonly onSnapshot = (snapshot: unknown): void => {
    const s = snapshot as { value: unknown; context: ReembedContext };
    this.#value = s.value;
    this.#context = s.context;
  };

  /** The statechart's state as one word (`paused` for its sub-states). */
  get state(): string {
    return typeof this.#value === 'string' ? this.#value : 'paused';
  }

  get running(): boolean {
    return ['loading_encoder', 'scanning', 'running', 'paused'].includes(this.state);
  }

  /** Throws the ReembedRefused a trigger would get now, if any. */
  assertCanTrigger(): void {
    if (!this.#toActor) throw new ReembedRefused('unavailable', 'the reembed scheduler is restarting; try again in a moment');
    if (this.deps.weightsDownloading()) throw new ReembedRefused('weights_downloading', 'encoder weights are downloading; re-embed once they are in place');
    const enc = this.deps.encoder.state;
    if (enc === 'metrics_only' || enc === 'failed') {
      throw new ReembedRefused('encoder_unavailable', `no EEG encoder is loaded (${enc.replace('_', ' ')}): ${this.deps.encoder.lastError ?? 'see GET /v1/models/status'}`);
    }
    const state = this.state;
    const c = this.#context;
    if (state === 'paused' && c?.deviceBusy) {
      throw new ReembedRefused('already_running', `a reembed run is paused while a device is connected (${c.done}/${c.total} done); it resumes after the next idle period`);
    }
    if (this.running && state !== 'paused') {
      throw new ReembedRefused('already_running', `a reembed run is already ${state.replace('_', ' ')} (${c?.done ?? 0}/${c?.total ?? 0} done)`);
    }
  }

  /** Starts a run now (or resumes a paused one while nothing is connected). Throws ReembedRefused. */
  trigger(): { ok: true; message: string } {
    this.assertCanTrigger();
    const resuming = this.state === 'paused';
    const busy = this.#context?.deviceBusy ?? false;
    this.#toActor!({ type: 'reembed.trigger' });
    if (resuming) return { ok: true, message: 'reembed resumed' };
    return { ok: true, message: busy ? 'reembed started; it waits while a device is connected' : 'reembed started' };
  }

  /** `idle_reembed` of the estimate (notes §5.5), with the scheduler's state. */
  status() {
    const c = this.#context;
    const cfg = readReembedConfig(this.deps.settings);
    const active = this.running;
    const n = this.#run?.counts ?? c;
    return {
      active: active && c?.trigger === 'idle',
      idle_secs: this.#idleSince === null ? 0 : Math.floor((this.#now() - this.#idleSince) / 1000),
      delay_secs: cfg.idle_reembed_delay_secs,
      total: active ? n?.total ?? 0 : 0,
      done: active ? n?.done ?? 0 : 0,
      current_day: active ? n?.day ?? null : null,
      enabled: cfg.idle_reembed_enabled,
      state: this.state,
      trigger: active ? c?.trigger ?? null : null,
      failed: active ? n?.failed ?? 0 : 0,
      reason: c?.reason ?? null,
      run_id: active ? this.#run?.record.id ?? null : null,
    };
  }

  /** `GET /v1/models/estimate-reembed` (notes §5.5) with a measured time per epoch. */
  async estimate() {
    const perDay: DayCounts[] = reembedDays(this.deps.dataDir).map(dayCounts);
    const total = perDay.reduce((n, d) => n + d.total, 0);
    const missing = perDay.reduce((n, d) => n + d.missing, 0);
    // Calibrating wakes a parked encoder: only worth it when there is something to estimate.
    const { ms, source } = await this.#perEpochMs(missing > 0);
    const cfg = readReembedConfig(this.deps.settings);
    const perEpochWithThrottle = ms + cfg.idle_reembed_throttle_ms / chunkSize(cfg);
    return {
      total_epochs: total,
      embedded: total - missing,
      missing,
      date_dirs: perDay.length,
      coverage_pct: total ? Math.round(((total - missing) / total) * 1000) / 10 : 0,
      avg_embed_ms: Math.round(ms * 1000) / 1000,
      avg_embed_source: source,
      eta_secs: Math.ceil((missing * perEpochWithThrottle) / 1000),
      per_day: perDay,
      idle_reembed: this.status(),
    };
  }

  /** The statechart's input, read at every (re)start. */
  input() {
    const cfg = readReembedConfig(this.deps.settings);
    return { idleEnabled: cfg.idle_reembed_enabled, idleDelaySecs: cfg.idle_reembed_delay_secs, deviceBusy: BUSY_STATES.has(this.deps.deviceState()) };
  }

  /** The actor to run under the supervisor. */
  logic() {
    const missingNow = () => reembedDays(this.deps.dataDir).reduce((n, d) => n + dayCounts(d).missing, 0);
    return reembedMachine.provide({
      actors: {
        watch: fromCallback<ReembedEvent>(({ sendBack }) => {
          this.#toActor = sendBack;
          let wasBusy = BUSY_STATES.has(this.deps.deviceState());
          this.#idleSince = wasBusy ? null : this.#now();
          const offBus = this.deps.bus.subscribe((e) => {
            if (e.type !== 'status') return;
            const busy = BUSY_STATES.has(String((e.payload as { state?: unknown }).state));
            if (busy === wasBusy) return;
            wasBusy = busy;
            this.#idleSince = busy ? null : this.#now();
            sendBack({ type: busy ? 'device.busy' : 'device.idle' });
          });
          // Once the daemon is assembled (the device may have changed while it was), say where the
          // device stands; this also gives snapshot observers a first snapshot.
          const initial = setImmediate(() => sendBack({ type: wasBusy ? 'device.busy' : 'device.idle' }));
          const offSettings = this.deps.settings.onChange((_next, changed) => {
            if (!changed.includes(REEMBED_SETTINGS_KEY)) return;
            const c = readReembedConfig(this.deps.settings);
            sendBack({ type: 'reembed.configure', idleEnabled: c.idle_reembed_enabled, idleDelaySecs: c.idle_reembed_delay_secs });
          });
          return () => {
            clearImmediate(initial);
            offBus();
            offSettings();
            if (this.#toActor === sendBack) this.#toActor = null;
            this.#endRun('interrupted', 'the reembed actor stopped during the run');
          };
        }),
        check: fromPromise(async () => ({ missing: missingNow(), encoderReady: this.deps.encoder.state === 'ready' })),
        loadEncoder: fromPromise(async () => {
          const state = await this.deps.encoder.settled(ENCODER_WAIT_MS);
          if (state !== 'ready') throw new Error(`no EEG encoder is loaded (${state.replace('_', ' ')}): ${this.deps.encoder.lastError ?? 'see GET /v1/models/status'}`);
        }),
        scan: fromPromise<number, { run: number }>(async () => {
          const total = missingNow();
          if (this.#run) this.#run.counts.total = total;
          return total;
        }),
        runBatches: fromCallback<ReembedEvent, RunInput>(({ sendBack }) => {
          const abort = new AbortController();
          void this.#runBatches(abort.signal, sendBack);
          return () => abort.abort();
        }),
      },
      actions: {
        report: ({ context }, params: { status: ReembedStatus }) => this.#report(params.status, context),
      },
    });
  }

  #report(status: ReembedStatus, c: ReembedContext): void {
    const now = this.#now();
    if (status === 'loading_encoder') this.#startRun(c.trigger ?? 'manual', now);
    const run = this.#run;
    // The run's own counts are ahead of the statechart's by the chunk that finished after a pause.
    const n = run?.counts ?? c;
    const payload: Record<string, unknown> = { status, total: n.total, done: n.done, failed: n.failed, date: n.day, day: n.day };
    if (run) {
      payload.run_id = run.record.id;
      payload.trigger = run.record.trigger;
      this.runs.update(run.record.id, { total: n.total, done: n.done, failed: n.failed }, false);
    }
    if (status === 'paused') {
      payload.reason = c.reason ?? 'device_connected';
      if (run) this.runs.update(run.record.id, { outcome: 'paused', pauses: run.record.pauses + 1 }, true);
    }
    if (status === 'running' && run && run.record.outcome === 'paused') this.runs.update(run.record.id, { outcome: 'running' }, true);
    if (status === 'error') payload.message = c.error ?? 'reembed failed';
    if (status === 'done') payload.message = `${n.done} epoch(s) embedded, ${n.failed} failed`;
    this.deps.bus.publish('reembed-progress', payload);
    if (status === 'done') {
      const trigger = run?.record.trigger;
      this.#endRun('done', payload.message as string);
      this.deps.log.info('reembed', `run done: ${n.done} embedded, ${n.failed} failed of ${n.total}`);
      if (trigger === 'idle') this.deps.bus.publish('reembed-progress', { ...payload, status: 'idle_done' });
    } else if (status === 'error') {
      this.#endRun('error', c.error ?? 'reembed failed');
      this.deps.log.warn('reembed', `run failed: ${c.error}`);
    }
  }

  #startRun(trigger: ReembedTrigger, now: number): void {
    const id = `${now.toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
    const record: ReembedRunRecord = {
      id, trigger, started_at: now, ended_at: null, outcome: 'running', total: 0, done: 0, failed: 0, failures: {},
      skipped_channel_counts: [], pauses: 0, model: this.deps.encoder.family, epochs_per_sec: null, bytes_read: 0, message: null,
    };
    this.#run = { record, counts: { total: 0, done: 0, failed: 0, day: null }, failedRows: new Set(), channelFailures: new Map(), skippedCounts: new Set(), activeMs: 0, bytesRead: 0 };
    this.runs.start(record);
  }

  #endRun(outcome: 'done' | 'error' | 'interrupted', message: string): void {
    const run = this.#run;
    if (!run) return;
    this.#run = null;
    const r = run.record;
    this.runs.update(r.id, {
      outcome,
      ended_at: this.#now(),
      message,
      bytes_read: run.bytesRead,
      epochs_per_sec: run.activeMs > 0 ? Math.round((r.done / (run.activeMs / 1000)) * 10) / 10 : null,
    }, true);
  }

  async #runBatches(signal: AbortSignal, sendBack: (e: ReembedEvent) => void): Promise<void> {
    const run = this.#run;
    if (!run) {
      sendBack({ type: 'run.failed', error: 'no run in progress' });
      return;
    }
    const windows = new EpochWindows();
    const counts = run.counts;
    let lastProgress = 0;
    const progress = (force: boolean) => {
      const now = performance.now();
      if (!force && now - lastProgress < PROGRESS_EVERY_MS) return;
      lastProgress = now;
      this.runs.update(run.record.id, { total: counts.total, done: counts.done, failed: counts.failed, failures: run.record.failures, skipped_channel_counts: [...run.skippedCounts] }, false);
      sendBack({ type: 'run.progress', ...counts });
    };
    const started = performance.now();
    let accounted = false;
    // Time and bytes go into the run before it is reported finished (the report closes the record).
    const account = () => {
      if (accounted) return;
      accounted = true;
      run.activeMs += performance.now() - started;
      run.bytesRead += windows.bytesRead;
    };
    try {
      for (const dayDir of reembedDays(this.deps.dataDir)) {
        const day = path.basename(dayDir);
        const rows = missingEpochs(dayDir).filter((r) => !run.failedRows.has(`${day}:${r.id}`));
        if (rows.length === 0) continue;
        counts.day = day;
        // Rows that appeared since the count (a session recorded meanwhile) are added to the total.
        const size = chunkSize(readReembedConfig(this.deps.settings));
        let db: Db | null = null;
        try {
          for (let i = 0; i < rows.length; i += size) {
            if (signal.aborted) return;
            const t0 = performance.now();
            const chunk = rows.slice(i, i + size);
            const filled = await this.#fillChunk(dayDir, chunk, windows, run, () => (db ??= openForEmbeddingUpdates(dayDir)));
            counts.done += filled.done;
            counts.failed += filled.failed;
            counts.total = Math.max(counts.total, counts.done + counts.failed);
            this.#spentMs += performance.now() - t0;
            this.#spentEpochs += chunk.length;
            progress(i + size >= rows.length);
            const throttle = readReembedConfig(this.deps.settings).idle_reembed_throttle_ms;
            if (throttle > 0 && !signal.aborted) await sleep(throttle, undefined, { signal }).catch(() => undefined);
          }
        } finally {
          (db as Db | null)?.close();
        }
      }
      if (signal.aborted) return;
      const left = reembedDays(this.deps.dataDir).reduce((n, d) => n + dayCounts(d).missing, 0);
      progress(true);
      account();
      sendBack({ type: 'run.finished', left, ...counts });
    } catch (err) {
      account();
      if (!signal.aborted) sendBack({ type: 'run.failed', error: (err as Error).message ?? String(err) });
    } finally {
      account();
      await windows.close();
      if (this.#run === run) this.runs.update(run.record.id, { bytes_read: run.bytesRead, ...counts }, signal.aborted);
    }
  }

  /** Reads, encodes and stores one chunk of a day's missing epochs. */
  async #fillChunk(dayDir: string, chunk: MissingEpoch[], windows: EpochWindows, run: RunState, db: () => Db): Promise<{ done: number; failed: number }> {
    const day = path.basename(dayDir);
    let failed = 0;
    const fail = (row: MissingEpoch, reason: string) => {
      run.failedRows.add(`${day}:${row.id}`);
      run.record.failures[reason] = (run.record.failures[reason] ?? 0) + 1;
      failed++;
    };
    const ready: Array<{ row: MissingEpoch; input: EpochInput }> = [];
    for (const row of chunk) {
      const w = await windows.window(dayDir, row.startMs, row.deviceName);
      if (!w.ok) {
        fail(row, w.reason);
        continue;
      }
      if (run.skippedCounts.has(w.channels.length)) {
        fail(row, 'channel_count_skipped');
        continue;
      }
      ready.push({ row, input: { channels: w.channels, sampleRateHz: w.sampleRateHz } });
    }
    if (ready.length === 0) return { done: 0, failed };

    const vectors = await this.#encode(ready.map((r) => r.input), run);
    const stored: Array<{ row: MissingEpoch; vector: Float32Array }> = [];
    const conn = db();
    const update = embeddingUpdate(conn);
    conn.transaction(() => {
      ready.forEach((r, i) => {
        const v = vectors[i]!;
        if (typeof v !== 'string' && update(r.row.id, v)) stored.push({ row: r.row, vector: v });
      });
    })();
    ready.forEach((r, i) => {
      const v = vectors[i]!;
      if (typeof v === 'string') fail(r.row, v);
    });
    const model = this.deps.encoder.family;
    for (const s of stored) {
      this.deps.encoder.stored.emitStored({ timestampMs: s.row.startMs, dayDir, vector: s.vector, deviceName: s.row.deviceName ?? '', model });
    }
    // A row filled meanwhile by someone else is neither done by this run nor failed.
    return { done: stored.length, failed };
  }

  /**
   * Vectors for the epochs, or why one has none. A refused batch is retried one epoch at a time;
   * the encoder going away (reload, thread restart) is waited out a few times.
   */
  async #encode(inputs: EpochInput[], run: RunState): Promise<Array<Float32Array | 'encoder_refused' | 'channel_count_skipped'>> {
    try {
      const vectors = await this.#encodeWaiting(inputs);
      for (const input of inputs) run.channelFailures.set(input.channels.length, 0);
      return vectors;
    } catch (err) {
      if (isEncoderGone(err)) throw err;
    }
    const out: Array<Float32Array | 'encoder_refused' | 'channel_count_skipped'> = [];
    for (const input of inputs) {
      const count = input.channels.length;
      if (run.skippedCounts.has(count)) {
        out.push('channel_count_skipped');
        continue;
      }
      try {
        out.push((await this.#encodeWaiting([input]))[0] ?? 'encoder_refused');
        run.channelFailures.set(count, 0);
      } catch (err) {
        if (isEncoderGone(err)) throw err;
        out.push('encoder_refused');
        const n = (run.channelFailures.get(count) ?? 0) + 1;
        run.channelFailures.set(count, n);
        if (n >= CHANNEL_FAILURES_TO_SKIP) {
          run.skippedCounts.add(count);
          run.record.skipped_channel_counts = [...run.skippedCounts];
          this.deps.log.warn('reembed', `${count}-channel epochs failed ${n} times in a row (${(err as Error).message}); skipping that channel count for the rest of the run`);
        }
      }
    }
    return out;
  }

  async #encodeWaiting(inputs: EpochInput[]): Promise<Float32Array[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.deps.encoder.encodeEpochs(inputs)).vectors;
      } catch (err) {
        if (!isEncoderGone(err) || attempt >= ENCODER_RETRIES) throw err;
        const state = await this.deps.encoder.settled(ENCODER_WAIT_MS);
        if (state !== 'ready') throw new Error(`the EEG encoder became ${state.replace('_', ' ')} during the run`);
      }
    }
  }

  /**
   * Time per epoch: measured over every epoch re-embedded since start (all days, all montages —
   * a 32-channel 500 Hz epoch costs ten times a 4-channel one), else the live encoder's, else one
   * calibration encode of a 4-channel epoch.
   */
  async #perEpochMs(mayCalibrate: boolean): Promise<{ ms: number; source: 'reembed' | 'live' | 'calibration' | 'none' }> {
    if (this.#spentEpochs) return { ms: this.#spentMs / this.#spentEpochs, source: 'reembed' };
    if (this.deps.encoder.timings.avgMs > 0) return { ms: this.deps.encoder.timings.avgMs, source: 'live' };
    if (this.#calibratedMs !== null) return { ms: this.#calibratedMs, source: 'calibration' };
    // Parked or loading is fine: encodeEpochs wakes it and waits for the model.
    if (!mayCalibrate || this.deps.encoder.state === 'metrics_only' || this.deps.encoder.state === 'failed') return { ms: 0, source: 'none' };
    try {
      const epoch: EpochInput = { channels: Array.from({ length: 4 }, (_, c) => Float32Array.from({ length: 1280 }, (_, i) => 40 * Math.sin((2 * Math.PI * (c + 9) * i) / 256))), sampleRateHz: 256 };
      await this.deps.encoder.encodeEpochs([epoch]);
      const t0 = performance.now();
      const n = 4;
      await this.deps.encoder.encodeEpochs(Array.from({ length: n }, () => epoch));
      this.#calibratedMs = (performance.now() - t0) / n;
      return { ms: this.#calibratedMs, source: 'calibration' };
    } catch {
      return { ms: 0, source: 'none' };
    }
  }
}

function isEncoderGone(err: unknown): boolean {
  return err instanceof EncoderUnavailableError || err instanceof EncoderLostError;
}
