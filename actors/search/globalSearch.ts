// EEG similarity search (notes §6): the global index over every stored epoch embedding, kept
// current and queried by range.
//
// - The supervised actor (`logic()`, the statechart of machines/searchIndex.ts) owns the index
//   thread, started on demand: every request and every stored vector wakes it, and after
//   `parkAfterMs` with nothing in flight it parks (the thread saves the index and stops). If the
//   thread dies the actor fails, the supervisor restarts it (parked, woken at once when work is
//   waiting), and the next thread loads the saved index and catches up with SQLite.
// - Every stored embedding enters the index: the encoder's live epochs and the reembed
//   scheduler's re-embedded ones (both announced through `onStored`), or anything else through
//   `add` — the reference wrote re-embedded vectors to SQLite only (notes §5.5 quirk). Vectors
//   that arrive while the thread is parked or being (re)started wake it and wait in a bounded
//   backlog.
// - A rebuild the daemon did not ask for (a missing index with data to recover, a corrupt file,
//   another encoder's dimension) is announced as `EmbedWorkerWarning {code:"hnsw_rebuilt"}`.
import path from 'node:path';
import { fromCallback } from 'xstate';
import { searchIndexMachine, type SearchIndexEvent } from '../../machines/searchIndex.ts';
import type { StoredEmbedding } from '../embeddings/embeddingEvents.ts';
import { readStoredModelConfig } from '../embeddings/modelConfig.ts';
import type { EventBus } from '../eventBus.ts';
import type { DaemonLog } from '../log.ts';
import { utcDayName } from '../store/dayDirs.ts';
import { MIN_QUERY_EF } from './epochIndex.ts';
import type { IndexState, IndexStats, OpenRequest, RebuildReport } from './searchProtocol.ts';
import type { NeighborLabel, SearchEntry, SearchProgress, SearchResult } from './searchShapes.ts';
import { SearchWorker } from './searchWorker.ts';

/** The reference saves its global index every 10 inserts (GLOBAL_HNSW_SAVE_EVERY). */
export const SAVE_EVERY = 10;
const MIN_SAVE_INTERVAL_MS = 30_000;
/** Vectors kept while the thread restarts; older ones are caught up from SQLite instead. */
const BACKLOG_LIMIT = 50_000;
const WAIT_FOR_THREAD_MS = 30_000;
/**
 * With nothing searched, asked or stored for this long, the index parks: its thread (a V8
 * isolate, some 15–30 MB, plus the index itself) saves the index and stops. Long enough
 * that browsing search results or a pause between sessions keeps it loaded.
 */
export const PARK_AFTER_MS = 5 * 60_000;

export class SearchUnavailable extends Error {}

export interface GlobalSearchDeps {
  dataDir: string;
  bus: EventBus;
  log: DaemonLog;
  saveEvery?: number;
  minSaveIntervalMs?: number;
  /** Idle time after which the thread saves the index and stops (default PARK_AFTER_MS). */
  parkAfterMs?: number;
}

export interface RangeSearch {
  startUtc: number;
  endUtc: number;
  k: number;
  ef: number;
  deviceName?: string | null;
}

interface Backlogged {
  timestampMs: number;
  day: string;
  vector: Float32Array;
  model: string | null;
}

export class GlobalSearch {
  #worker: SearchWorker | null = null;
  #state: IndexState | 'parked' = 'parked';
  #backlog: Backlogged[] = [];
  #waiters = new Set<() => void>();
  #lastClose: Promise<void> = Promise.resolve();
  #closed = false;
  /** Sends to the running actor in any state (parked too). */
  #link: ((e: SearchIndexEvent) => void) | null = null;
  /** Requests waiting for or running on the thread: it does not park under them. */
  #busy = 0;
  #lastUsedMs = Date.now();
  /** Counters of the threads that parked, carried into the stats of the next. */
  #earlier = { cancelled_searches: 0, widened_queries: 0 };
  /**
   * The labels whose EEG window holds each time (unix seconds), attached to neighbours. Without
   * a label store every neighbour carries `labels: []`.
   */
  labelsAt: ((unixSecs: readonly number[]) => NeighborLabel[][]) | null = null;

  constructor(private readonly deps: GlobalSearchDeps) {}

  /** What the thread is doing; `parked` when there is none (not wanted yet, idle, or being restarted). */
  get state(): IndexState | 'parked' {
    return this.#state;
  }

  /** Every stored embedding (the encoder's `stored.onStored` listener). */
  readonly onStored = (e: StoredEmbedding): void => {
    this.add(e.timestampMs, e.vector, { dayDir: e.dayDir, model: e.model });
  };

  /** Puts an epoch's vector into the index, replacing the one it had. `dayDir` defaults to its UTC day. */
  add(timestampMs: number, vector: Float32Array, opts: { dayDir?: string; model?: string } = {}): void {
    if (this.#closed) return;
    const day = opts.dayDir ? path.basename(opts.dayDir) : utcDayName(timestampMs);
    const model = opts.model ?? null;
    this.#lastUsedMs = Date.now();
    if (this.#worker) return this.#worker.add(timestampMs, day, vector, model);
    if (this.#backlog.length >= BACKLOG_LIMIT) this.#backlog.shift();
    this.#backlog.push({ timestampMs, day, vector: Float32Array.from(vector), model });
    // Parked: the first vector wakes it, so the backlog drains instead of growing.
    this.#want();
  }

  /** A whole range search (notes §6.2 a). */
  async search(q: RangeSearch, signal?: AbortSignal): Promise<SearchResult> {
    const results: SearchEntry[] = [];
    let searchedDays: string[] = [];
    const ef = effectiveEf(q.k, q.ef);
    await this.#run(q, signal, {
      started: (_n, days) => void (searchedDays = days),
      result: (entry) => void results.push(entry),
    });
    return { start_utc: q.startUtc, end_utc: q.endUtc, k: q.k, ef, query_count: results.length, searched_days: searchedDays, results };
  }

  /** A range search as progress events (notes §6.3); `emit` returning false (client gone) stops it. */
  async stream(q: RangeSearch, emit: (p: SearchProgress) => boolean, signal: AbortSignal): Promise<void> {
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const send = (p: SearchProgress) => {
      if (!stop.signal.aborted && !emit(p)) stop.abort();
    };
    try {
      const total = await this.#run(q, stop.signal, {
        started: (n, days) => send({ kind: 'started', query_count: n, searched_days: days }),
        result: (entry, done) => send({ kind: 'result', entry, done_count: done }),
      });
      send({ kind: 'done', total });
    } catch (err) {
      send({ kind: 'error', error: (err as Error)?.message ?? String(err) });
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** The index's stats; a parked index is woken to tell (its figures live in the thread). */
  async stats(): Promise<IndexStats> {
    return this.#withEarlier(await this.#using((w) => w.stats()));
  }

  /** Builds the index again from SQLite; resolves with its stats once it is in use. */
  async rebuild(): Promise<IndexStats> {
    return this.#withEarlier(await this.#using((w) => w.rebuild()));
  }

  /** Distinct device names over every day database. */
  devices(): Promise<string[]> {
    return this.#using((w) => w.devices());
  }

  /** Kills the index thread as a crash would (supervision tests); false when there is none. */
  injectWorkerFault(): boolean {
    if (!this.#worker) return false;
    this.#worker.injectFault();
    return true;
  }

  /** Saves the index and stops its thread (after the actor system has been shut down); parked, waits for the last park's save. */
  async close(): Promise<void> {
    this.#closed = true;
    await (this.#worker?.close() ?? this.#lastClose);
  }

  /** The actor to run under the supervisor. */
  logic() {
    return searchIndexMachine.provide({
      actors: {
        link: fromCallback<SearchIndexEvent>(({ sendBack }) => {
          this.#link = sendBack;
          // Restarted (or started) with work already waiting: wake at once.
          if (!this.#closed && (this.#backlog.length > 0 || this.#waiters.size > 0)) sendBack({ type: 'index.wanted' });
          return () => {
            if (this.#link === sendBack) this.#link = null;
          };
        }),
        thread: fromCallback<SearchIndexEvent>(({ sendBack }) => {
          const worker = new SearchWorker({
            onState: (state) => {
              this.#state = state;
              sendBack({ type: state === 'ready' ? 'index.ready' : state === 'rebuilding' ? 'index.rebuilding' : 'index.opening' });
            },
            onRebuilt: (report) => this.#reportRebuild(report),
            onLog: (level, message) => this.deps.log.write(level, 'search', message),
            onLost: (message) => {
              // Requests wait for the next thread rather than reach a dead one.
              if (this.#worker === worker) this.#worker = null;
              this.#state = 'parked';
              sendBack({ type: 'index.lost', message });
            },
          });
          let stopped = false;
          // A thread being replaced (or parked) may still be saving: the new one reads the files after it.
          void this.#lastClose.then(() => {
            if (stopped) return;
            worker.open(this.#openRequest());
            this.#worker = worker;
            this.#state = 'opening';
            this.#lastUsedMs = Date.now();
            for (const b of this.#backlog.splice(0)) worker.add(b.timestampMs, b.day, b.vector, b.model);
            for (const wake of [...this.#waiters]) wake();
          });
          // Only `ready` takes `index.idle`: not while opening or rebuilding.
          const parkAfterMs = this.deps.parkAfterMs ?? PARK_AFTER_MS;
          const idleCheck = setInterval(() => {
            if (this.#worker === worker && this.#busy === 0 && Date.now() - this.#lastUsedMs >= parkAfterMs) sendBack({ type: 'index.idle' });
          }, Math.max(10, Math.min(parkAfterMs / 4, 30_000)));
          idleCheck.unref();
          return () => {
            stopped = true;
            clearInterval(idleCheck);
            if (this.#worker === worker || this.#worker === null) {
              this.#worker = null;
              this.#state = 'parked';
            }
            this.#lastClose = worker.close().then(
              (last) => {
                if (!last) return;
                this.#earlier.cancelled_searches += last.cancelled_searches;
                this.#earlier.widened_queries += last.widened_queries;
              },
              () => undefined,
            );
          };
        }),
      },
    });
  }

  #openRequest(): OpenRequest {
    const config = readStoredModelConfig(this.deps.dataDir);
    return {
      dataDir: this.deps.dataDir,
      params: { m: config.hnsw_m, efConstruction: config.hnsw_ef_construction, model: config.active_family },
      preferDim: null,
      saveEvery: this.deps.saveEvery ?? SAVE_EVERY,
      minSaveIntervalMs: this.deps.minSaveIntervalMs ?? MIN_SAVE_INTERVAL_MS,
    };
  }

  #reportRebuild(r: RebuildReport): void {
    const what = `global index rebuilt from SQLite (${r.reason}: ${r.detail}): ${r.recovered} embedding(s)`;
    if (r.reason === 'requested' || (r.reason === 'missing' && r.recovered === 0)) {
      this.deps.log.info('search', what);
      return;
    }
    const message = r.quarantined ? `${what}; the damaged file was moved to ${r.quarantined}` : what;
    this.deps.log.warn('search', message);
    this.deps.bus.publish('EmbedWorkerWarning', { code: 'hnsw_rebuilt', path: r.path, recovered_embeddings: r.recovered, message });
  }

  #run(q: RangeSearch, signal: AbortSignal | undefined, listener: { started(n: number, days: string[]): void; result(e: SearchEntry, done: number): void }): Promise<number> {
    return this.#using(async (worker) => {
      if (signal?.aborted) return 0;
      return worker.search(
        { startS: q.startUtc, endS: q.endUtc, k: q.k, ef: effectiveEf(q.k, q.ef), deviceName: q.deviceName ?? null },
        {
          started: listener.started,
          result: (entry, done) => listener.result(this.#withLabels(entry), done),
        },
        signal,
      );
    });
  }

  /** Runs `work` on the thread, waking it if parked; the thread does not park while work is in flight. */
  async #using<T>(work: (worker: SearchWorker) => Promise<T>): Promise<T> {
    this.#busy++;
    try {
      return await work(await this.#thread());
    } finally {
      this.#busy--;
      this.#lastUsedMs = Date.now();
    }
  }

  #withEarlier(st: IndexStats): IndexStats {
    return { ...st, cancelled_searches: st.cancelled_searches + this.#earlier.cancelled_searches, widened_queries: st.widened_queries + this.#earlier.widened_queries };
  }

  /** Something needs the thread now: wake it if parked (ignored when active). */
  #want(): void {
    this.#lastUsedMs = Date.now();
    if (!this.#closed) this.#link?.({ type: 'index.wanted' });
  }

  #withLabels(entry: SearchEntry): SearchEntry {
    const at = this.labelsAt;
    if (!at || entry.neighbors.length === 0) return entry;
    const labels = at(entry.neighbors.map((n) => n.timestamp_unix));
    entry.neighbors.forEach((n, i) => (n.labels = labels[i] ?? []));
    return entry;
  }

  /** The running thread; wakes a parked one, and waits for one being (re)started. */
  async #thread(): Promise<SearchWorker> {
    if (this.#worker) return this.#worker;
    if (this.#closed) throw new SearchUnavailable('the search index is shut down');
    await new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, WAIT_FOR_THREAD_MS);
      timer.unref();
      this.#waiters.add(wake);
      this.#want();
    });
    if (!this.#worker) throw new SearchUnavailable('the search index thread is not running');
    return this.#worker;
  }
}

/** The ef a query runs with: at least k and at least MIN_QUERY_EF (hnswlib's default 10 finds 2 of 10). */
export function effectiveEf(k: number, ef: number): number {
  return Math.max(ef, k, MIN_QUERY_EF);
}
