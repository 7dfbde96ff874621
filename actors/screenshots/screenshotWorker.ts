// The screenshot capture worker (notes §8.5): the supervised actor of
// machines/screenshotCapture.ts, with its I/O here.
//
// - capture: the capture command writes a full-resolution PNG into `screenshots/.incoming/`;
//   sharp encodes it as WebP (fit into image_size, at quality) into `screenshots/YYYYMMDD/`; the
//   row goes into screenshots.sqlite and `screenshot-captured` is published.
// - ocr: Tesseract reads the PNG (a child process), the text lands in the row and the FTS5 index
//   in one transaction, `screenshot-ocr` is published, and the PNG is removed.
// - settings and the device: `screenshot` settings changes and device sessions (for
//   `session_only`) become statechart events, so they apply at once.
//
// Counters and timings since start feed `GET /v1/settings/screenshot/metrics`.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fromCallback, fromPromise } from 'xstate';
import { screenshotCaptureMachine, retryDelayMs, type CaptureOutput, type ScreenshotContext, type ScreenshotEvent, type ScreenshotMachineInput } from '../../machines/screenshotCapture.ts';
import type { EventBus } from '../eventBus.ts';
import type { DaemonLog } from '../log.ts';
import { screenshotConfigSection, type ScreenshotConfig } from '../settings/screenshotConfig.ts';
import { readSection } from '../settings/settingsSection.ts';
import type { SettingsStore } from '../settings/settingsStore.ts';
import { CaptureCommand } from './captureCommand.ts';
import { captureFilename, captureStamp, INCOMING_DIR, screenshotsRoot } from './screenshotFiles.ts';
import { ScreenshotStore, type ScreenshotCounts, type ScreenshotResult } from './screenshotStore.ts';
import { recognizeText, tesseractAvailability, type OcrAvailability } from './tesseractOcr.ts';
import { encodeWebp } from './webpEncoder.ts';

/** Device states in which a session is open (`session_only` captures only then). */
const SESSION_STATES: ReadonlySet<string> = new Set(['connected', 'streaming']);
const SETTINGS_KEY = 'screenshot';
/** Same-second captures get `_1`, `_2`…; beyond this the clock must be wrong. */
const MAX_SAME_SECOND = 50;

export interface ScreenshotWorkerDeps {
  dataDir: string;
  bus: EventBus;
  log: DaemonLog;
  settings: SettingsStore;
  /** The device's wire state now. */
  deviceState(): string;
  /** SKILL_SCREENSHOT_COMMAND, or null for the platform's tools. */
  captureCommand: string[] | null;
  now?: () => number;
}

/** Timings of the last capture and its OCR, in µs as the reference's metrics. */
interface LastTimings {
  capture_us: number;
  resize_us: number;
  save_us: number;
  capture_total_us: number;
  ocr_us: number;
  /** From the capture command's start until the text was searchable. */
  capture_to_searchable_ms: number | null;
}

/** How long after start-up the tesseract probe runs when no capture has asked for it first. */
const OCR_PROBE_DELAY_MS = 3_000;

export class ScreenshotWorker {
  readonly store: ScreenshotStore;
  readonly #command: CaptureCommand;
  readonly #now: () => number;
  readonly #root: string;
  readonly #incoming: string;
  /** Full-resolution captures waiting for OCR, by row id, with the capture's start (performance.now()). */
  readonly #pendingOcr = new Map<number, { png: string; startedAt: number }>();
  #lastAttemptAt: number | null = null;
  #state = 'disabled';
  #context: ScreenshotContext | null = null;
  #captureErrors = 0;
  #ocrErrors = 0;
  #capturesSinceStart = 0;
  #lastError: string | null = null;
  #lastOcrError: string | null = null;
  #timings: LastTimings = { capture_us: 0, resize_us: 0, save_us: 0, capture_total_us: 0, ocr_us: 0, capture_to_searchable_ms: null };
  #ocr: OcrAvailability | null = null;
  /** Set by close(): work still in flight then must not touch the closed database. */
  #closed = false;

  constructor(private readonly deps: ScreenshotWorkerDeps) {
    this.#now = deps.now ?? Date.now;
    this.#root = screenshotsRoot(deps.dataDir);
    this.#incoming = path.join(this.#root, INCOMING_DIR);
    // Captures a previous run left half-way are of no use: their rows can no longer be read.
    fs.rmSync(this.#incoming, { recursive: true, force: true });
    this.store = new ScreenshotStore(deps.dataDir);
    const abandoned = this.store.abandonPending();
    if (abandoned) deps.log.warn('screenshots', `${abandoned} capture(s) of the last run were never read by OCR; marked failed`);
    this.#command = new CaptureCommand(deps.captureCommand);
    // Whether OCR can run is asked a little after start-up (a capture asks at once): a child
    // process forked while the daemon is still loading would only slow its first answer.
    setTimeout(() => {
      if (this.#closed || this.#ocr) return;
      void tesseractAvailability().then((a) => {
        this.#ocr = a;
        if (!a.available) deps.log.warn('screenshots', `OCR unavailable: ${a.reason}`);
      });
    }, OCR_PROBE_DELAY_MS).unref();
  }

  config(): ScreenshotConfig {
    return readSection(this.deps.settings.get(), screenshotConfigSection);
  }

  /** The statechart's input, read at every (re)start. */
  input(): ScreenshotMachineInput {
    const c = this.config();
    return { enabled: c.enabled, intervalSecs: c.interval_secs, sessionOnly: c.session_only, sessionActive: SESSION_STATES.has(this.deps.deviceState()) };
  }

  /** Feed every snapshot of the actor (the system's `observe`). */
  readonly onSnapshot = (snapshot: unknown): void => {
    const s = snapshot as { value: unknown; context: ScreenshotContext };
    this.#state = typeof s.value === 'string' ? s.value : JSON.stringify(s.value);
    this.#context = s.context;
  };

  /** The actor to run under the supervisor. */
  logic() {
    return screenshotCaptureMachine.provide({
      actors: {
        watch: fromCallback<ScreenshotEvent>(({ sendBack }) => {
          let active = SESSION_STATES.has(this.deps.deviceState());
          let last = this.input();
          const offBus = this.deps.bus.subscribe((e) => {
            if (e.type !== 'status') return;
            const now = SESSION_STATES.has(String((e.payload as { state?: unknown }).state));
            if (now === active) return;
            active = now;
            sendBack({ type: now ? 'session.active' : 'session.inactive' });
          });
          const offSettings = this.deps.settings.onChange((_next, changed) => {
            if (!changed.includes(SETTINGS_KEY)) return;
            const next = this.input();
            // Only what the statechart decides on: a new quality applies to the next capture by itself.
            if (next.enabled === last.enabled && next.intervalSecs === last.intervalSecs && next.sessionOnly === last.sessionOnly) return;
            last = next;
            sendBack({ type: 'screenshot.configure', enabled: next.enabled, intervalSecs: next.intervalSecs, sessionOnly: next.sessionOnly });
          });
          return () => {
            offBus();
            offSettings();
          };
        }),
        capture: fromPromise<CaptureOutput>(({ signal }) => this.#capture(signal)),
        // Not cancelled with the state: text already being read is still worth keeping.
        ocr: fromPromise<void, { id: number }>(({ input }) => this.#readText(input.id)),
      },
      actions: {
        reportFailure: ({ context }) => this.#reportFailure(context),
      },
      delays: {
        // Captures keep their cadence: the interval counts from the last attempt, not from the end of its OCR.
        captureDelay: ({ context }) =>
          this.#lastAttemptAt === null ? 0 : Math.max(0, context.intervalSecs * 1000 - (this.#now() - this.#lastAttemptAt)),
      },
    });
  }

  async #capture(signal: AbortSignal): Promise<CaptureOutput> {
    const cfg = this.config();
    const startedAt = performance.now();
    const unixMs = this.#now();
    this.#lastAttemptAt = unixMs;
    await mkdir(this.#incoming, { recursive: true, mode: 0o700 });
    const png = path.join(this.#incoming, `${unixMs}-${randomBytes(3).toString('hex')}.png`);
    let keepPng = false;
    try {
      await this.#command.capture(png, signal);
      const t1 = performance.now();
      const webp = await encodeWebp(png, cfg.image_size, cfg.quality);
      const t2 = performance.now();
      if (signal.aborted || this.#closed) throw new Error('capture cancelled');
      const stamp = captureStamp(unixMs);
      const filename = await this.#writeUnique(stamp, webp.bytes);
      const t3 = performance.now();
      const ocrWanted = cfg.ocr_enabled && (this.#ocr ??= await tesseractAvailability()).available;
      const id = this.store.insert({
        timestamp: stamp, unixMs, filename, width: webp.width, height: webp.height, fileSize: webp.bytes.length,
        imageSize: cfg.image_size, quality: cfg.quality, ocrStatus: ocrWanted ? 'pending' : 'off',
      });
      this.#capturesSinceStart++;
      this.#timings = { ...this.#timings, capture_us: us(t1 - startedAt), resize_us: us(t2 - t1), save_us: us(t3 - t2), capture_total_us: us(t3 - startedAt) };
      this.deps.bus.publish('screenshot-captured', {
        ts: Math.floor(unixMs / 1000), timestamp: Number(stamp), unix_ts: Math.floor(unixMs / 1000), filename, id,
        width: webp.width, height: webp.height, file_size: webp.bytes.length, ocr_pending: ocrWanted,
      });
      if (ocrWanted) {
        keepPng = true;
        this.#pendingOcr.set(id, { png, startedAt });
        // Switched off meanwhile: the statechart will not read it, so read it on the side.
        if (signal.aborted) void this.#readText(id);
      }
      return { id, ocrWanted };
    } finally {
      if (!keepPng) await rm(png, { force: true });
    }
  }

  /** Writes the WebP under the first free name of its second; returns the relative filename. */
  async #writeUnique(stamp: string, bytes: Buffer): Promise<string> {
    await mkdir(path.join(this.#root, stamp.slice(0, 8)), { recursive: true, mode: 0o700 });
    for (let n = 0; n < MAX_SAME_SECOND; n++) {
      const rel = captureFilename(stamp, n);
      try {
        await writeFile(path.join(this.#root, rel), bytes, { flag: 'wx', mode: 0o600 });
        return rel;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    throw new Error(`more than ${MAX_SAME_SECOND} captures named ${stamp}`);
  }

  async #readText(id: number): Promise<void> {
    const pending = this.#pendingOcr.get(id);
    if (!pending) return;
    this.#pendingOcr.delete(id);
    const t0 = performance.now();
    try {
      const text = await recognizeText(pending.png);
      const ms = performance.now() - t0;
      if (this.#closed) return;
      this.store.setOcr(id, text, 'done', 'tesseract', ms);
      const searchableMs = performance.now() - pending.startedAt;
      this.#timings = { ...this.#timings, ocr_us: us(ms), capture_to_searchable_ms: Math.round(searchableMs) };
      const row = this.store.get(id);
      this.deps.bus.publish('screenshot-ocr', { id, filename: row?.filename ?? null, chars: text.length, ocr_ms: Math.round(ms), capture_to_searchable_ms: Math.round(searchableMs) });
    } catch (err) {
      const reason = (err as Error).message;
      if (this.#closed) return;
      this.#ocrErrors++;
      this.#lastOcrError = reason;
      this.store.setOcr(id, '', 'failed', 'tesseract', performance.now() - t0);
      this.deps.log.warn('screenshots', `OCR of capture ${id} failed: ${reason}`);
      this.deps.bus.publish('screenshot-failed', { stage: 'ocr', id, reason, failures: null, retry_in_ms: null });
    } finally {
      await rm(pending.png, { force: true });
    }
  }

  #reportFailure(c: ScreenshotContext): void {
    this.#captureErrors++;
    this.#lastError = c.reason;
    const retryInMs = retryDelayMs(c.intervalSecs, c.failures);
    this.deps.log.warn('screenshots', `capture failed (${c.failures} in a row; retrying in ${Math.round(retryInMs / 1000)} s): ${c.reason}`);
    this.deps.bus.publish('screenshot-failed', { stage: 'capture', id: null, reason: c.reason, failures: c.failures, retry_in_ms: retryInMs });
  }

  counts(): ScreenshotCounts {
    return this.store.counts();
  }

  /**
   * `GET /v1/settings/screenshot/metrics`: the reference's MetricsSnapshot fields with real values
   * (it answers zeros for most), then the worker's state and OCR standing.
   */
  metrics() {
    const c = this.store.counts();
    const ctx = this.#context;
    return {
      captures: c.total,
      capture_errors: this.#captureErrors,
      drops: 0,
      ...pick(this.#timings, ['capture_us', 'ocr_us', 'resize_us', 'save_us', 'capture_total_us']),
      // No image embeddings here: a capture is "embedded" once its text is in the search index.
      embeds: c.ocr_done,
      embed_errors: this.#ocrErrors,
      vision_embed_us: 0,
      text_embed_us: 0,
      embed_total_us: this.#timings.ocr_us,
      queue_depth: c.ocr_pending,
      last_capture_unix: c.last_capture_unix,
      last_embed_unix: c.last_ocr_unix,
      backoff_multiplier: ctx && ctx.failures > 0 ? 2 ** (ctx.failures - 1) : 1,
      state: this.#state,
      reason: ctx?.reason ?? null,
      consecutive_failures: ctx?.failures ?? 0,
      last_error: this.#lastError,
      captures_since_start: this.#capturesSinceStart,
      capture_command: this.#command.describe(),
      ocr: {
        engine: 'tesseract',
        available: this.#ocr?.available ?? null,
        version: this.#ocr?.version ?? null,
        reason: this.#ocr?.reason ?? null,
        done: c.ocr_done,
        pending: c.ocr_pending,
        failed: c.ocr_failed,
        last_error: this.#lastOcrError,
      },
      capture_to_searchable_ms: this.#timings.capture_to_searchable_ms,
    };
  }

  dir(): string {
    return this.#root;
  }

  around(unixSecs: number, windowSecs: number, limit: number): ScreenshotResult[] {
    return this.store.around(unixSecs, windowSecs, limit);
  }

  /** `semantic` ranks by the text index and falls back to substring when it finds nothing; `substring` is literal. */
  searchText(query: string, k: number, mode: 'semantic' | 'substring'): ScreenshotResult[] {
    if (mode === 'substring') return this.store.searchSubstring(query, k);
    const ranked = this.store.searchText(query, k);
    return ranked.length ? ranked : this.store.searchSubstring(query, k);
  }

  close(): void {
    this.#closed = true;
    this.store.close();
  }
}

const us = (ms: number) => Math.round(ms * 1000);

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>;
}
