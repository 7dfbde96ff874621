// The downloads the manager holds while it runs: one download statechart per id, a queue that
// lets at most `maxConcurrent` of them transfer at once, the queue file rewritten on every
// change of state, and throttled reports to whoever listens for each kind. A runner lives as
// long as the supervised `downloads` actor; a restarted actor (or daemon) builds a new runner
// from the queue file, and partial files on disk are resumed from where they stopped.
import { createActor, type Actor } from 'xstate';
import { downloadStateOf, FINAL_STATES, type DownloadRequest, type DownloadState } from '../../machines/download.ts';
import { downloadLogic, type DownloadIo } from './downloadActor.ts';
import { DownloadError } from './downloadError.ts';
import { readQueue, writeQueue } from './downloadQueueFile.ts';
import { isActive, partialFileOf, requestOf, viewOf, type DownloadView } from './downloadView.ts';
import { ProgressThrottle } from './progressThrottle.ts';

export interface RunnerOptions {
  queueFile: string;
  io: DownloadIo;
  maxConcurrent: number;
  retryDelaysMs?: number[];
  maxAttempts?: number;
  /** Least time between two reports of one download (200 ms: at most 5 a second). */
  reportIntervalMs: number;
  /** Finished downloads kept in the list (and the queue file) before the oldest are dropped. */
  historyLimit?: number;
  report(view: DownloadView, removed: boolean): void;
  warn(message: string): void;
  now?: () => number;
}

type DownloadActor = Actor<ReturnType<typeof downloadLogic>>;

interface Entry {
  view: DownloadView;
  /** Null once the download is final (or for finished downloads restored from the file). */
  actor: DownloadActor | null;
  retryAtMs: number | null;
  throttle: ProgressThrottle;
  /** Queue order. */
  seq: number;
}

const TRANSFERRING: ReadonlySet<DownloadState> = new Set(['downloading', 'waiting', 'verifying']);

export class DownloadRunner {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;
  #seq = 0;
  #stopping = false;
  #schedulePending = false;

  constructor(private readonly opts: RunnerOptions) {
    this.#now = opts.now ?? Date.now;
  }

  /** Rebuilds the downloads of the queue file: unfinished ones run again, paused ones stay paused. */
  restore(): void {
    for (const v of readQueue(this.opts.queueFile, this.opts.warn)) {
      if (FINAL_STATES.has(v.state)) {
        this.#entries.set(v.id, { view: v, actor: null, retryAtMs: null, throttle: this.#throttle(v.id), seq: ++this.#seq });
        continue;
      }
      this.#spawn(requestOf(v), { paused: v.state === 'paused', received: v.received_bytes, createdAtMs: v.created_at_ms, ...partialFileOf(v) });
    }
    this.#persist();
    this.#schedule();
  }

  start(req: DownloadRequest): DownloadView {
    const existing = this.#entries.get(req.id);
    if (existing && isActive(existing.view.state)) throw new DownloadError('conflict', `download "${req.id}" is already ${existing.view.state}`, 'already_downloading');
    if (existing?.view.state === 'paused') return this.resume(req.id);
    for (const e of this.#entries.values()) {
      if (e.view.dest === req.dest && (isActive(e.view.state) || e.view.state === 'paused')) {
        throw new DownloadError('conflict', `${req.dest} is already being downloaded as "${e.view.id}"`);
      }
    }
    existing?.throttle.cancel();
    // A failed download started again resumes its partial file, still under the old validator.
    const sameFile = existing && existing.view.url === req.url && existing.view.dest === req.dest;
    const entry = this.#spawn(req, sameFile ? partialFileOf(existing.view) : {});
    this.#persist();
    this.#schedule();
    return this.#viewOf(entry);
  }

  pause(id: string): DownloadView {
    const e = this.#get(id);
    if (!isActive(e.view.state)) throw new DownloadError('conflict', `download "${id}" is ${e.view.state}; only a queued or running download can be paused`);
    e.actor?.send({ type: 'download.pause' });
    return this.#viewOf(e);
  }

  /** Continues a paused download; a failed or cancelled one starts again (a failed one from its partial file). */
  resume(id: string): DownloadView {
    const e = this.#get(id);
    if (e.view.state === 'paused') {
      e.actor?.send({ type: 'download.resume' });
      return this.#viewOf(e);
    }
    if (e.view.state === 'failed' || e.view.state === 'cancelled') return this.start(requestOf(e.view));
    throw new DownloadError('conflict', `download "${id}" is ${e.view.state}; only a paused, failed or cancelled download can be resumed`);
  }

  cancel(id: string): DownloadView {
    const e = this.#get(id);
    if (FINAL_STATES.has(e.view.state)) throw new DownloadError('conflict', `download "${id}" is already ${e.view.state}`);
    e.actor?.send({ type: 'download.cancel' });
    return this.#viewOf(e);
  }

  /** Drops a download from the list, cancelling it first (its partial file is deleted) if it is not finished. */
  forget(id: string): DownloadView {
    const e = this.#get(id);
    if (!FINAL_STATES.has(e.view.state)) e.actor?.send({ type: 'download.cancel' });
    e.throttle.cancel();
    this.#entries.delete(id);
    this.#persist();
    const view = this.#viewOf(e);
    this.opts.report(view, true);
    return view;
  }

  get(id: string): DownloadView | null {
    const e = this.#entries.get(id);
    return e ? this.#viewOf(e) : null;
  }

  list(): DownloadView[] {
    return [...this.#entries.values()].sort((a, b) => a.seq - b.seq).map((e) => this.#viewOf(e));
  }

  /** Stops every transfer, keeping partial files and the queue file for the next runner. */
  stop(): void {
    if (this.#stopping) return;
    this.#persist();
    this.#stopping = true;
    for (const e of this.#entries.values()) {
      e.throttle.cancel();
      e.actor?.stop();
    }
  }

  #get(id: string): Entry {
    const e = this.#entries.get(id);
    if (!e) throw new DownloadError('not_found', `no download "${id}"`);
    return e;
  }

  #throttle(id: string): ProgressThrottle {
    return new ProgressThrottle(this.opts.reportIntervalMs, () => {
      const e = this.#entries.get(id);
      if (e && !this.#stopping) this.opts.report(this.#viewOf(e), false);
    }, this.#now);
  }

  #spawn(req: DownloadRequest, o: { paused?: boolean; received?: number; createdAtMs?: number } & Partial<ReturnType<typeof partialFileOf>>): Entry {
    const actor: DownloadActor = createActor(downloadLogic(this.opts.io), {
      input: {
        ...req,
        paused: o.paused ?? false,
        received: o.received ?? 0,
        validator: o.validator ?? null,
        announcedSha256: o.announcedSha256 ?? null,
        ...(this.opts.retryDelaysMs ? { retryDelaysMs: this.opts.retryDelaysMs } : {}),
        ...(this.opts.maxAttempts ? { maxAttempts: this.opts.maxAttempts } : {}),
      },
    });
    const now = this.#now();
    const first = actor.getSnapshot();
    const entry: Entry = {
      view: viewOf(downloadStateOf(first.value), first.context, { createdAtMs: o.createdAtMs ?? now, updatedAtMs: now, retryAtMs: null, now }),
      actor,
      retryAtMs: null,
      throttle: this.#throttle(req.id),
      seq: ++this.#seq,
    };
    this.#entries.set(req.id, entry);
    actor.subscribe({
      next: (snapshot) => this.#onSnapshot(entry, downloadStateOf(snapshot.value), snapshot.context),
      error: (err) => this.#onCrash(entry, err),
    });
    actor.start();
    entry.throttle.changed();
    return entry;
  }

  #onSnapshot(entry: Entry, state: DownloadState, context: Parameters<typeof viewOf>[1]): void {
    // A replaced or forgotten download's actor may still be winding down.
    if (this.#stopping || this.#entries.get(entry.view.id) !== entry) return;
    const before = entry.view.state;
    const now = this.#now();
    if (state === 'waiting' && before !== 'waiting') entry.retryAtMs = now + (context.retryInMs ?? 0);
    if (state !== 'waiting') entry.retryAtMs = null;
    entry.view = viewOf(state, context, { createdAtMs: entry.view.created_at_ms, updatedAtMs: now, retryAtMs: entry.retryAtMs, now });
    if (state === before) return entry.throttle.changed();
    if (FINAL_STATES.has(state)) {
      entry.actor = null;
      this.#pruneHistory();
      entry.throttle.final();
    } else {
      entry.throttle.changed();
    }
    this.#persist();
    this.#schedule();
  }

  /** A bug in a download's own actions: that download fails, the others go on. */
  #onCrash(entry: Entry, err: unknown): void {
    if (this.#stopping || this.#entries.get(entry.view.id) !== entry) return;
    const message = `internal error: ${(err as Error)?.message ?? String(err)}`;
    this.opts.warn(`download "${entry.view.id}" failed: ${(err as Error)?.stack ?? message}`);
    entry.actor = null;
    entry.view = { ...entry.view, state: 'failed', error: message, status_msg: message, updated_at_ms: this.#now() };
    entry.throttle.final();
    this.#persist();
    this.#schedule();
  }

  #viewOf(e: Entry): DownloadView {
    if (e.view.state !== 'waiting' || e.retryAtMs === null) return e.view;
    return { ...e.view, retry_in_secs: Math.max(0, Math.ceil((e.retryAtMs - this.#now()) / 1000)) };
  }

  /** Starts queued downloads while slots are free; deferred so it never runs inside a transition. */
  #schedule(): void {
    if (this.#schedulePending) return;
    this.#schedulePending = true;
    queueMicrotask(() => {
      this.#schedulePending = false;
      if (this.#stopping) return;
      const entries = [...this.#entries.values()].sort((a, b) => a.seq - b.seq);
      let free = this.opts.maxConcurrent - entries.filter((e) => TRANSFERRING.has(e.view.state)).length;
      for (const e of entries) {
        if (free <= 0) break;
        if (e.view.state !== 'queued' || !e.actor) continue;
        e.actor.send({ type: 'download.run' });
        free--;
      }
    });
  }

  #pruneHistory(): void {
    const limit = this.opts.historyLimit ?? 50;
    const finished = [...this.#entries.values()].filter((e) => FINAL_STATES.has(e.view.state)).sort((a, b) => a.seq - b.seq);
    for (const e of finished.slice(0, Math.max(0, finished.length - limit))) this.#entries.delete(e.view.id);
  }

  #persist(): void {
    if (this.#stopping) return;
    try {
      writeQueue(this.opts.queueFile, this.list());
    } catch (err) {
      // Downloads go on without the file; only a restart would lose track of them.
      this.opts.warn(`cannot write the download queue ${this.opts.queueFile}: ${(err as Error).message}`);
    }
  }
}
