// The daemon's handle on one search index thread (searchThread.ts): requests with ids and their
// replies, range searches streamed back epoch by epoch, vectors transferred rather than copied.
// When the thread dies without being asked to, every pending request fails and `onLost` is
// told, once; the owner (the search actor) then fails and its supervisor starts a fresh thread.
import type { Worker } from 'node:worker_threads';
import { startThread } from '../runtimeLayout.ts';
import type { FromSearchThread, IndexState, IndexStats, OpenRequest, RangeQuery, RebuildReport, ToSearchThread } from './searchProtocol.ts';
import type { SearchEntry } from './searchShapes.ts';

export class SearchThreadGone extends Error {}

export interface SearchListener {
  started(queryCount: number, searchedDays: string[]): void;
  result(entry: SearchEntry, done: number): void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  listener?: SearchListener;
}

export interface SearchWorkerEvents {
  onState(state: IndexState): void;
  onRebuilt(report: RebuildReport): void;
  onLog(level: 'info' | 'warn', message: string): void;
  onLost(message: string): void;
}

/** How long close() waits for the final save before stopping the thread anyway. */
const CLOSE_TIMEOUT_MS = 30_000;

export class SearchWorker {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #gone: Error | null = null;
  #closing: Promise<IndexStats | null> | null = null;

  constructor(events: SearchWorkerEvents) {
    this.#worker = startThread('searchThread');
    this.#worker.unref();
    this.#worker.on('message', (msg: FromSearchThread) => {
      switch (msg.type) {
        case 'state': return events.onState(msg.state);
        case 'rebuilt': return events.onRebuilt(msg.report);
        case 'log': return events.onLog(msg.level, msg.message);
        case 'started': return this.#pending.get(msg.id)?.listener?.started(msg.queryCount, msg.searchedDays);
        case 'result': return this.#pending.get(msg.id)?.listener?.result(msg.entry, msg.done);
        case 'finished': return this.#settle(msg.id, null, msg.total);
        case 'reply': return this.#settle(msg.id, null, msg.value);
        case 'error': return this.#settle(msg.id, new Error(msg.message));
      }
    });
    const lose = (message: string) => {
      if (this.#gone) return;
      this.#gone = new SearchThreadGone(message);
      for (const p of this.#pending.values()) p.reject(this.#gone);
      this.#pending.clear();
      if (!this.#closing) events.onLost(message);
    };
    this.#worker.on('error', (err) => lose(`search index thread failed: ${err.message}`));
    this.#worker.on('exit', (code) => lose(`search index thread exited with code ${code}`));
  }

  /** Loads or builds the index; everything sent before this waits behind it in the thread. */
  open(open: OpenRequest): void {
    this.#post({ type: 'open', open });
  }

  add(timestampMs: number, day: string, vector: Float32Array, model: string | null): void {
    if (this.#gone || this.#closing) return;
    // A copy to transfer: the caller's vector is shared with other listeners.
    const copy = Float32Array.from(vector).buffer;
    this.#worker.postMessage({ type: 'add', timestampMs, day, vector: copy, model } satisfies ToSearchThread, [copy]);
  }

  /** A range search; `listener` gets each query epoch's entry as it is done. Resolves with the count. */
  search(query: RangeQuery, listener: SearchListener, signal?: AbortSignal): Promise<number> {
    return this.#request((id) => ({ type: 'search', id, query }), listener, signal, (id) => this.#post({ type: 'cancel', id })) as Promise<number>;
  }

  rebuild(): Promise<IndexStats> {
    return this.#request((id) => ({ type: 'rebuild', id })) as Promise<IndexStats>;
  }

  stats(): Promise<IndexStats> {
    return this.#request((id) => ({ type: 'stats', id })) as Promise<IndexStats>;
  }

  devices(): Promise<string[]> {
    return this.#request((id) => ({ type: 'devices', id })) as Promise<string[]>;
  }

  /** Makes the thread die as a native crash would (supervision tests). */
  injectFault(): void {
    this.#post({ type: 'fault' });
  }

  /** Saves what is unsaved, then stops the thread. Not reported as lost. Resolves with its last stats (null if it could not tell). */
  close(): Promise<IndexStats | null> {
    this.#closing ??= (async () => {
      let last: IndexStats | null = null;
      if (!this.#gone) {
        const saved = this.#request((id) => ({ type: 'close', id })).then((v) => v as IndexStats | null, () => null);
        let timer: NodeJS.Timeout | undefined;
        last = await Promise.race([saved, new Promise<null>((r) => (timer = setTimeout(() => r(null), CLOSE_TIMEOUT_MS)))]);
        clearTimeout(timer);
      }
      await this.#worker.terminate();
      return last;
    })();
    return this.#closing;
  }

  #request(make: (id: number) => ToSearchThread, listener?: SearchListener, signal?: AbortSignal, onAbort?: (id: number) => void): Promise<unknown> {
    if (this.#gone) return Promise.reject(this.#gone);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const abort = () => onAbort?.(id);
      this.#pending.set(id, {
        resolve: (v) => {
          signal?.removeEventListener('abort', abort);
          resolve(v);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', abort);
          reject(e);
        },
        ...(listener ? { listener } : {}),
      });
      signal?.addEventListener('abort', abort, { once: true });
      // A request in flight keeps the process alive until it is answered.
      this.#worker.ref();
      this.#post(make(id));
    });
  }

  #settle(id: number, err: Error | null, value?: unknown): void {
    const p = this.#pending.get(id);
    if (!p) return;
    this.#pending.delete(id);
    if (this.#pending.size === 0) this.#worker.unref();
    if (err) p.reject(err);
    else p.resolve(value);
  }

  #post(msg: ToSearchThread): void {
    this.#worker.postMessage(msg);
  }
}
